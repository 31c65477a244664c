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


def _captured(post: Post) -> datetime:
    return post.collected_at or datetime.min.replace(tzinfo=UTC)


def merge_capture_history(existing: Post, incoming: Post) -> Post:
    """One Post from two captures of it: the newer one's content, every capture listed once;
    the content stays ``existing``'s when ``incoming`` comes from another source."""
    if incoming.source != existing.source:
        newer, older = existing, incoming
    elif _captured(incoming) >= _captured(existing):
        newer, older = incoming, existing
    else:
        newer, older = existing, incoming
    history: dict[str, RecordPointer] = {}
    for pointer in [*older.earlier_captures, older.capture, *newer.earlier_captures]:
        if pointer is not None and (
            newer.capture is None or pointer.record_id != newer.capture.record_id
        ):
            history.setdefault(pointer.record_id, pointer)
    if incoming.source != existing.source:
        versions, since = existing.versions, existing.current_since
    else:
        versions, since = merged_versions(newer, older)
    merged = newer.model_copy(
        update={
            "earlier_captures": sorted(history.values(), key=lambda p: p.capture_date),
            "versions": versions,
            "current_since": since,
        }
    )
    merged.retention = kept_retention(newer.retention, older.retention)
    return merged


def _version_time(version: PostVersion) -> datetime:
    return version.captured_at or datetime.min.replace(tzinfo=UTC)


def merged_versions(newer: Post, older: Post) -> tuple[list[PostVersion], RecordPointer | None]:
    """The earlier versions of ``newer`` once ``older`` is known too, and the capture that first
    showed its current wording if that is not its own: every capture of either, in capture
    order, a run of captures with the same content kept as its first one (when that wording was
    first seen), the last run being the wording ``newer`` shows now."""
    current = newer.current_version()
    captures: dict[str, PostVersion] = {}
    for version in [*older.versions, older.current_version(), *newer.versions, current]:
        key = version.capture.record_id if version.capture else f"at:{version.captured_at}"
        captures.setdefault(key, version)
    kept: list[PostVersion] = []
    for version in sorted(captures.values(), key=_version_time):
        if not kept or not kept[-1].same_content(version):
            kept.append(version)
    since = None
    if kept and kept[-1].same_content(current):
        first = kept.pop().capture
        if first is not None and first != newer.capture:
            since = first
    return kept, since


def kept_retention(newer: Retention, older: Retention) -> Retention:
    """``newer``, unless it would empty the category ``older`` has: then ``older``'s
    classification. A legal hold stays either way."""
    kept = older if older.category and not newer.category else newer
    if older.legal_hold and not kept.legal_hold:
        return kept.model_copy(update={"legal_hold": True})
    return kept
