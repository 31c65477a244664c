"""CSV and JSON Lines listings of exported Posts: one row per Post with its capture pointer."""

from __future__ import annotations

import csv
import json
from typing import IO, Any

from foundation.post import Post

CSV_COLUMNS = (
    "id",
    "platform",
    "kind",
    "source",
    "organisation",
    "url",
    "title",
    "author",
    "author_handle",
    "published_at",
    "collected_at",
    "updated_at",
    "parent_id",
    "thread_id",
    "hashtags",
    "mentions",
    "warc_file",
    "warc_offset",
    "warc_length",
    "warc_record_id",
    "payload_digest",
    "retention_category",
    "keep_until",
    "legal_hold",
    "text",
)


def csv_row(post: Post) -> dict[str, Any]:
    capture = post.capture
    return {
        "id": post.id,
        "platform": post.platform,
        "kind": post.kind,
        "source": post.source,
        "organisation": post.organisation,
        "url": post.url,
        "title": post.title,
        "author": post.author,
        "author_handle": post.author_handle,
        "published_at": post.published_at.isoformat() if post.published_at else "",
        "collected_at": post.collected_at.isoformat() if post.collected_at else "",
        "updated_at": post.updated_at.isoformat() if post.updated_at else "",
        "parent_id": post.parent_id,
        "thread_id": post.thread_id,
        "hashtags": " ".join(post.hashtags),
        "mentions": " ".join(post.mentions),
        "warc_file": capture.warc_file if capture else "",
        "warc_offset": capture.offset if capture else "",
        "warc_length": capture.length if capture else "",
        "warc_record_id": capture.record_id if capture else "",
        "payload_digest": capture.payload_digest if capture else "",
        "retention_category": post.retention.category,
        "keep_until": post.retention.keep_until.isoformat() if post.retention.keep_until else "",
        "legal_hold": "ja" if post.retention.legal_hold else "",
        "text": post.text,
    }


class ListingWriter:
    """Writes the CSV and/or JSON Lines listing as Posts stream past."""

    def __init__(self, csv_out: IO[str] | None, jsonl_out: IO[str] | None) -> None:
        self._csv = csv.DictWriter(csv_out, fieldnames=CSV_COLUMNS) if csv_out else None
        self._jsonl = jsonl_out
        if self._csv:
            self._csv.writeheader()

    def add(self, post: Post) -> None:
        if self._csv:
            self._csv.writerow(csv_row(post))
        if self._jsonl:
            self._jsonl.write(json.dumps(post.model_dump(mode="json"), ensure_ascii=False) + "\n")
