"""Edits: when a Post is captured again, the newest capture wins and earlier ones stay listed;
an earlier capture whose content differs is kept as a version (foundation/post_version.py).

A Post belongs to the source that first captured it (captures are indexed in archive order, so
the first is the same on every rebuild). Another source's capture of the same Post (two sources
that may both speak for a page, or a forged entry id) is listed with it, its provenance in its
own WARC metadata record, but changes none of the owner's fields. No later capture empties a
Post's retention category or lifts its legal hold."""

from __future__ import annotations

from datetime import UTC, datetime

from foundation.pointer import RecordPointer
from foundation.post import Post, Retention
from foundation.post_version import PostVersion
from foundation.tombstone import Tombstone


def _captured(post: Post) -> datetime:
    return post.collected_at or datetime.min.replace(tzinfo=UTC)


def merge_capture_history(existing: Post, incoming: Post) -> Post:
    """One Post from two captures of it: the newer one's content, every capture listed once;
    the content stays ``existing``'s when ``incoming`` comes from another source. A capture
    of a platform's edit history only adds its versions."""
    if incoming.versions_only != existing.versions_only:
        post, history = (existing, incoming) if incoming.versions_only else (incoming, existing)
        if post.source == history.source:
            gone_only = history.tombstone is not None and not (history.title or history.text)
            added = post.model_copy() if gone_only else with_platform_versions(post, history)
            added.tombstone = kept_tombstone(added, post.tombstone, history.tombstone)
            return added
    if incoming.source != existing.source:
        newer, older = existing, incoming
    elif _captured(incoming) >= _captured(existing):
        newer, older = incoming, existing
    else:
        newer, older = existing, incoming
    history_of: dict[str, RecordPointer] = {}
    for pointer in [*older.earlier_captures, older.capture, *newer.earlier_captures]:
        if pointer is not None and (
            newer.capture is None or pointer.record_id != newer.capture.record_id
        ):
            history_of.setdefault(pointer.record_id, pointer)
    if incoming.source != existing.source:
        versions, since = existing.versions, existing.current_since
    else:
        versions, since = kept_versions(
            [*older.versions, older.current_version(), *newer.versions], newer
        )
    merged = newer.model_copy(
        update={
            "earlier_captures": sorted(history_of.values(), key=lambda p: p.capture_date),
            "versions": versions,
            "current_since": since,
        }
    )
    merged.retention = kept_retention(newer.retention, older.retention)
    merged.tombstone = kept_tombstone(merged, existing.tombstone, incoming.tombstone)
    return merged


def kept_tombstone(post: Post, *found: Tombstone | None) -> Tombstone | None:
    """The tombstone of ``post`` (whose latest capture is its own) given those of the captures
    merged: the first time it was found missing, the last capture before that, and, when a
    capture showed it after, when and which: both facts are kept."""
    stones = [stone for stone in found if stone is not None]
    if not stones:
        return None
    first = min(stones, key=lambda stone: stone.missing_since)
    seen = post.collected_at if not post.versions_only else None
    if seen is None:
        return first
    if seen < first.missing_since:
        if first.last_seen is None or seen > first.last_seen:
            return first.model_copy(update={"last_seen": seen})
        return first
    if first.restored_at is None or seen < first.restored_at:
        return first.model_copy(update={"restored_at": seen, "restored_by": post.capture})
    return first


def with_platform_versions(post: Post, history: Post) -> Post:
    """``post`` with the versions a capture of its platform's edit history shows added."""
    versions, since = kept_versions(
        [*post.versions, *history.versions, history.current_version()], post
    )
    return post.model_copy(update={"versions": versions, "current_since": since})


def _version_time(version: PostVersion) -> datetime:
    return version.dated() or datetime.min.replace(tzinfo=UTC)


def kept_versions(
    earlier: list[PostVersion], post: Post
) -> tuple[list[PostVersion], PostVersion | None]:
    """The earlier versions of ``post`` with ``earlier`` known too, and when its current
    wording was first seen, unless simply by its own capture: every version, in the order they
    appeared, a run with the same content kept as its first one (when that wording was first
    seen), the last run being the current wording."""
    current = post.current_version()
    found: dict[tuple[str, str], PostVersion] = {}
    for version in [*earlier, current]:
        capture = version.capture.record_id if version.capture else ""
        found.setdefault((capture, str(version.dated())), version)
    kept: list[PostVersion] = []
    for version in sorted(found.values(), key=_version_time):
        if not kept or not kept[-1].same_content(version):
            kept.append(version)
    since = None
    if kept and kept[-1].same_content(current):
        first = kept.pop().without_content()
        if first != PostVersion(captured_at=post.collected_at, capture=post.capture):
            since = first
    return kept, since


def kept_retention(newer: Retention, older: Retention) -> Retention:
    """``newer``, unless it would empty the category ``older`` has: then ``older``'s
    classification. A legal hold stays either way."""
    kept = older if older.category and not newer.category else newer
    if older.legal_hold and not kept.legal_hold:
        return kept.model_copy(update={"legal_hold": True})
    return kept
