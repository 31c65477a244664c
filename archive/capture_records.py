"""The records of a capture as they are stored, uncompressed: for exports that carry archived
records unchanged (the e-Depot transfer package). A capture is the response or revisit a
pointer names with the request and ``metadata`` records the writer puts right after it
(``WARC-Concurrent-To``); a revisit's original is found by its ``WARC-Refers-To`` id, through
the CDXJ index or, for an archive without one, one pass over the archive. A file's warcinfo is
its first record. Each record is returned as its exact bytes (WARC header, block and the
closing CRLFs), so every digest in it still holds; one record at a time is held in memory,
bounded by the collectors' ``http.max_response_bytes``. Only gzip-per-record and uncompressed
WARC files are read (not ARC)."""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from archive.archived_capture import RECORDS_AFTER
from archive.cdxj import lookup
from archive.naming import resolve_inside
from archive.reader import iter_records
from archive.store import open_warc, warc_exists, warc_size
from foundation.errors import ArchiveError
from foundation.pointer import RecordPointer

GZIP_MAGIC = b"\x1f\x8b"
FIRST_CHUNK = 16 * 1024
"""Most records are a few kB: reading a large chunk and handing its unused rest back costs more
than the decompression (a 1 MB chunk made a transfer export five times slower)."""
CHUNK = 1024 * 1024


@dataclass(frozen=True)
class RawRecord:
    """One WARC record's exact uncompressed bytes and the headers an export needs to place it."""

    data: bytes
    headers: tuple[tuple[str, str], ...]
    source_file: str
    source_offset: int

    def header(self, name: str) -> str:
        wanted = name.lower()
        return next((value for key, value in self.headers if key.lower() == wanted), "")

    @property
    def record_id(self) -> str:
        return self.header("WARC-Record-ID")

    @property
    def rec_type(self) -> str:
        return self.header("WARC-Type").lower()

    @property
    def version(self) -> str:
        return self.data[: self.data.find(b"\r\n")].decode("latin-1")

    @property
    def head_length(self) -> int:
        """Bytes of the WARC header, with the blank line that ends it."""
        return self.data.find(b"\r\n\r\n") + 4

    @property
    def block(self) -> bytes:
        return self.data[self.head_length : len(self.data) - 4]


def _parse_head(data: bytes, where: str) -> tuple[tuple[str, str], ...]:
    end = data.find(b"\r\n\r\n")
    if not data.startswith(b"WARC/") or end < 0:
        raise ArchiveError(f"{where}: no WARC record header there; run `archiveren verify`")
    headers = []
    for line in data[:end].decode("utf-8", "replace").split("\r\n")[1:]:
        name, _, value = line.partition(":")
        headers.append((name.strip(), value.strip()))
    return tuple(headers)


def _read_at(handle: BinaryIO, offset: int, where: str) -> tuple[bytes, int]:
    """The record at ``offset`` (a gzip member, or plain WARC bytes) and the offset after it."""
    handle.seek(offset)
    first = handle.read(2)
    handle.seek(offset)
    if first == GZIP_MAGIC:
        inflater = zlib.decompressobj(31)
        parts = []
        consumed = 0
        size = FIRST_CHUNK
        while not inflater.eof:
            chunk = handle.read(size)
            size = CHUNK
            if not chunk:
                raise ArchiveError(f"{where}: the gzip member ends early; the file is truncated")
            try:
                parts.append(inflater.decompress(chunk))
            except zlib.error as exc:
                raise ArchiveError(f"{where}: damaged gzip member ({exc})") from None
            consumed += len(chunk) - len(inflater.unused_data)
        return b"".join(parts), offset + consumed
    head = handle.read(256 * 1024)
    end = head.find(b"\r\n\r\n")
    headers = _parse_head(head, where)
    length = next((int(v) for k, v in headers if k.lower() == "content-length"), -1)
    if end < 0 or length < 0:
        raise ArchiveError(f"{where}: record without Content-Length")
    total = end + 4 + length + 4
    handle.seek(offset)
    data = handle.read(total)
    if len(data) < total:
        raise ArchiveError(f"{where}: the record is cut short; the file is truncated")
    return data, offset + total


def read_raw(archive_dir: Path, warc_file: str, offset: int) -> tuple[RawRecord, int]:
    """The record at ``offset`` of ``warc_file`` and where the next one starts."""
    path = resolve_inside(archive_dir, warc_file)
    if not warc_exists(path):
        raise ArchiveError(
            f"WARC file {warc_file} is not in {archive_dir}; run `archiveren verify`"
        )
    where = f"{warc_file}@{offset}"
    with open_warc(path) as handle:
        data, after = _read_at(handle, offset, where)
    return RawRecord(data, _parse_head(data, where), warc_file, offset), after


def capture_records(archive_dir: Path, pointer: RecordPointer) -> list[RawRecord]:
    """The response or revisit ``pointer`` names, then its request and metadata records."""
    path = resolve_inside(archive_dir, pointer.warc_file)
    if not warc_exists(path):
        raise ArchiveError(
            f"WARC file {pointer.warc_file} is not in {archive_dir}; run `archiveren verify`"
        )
    size = warc_size(path)
    records: list[RawRecord] = []
    with open_warc(path) as handle:
        offset = pointer.offset
        for n in range(RECORDS_AFTER + 1):
            if offset >= size:
                break
            where = f"{pointer.warc_file}@{offset}"
            data, after = _read_at(handle, offset, where)
            record = RawRecord(data, _parse_head(data, where), pointer.warc_file, offset)
            offset = after
            if n == 0:
                if pointer.record_id and record.record_id != pointer.record_id:
                    raise ArchiveError(
                        f"{where} holds {record.record_id}, not {pointer.record_id}; the index is stale, run `archiveren index --rebuild`"
                    )
                records.append(record)
            elif record.header("WARC-Concurrent-To") == records[0].record_id:
                records.append(record)
            else:
                break  # the next capture: the writer puts a capture's records together
    return records


class RecordFinder:
    """Finds a revisit's original by its WARC-Record-ID: among the CDXJ index's captures of
    the URL it names (closest to WARC-Refers-To-Date first), else by its payload digest (the
    revisits of before issue 23), else through one pass over the archive, kept for later
    questions (an archive without an index)."""

    def __init__(self, archive_dir: Path) -> None:
        self.archive_dir = archive_dir
        self.scanned: dict[str, RecordPointer] | None = None

    def original_of(self, revisit: RawRecord) -> RecordPointer:
        wanted = revisit.header("WARC-Refers-To")
        uri = (
            revisit.header("WARC-Refers-To-Target-URI") or revisit.header("WARC-Target-URI")
        ).strip("<>")
        if wanted and uri:
            found = self._indexed(uri, revisit.header("WARC-Refers-To-Date"), wanted)
            if found is not None:
                return found
        hint = RecordPointer(
            warc_file=revisit.source_file,
            offset=revisit.source_offset,
            length=0,
            record_id=revisit.record_id,
            target_uri=uri,
            payload_digest=revisit.header("WARC-Payload-Digest"),
        )
        if not wanted and hint.payload_digest:
            by_digest = _original_by_digest(self.archive_dir, hint)
            if by_digest is not None:
                return by_digest
        if wanted:
            pointer = self._scan().get(wanted)
            if pointer is not None:
                return pointer
        raise ArchiveError(
            f"the original {wanted or '(unnamed)'} of revisit {revisit.record_id} "
            f"({revisit.source_file}@{revisit.source_offset}) is not in {self.archive_dir}"
        )

    def _indexed(self, uri: str, date: str, wanted: str) -> RecordPointer | None:
        timestamp = "".join(c for c in date if c.isdigit())[:14]
        for entry in lookup(self.archive_dir, uri, timestamp):
            if entry.fields.get("mime") == "warc/revisit":
                continue
            pointer = entry.pointer()
            try:
                record, _ = read_raw(self.archive_dir, pointer.warc_file, pointer.offset)
            except ArchiveError:
                continue
            if record.record_id == wanted:
                return pointer.model_copy(update={"record_id": wanted})
        return None

    def _scan(self) -> dict[str, RecordPointer]:
        if self.scanned is None:
            self.scanned = {
                record.pointer.record_id: record.pointer
                for record in iter_records(self.archive_dir)
                if record.rec_type == "response"
            }
        return self.scanned


def original_of_revisit(archive_dir: Path, revisit: RecordPointer) -> RecordPointer | None:
    """The response a revisit record stands for, or None when it is not in the archive: by the
    revisit's ``WARC-Refers-To`` id, or by its payload digest for revisits written before
    issue 23 (which named no original)."""
    record, _ = read_raw(archive_dir, revisit.warc_file, revisit.offset)
    try:
        return RecordFinder(archive_dir).original_of(record)
    except ArchiveError:
        return None


def _original_by_digest(archive_dir: Path, revisit: RecordPointer) -> RecordPointer | None:
    """The same URL with the same payload digest, found through the CDXJ index."""
    for entry in lookup(archive_dir, revisit.target_uri):
        if (
            entry.fields.get("digest", "")
            in (revisit.payload_digest, revisit.payload_digest.partition(":")[2])
            and entry.fields.get("mime") != "warc/revisit"
        ):
            return entry.pointer()
    return None
