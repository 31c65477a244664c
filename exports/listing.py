"""CSV and JSON Lines listings of exported Posts: one row per Post with its capture pointer.

The JSON Lines listing holds each Post as it is; the CSV is made safe to open in a spreadsheet
(``exports.spreadsheet``) and, for Excel, starts with a byte order mark. For the Woo view ("what
was published and later edited or deleted") the CSV says per Post how many wordings it had and
when each appeared (the capture holding each is in the JSON Lines listing and the bag's MDTO
events), and, for a Post gone at its source, when it was last seen, since when it is missing,
how that was established, the WARC record that proves it and when it came back, if it did."""

from __future__ import annotations

import csv
import json
from datetime import datetime
from typing import IO, Any

from exports.spreadsheet import neutralise
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
    "versions",
    "version_dates",
    "deleted_since",
    "last_seen",
    "deletion_established_by",
    "deletion_evidence",
    "restored_at",
    "text",
)

CSV_COLUMNS_BEFORE_VERSIONS = (*CSV_COLUMNS[: CSV_COLUMNS.index("versions")], "text")
"""The header of listings written before versions and tombstones had columns; still read."""

WRITTEN_BY_ARCHIVEREN = frozenset(
    {
        "published_at",
        "collected_at",
        "updated_at",
        "warc_offset",
        "warc_length",
        "keep_until",
        "versions",
        "version_dates",
        "deleted_since",
        "last_seen",
        "deletion_established_by",
        "restored_at",
    }
)
"""Columns whose values archiveren formats itself (ISO dates, numbers): never neutralised, since
they cannot begin with a formula character; every other column holds text from a Post or a
source and is."""

EXCEL_BOM = "\ufeff"
"""What Excel needs to read a CSV as UTF-8 rather than the Windows code page."""


def _iso(moment: datetime | None) -> str:
    return moment.isoformat() if moment else ""


def csv_row(post: Post) -> dict[str, Any]:
    capture = post.capture
    wordings = [*post.versions, post.current_version()]
    gone = post.tombstone
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
        "versions": len(wordings),
        "version_dates": " ".join(_iso(wording.dated()) or "?" for wording in wordings),
        "deleted_since": _iso(gone.missing_since) if gone else "",
        "last_seen": _iso(gone.last_seen) if gone else "",
        "deletion_established_by": gone.how if gone else "",
        "deletion_evidence": gone.evidence.record_id if gone and gone.evidence else "",
        "restored_at": _iso(gone.restored_at) if gone else "",
        "text": post.text,
    }


def spreadsheet_row(post: Post) -> tuple[dict[str, Any], int]:
    """The CSV row of ``post`` with its text cells neutralised, and how many were."""
    row = csv_row(post)
    changed = 0
    for column, value in row.items():
        if isinstance(value, str) and column not in WRITTEN_BY_ARCHIVEREN:
            safe = neutralise(value)
            if safe != value:
                row[column] = safe
                changed += 1
    return row, changed


class ListingWriter:
    """Writes the CSV and/or JSON Lines listing as Posts stream past; ``excel`` starts the CSV
    with a byte order mark (its lines end in CRLF either way, as RFC 4180 has them)."""

    def __init__(
        self, csv_out: IO[str] | None, jsonl_out: IO[str] | None, *, excel: bool = False
    ) -> None:
        self._csv = csv.DictWriter(csv_out, fieldnames=CSV_COLUMNS) if csv_out else None
        self._jsonl = jsonl_out
        self.rows = 0
        self.neutralised = 0
        """CSV cells that got a quote in front so a spreadsheet reads them as text"""
        if csv_out is not None and excel:
            csv_out.write(EXCEL_BOM)
        if self._csv:
            self._csv.writeheader()

    def add(self, post: Post) -> None:
        self.rows += 1
        if self._csv:
            row, changed = spreadsheet_row(post)
            self.neutralised += changed
            self._csv.writerow(row)
        if self._jsonl:
            self._jsonl.write(json.dumps(post.model_dump(mode="json"), ensure_ascii=False) + "\n")
