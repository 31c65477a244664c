"""The deduplication store: for each source and target URI, the payload digest and identity of
the source's last full capture of it, so an unchanged payload is written as a `revisit` record
instead of again. It is a SQLite file in WAL mode inside the archive directory, shared by every
writer process and kept across runs; entries name the WARC file and offset so recovery can
forget captures it had to drop.

Deduplication stays within one source: a revisit gives the indexer no Posts (the record it refers
to gave them), so a page first captured by another source, or a hostile feed pointing at it,
must not leave the source that owns it without its own capture and Posts."""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path

from foundation.errors import ArchiveError, StorageFull

SQLITE_FULL = 13

_SCHEMA = """
CREATE TABLE IF NOT EXISTS last_capture_of_source (
    source TEXT NOT NULL,
    uri TEXT NOT NULL,
    payload_digest TEXT NOT NULL,
    record_id TEXT NOT NULL,
    warc_date TEXT NOT NULL,
    warc_file TEXT NOT NULL,
    offset INTEGER NOT NULL,
    PRIMARY KEY (source, uri)
)
"""
# A store from before deduplication was kept per source has a table ``last_capture`` keyed by
# URI alone; it is no longer read, so each URI is captured in full once more per source.


@dataclass(frozen=True)
class LastCapture:
    uri: str
    payload_digest: str
    record_id: str
    warc_date: str
    warc_file: str
    offset: int
    source: str = ""


class DedupStore:
    """Last full capture per URI. Safe to share between threads (one lock) and processes
    (SQLite WAL with a busy timeout)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        try:
            self._db = sqlite3.connect(path, timeout=30, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            with self._db:
                self._db.execute(_SCHEMA)
        except sqlite3.Error as exc:
            raise ArchiveError(
                f"cannot open the dedup store {path}: {exc}; check permissions, or delete the "
                "file to start deduplication afresh (WARCs are unaffected)"
            ) from exc

    def last(self, uri: str, source: str = "") -> LastCapture | None:
        """``source``'s last full capture of ``uri``, if any."""
        with self._lock:
            row = self._db.execute(
                "SELECT uri, payload_digest, record_id, warc_date, warc_file, offset, source "
                "FROM last_capture_of_source WHERE source = ? AND uri = ?",
                (source, uri),
            ).fetchone()
        return LastCapture(*row) if row else None

    def remember(self, capture: LastCapture) -> None:
        try:
            with self._lock, self._db:
                self._db.execute(
                    "INSERT OR REPLACE INTO last_capture_of_source VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (
                        capture.source,
                        capture.uri,
                        capture.payload_digest,
                        capture.record_id,
                        capture.warc_date,
                        capture.warc_file,
                        capture.offset,
                    ),
                )
        except sqlite3.Error as exc:
            # the capture itself is written; without this entry it is only stored again next time
            error = (
                StorageFull
                if getattr(exc, "sqlite_errorcode", None) == SQLITE_FULL
                else ArchiveError
            )
            raise error(
                f"the dedup store {self.path} could not record {capture.uri}: {exc}; the capture "
                "is in the WARC; free space or delete the store to start deduplication afresh"
            ) from exc

    def forget_file(self, warc_file: str, from_offset: int = 0) -> int:
        """Drop entries whose capture lies in ``warc_file`` at or after ``from_offset`` (their
        bytes were cut off or set aside); returns how many were dropped."""
        with self._lock, self._db:
            cursor = self._db.execute(
                "DELETE FROM last_capture_of_source WHERE warc_file = ? AND offset >= ?",
                (warc_file, from_offset),
            )
        return cursor.rowcount

    def close(self) -> None:
        with self._lock:
            self._db.close()
