"""The audit log as CSV, the same from the audit page and ``archiveren audit --csv``: one line per
row, oldest first, with its chain digests, so a copy can be checked against the catalogue."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator

from catalogue.audit_chain import canonical_time
from catalogue.schema import AuditRow

HEADER = ("id", "at_utc", "username", "action", "detail", "prev_sha256", "sha256")


def audit_csv(rows: Iterable[AuditRow]) -> Iterator[str]:
    """CSV text, a header line and then one line per row (streamed)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    for row in rows:
        writer.writerow(
            (
                row.id,
                canonical_time(row.at) + "Z",
                _cell(row.username),
                row.action,
                _cell(json.dumps(row.detail, ensure_ascii=False, sort_keys=True)),
                row.prev_sha256 or "",
                row.sha256 or "",
            )
        )
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    if buffer.getvalue():
        yield buffer.getvalue()


def _cell(value: str) -> str:
    """A cell a spreadsheet will not run as a formula (user names come from login attempts)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
