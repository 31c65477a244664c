"""Edits: when a Post is captured again, the newest capture wins and earlier ones stay listed."""

from __future__ import annotations

from datetime import UTC, datetime

from archive.pointer import RecordPointer
from indexer.post import Post


def _captured(post: Post) -> datetime:
    return post.collected_at or datetime.min.replace(tzinfo=UTC)


def merge_capture_history(existing: Post, incoming: Post) -> Post:
    """One Post from two captures of it: the newer one's content, every capture listed once."""
    newer, older = (incoming, existing) if _captured(incoming) >= _captured(existing) else (existing, incoming)
    history: dict[str, RecordPointer] = {}
    for pointer in [*older.earlier_captures, older.capture, *newer.earlier_captures]:
        if pointer is not None and (newer.capture is None or pointer.record_id != newer.capture.record_id):
            history.setdefault(pointer.record_id, pointer)
    merged = newer.model_copy(update={"earlier_captures": sorted(history.values(), key=lambda p: p.capture_date)})
    if older.retention.legal_hold and not merged.retention.legal_hold:
        merged.retention = merged.retention.model_copy(update={"legal_hold": True})
    return merged
