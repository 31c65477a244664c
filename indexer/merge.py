"""Edits: when a Post is captured again, the newest capture wins and earlier ones stay listed.

A Post belongs to the source that first captured it (captures are indexed in archive order, so
the first is the same on every rebuild). Another source's capture of the same Post (two sources
that may both speak for a page, or a forged entry id) is listed with it, its provenance in its
own WARC metadata record, but changes none of the owner's fields. No later capture empties a
Post's retention category or lifts its legal hold."""

from __future__ import annotations

from datetime import UTC, datetime

from foundation.pointer import RecordPointer
from foundation.post import Post, Retention


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
    merged = newer.model_copy(
        update={"earlier_captures": sorted(history.values(), key=lambda p: p.capture_date)}
    )
    merged.retention = kept_retention(newer.retention, older.retention)
    return merged


def kept_retention(newer: Retention, older: Retention) -> Retention:
    """``newer``, unless it would empty the category ``older`` has: then ``older``'s
    classification. A legal hold stays either way."""
    kept = older if older.category and not newer.category else newer
    if older.legal_hold and not kept.legal_hold:
        return kept.model_copy(update={"legal_hold": True})
    return kept
