"""The audit log as a hash chain: each row carries the SHA-256 of the row before it and its own
digest over that and its content (time, user, action, detail), so a row changed, removed or
slipped in afterwards breaks the chain at that row. ``verify_chain`` walks the log in order and
names the first row whose digest or link does not hold. Rows are append-only in the database
too (triggers refuse UPDATE and DELETE), so the application cannot change them."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

GENESIS = "0" * 64
"""The 'previous digest' of the first row."""


def canonical_time(moment: datetime) -> str:
    """A row's time as hashed: UTC, microseconds, no zone suffix (SQLite returns it naive)."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.isoformat(timespec="microseconds")


def row_digest(
    prev_sha256: str, at: datetime, username: str, action: str, detail: dict[str, Any]
) -> str:
    """The SHA-256 (hex) of one audit row chained to the one before it."""
    content = json.dumps(
        [prev_sha256, canonical_time(at), username, action, detail],
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ChainRow:
    id: int
    at: datetime
    username: str
    action: str
    detail: dict[str, Any]
    prev_sha256: str | None
    sha256: str | None


@dataclass(frozen=True)
class ChainReport:
    rows: int
    broken_at: int | None = None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def verify_chain(rows: Iterable[ChainRow]) -> ChainReport:
    """Walk the rows in id order; the first row whose link or digest fails is named."""
    previous = GENESIS
    count = 0
    for row in rows:
        count += 1
        if row.prev_sha256 != previous:
            return ChainReport(
                count,
                row.id,
                f"audit row {row.id} names {row.prev_sha256 or 'no'} previous digest, but the "
                f"row before it has {previous}: a row was removed or inserted before it",
            )
        expected = row_digest(previous, row.at, row.username, row.action, row.detail)
        if row.sha256 != expected:
            return ChainReport(
                count,
                row.id,
                f"audit row {row.id} ({row.action} by {row.username or '-'}) does not match its "
                "digest: its content was changed after it was written",
            )
        previous = expected
    return ChainReport(count)
