"""Checks that gzip-per-record WARC data is whole: member by member, each gzip member must
decompress completely and hold exactly one WARC record whose block matches its Content-Length.
Recovery uses it to find where a crashed writer's last complete record ends, and the reader to
make sure a file's last record is not silently cut short (fastwarc does not check gzip trailers).
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from archive.store import open_warc

_READ_CHUNK = 1024 * 1024
_HEADER_LIMIT = 64 * 1024


@dataclass(frozen=True)
class RecordScan:
    good_end: int
    records: int
    problem: str


def scan_complete_records(
    path: Path, start: int = 0, on_record: Callable[[int, int], None] | None = None
) -> RecordScan:
    """Offset just after the last complete gzip-per-record WARC record (scanning from
    ``start``), the number of complete records, and what stopped the scan ("" when the rest of
    the file is complete). Streams the file once, whatever its size. ``on_record`` hears the
    offset and length of each complete record (its gzip member) in file order."""
    good_end, records = start, 0
    with open_warc(path) as handle:
        handle.seek(start)
        pending = b""
        while True:
            data = pending or handle.read(_READ_CHUNK)
            if not data:
                return RecordScan(good_end, records, "")
            decomp = zlib.decompressobj(31)
            head = b""
            total = member_bytes = 0
            while True:
                try:
                    out = decomp.decompress(data)
                except zlib.error as exc:
                    return RecordScan(
                        good_end, records, f"corrupt gzip data at offset {good_end}: {exc}"
                    )
                total += len(out)
                if len(head) < _HEADER_LIMIT:
                    head += out[: _HEADER_LIMIT - len(head)]
                if decomp.eof:
                    pending = decomp.unused_data
                    member_bytes += len(data) - len(pending)
                    break
                member_bytes += len(data)
                data = handle.read(_READ_CHUNK)
                if not data:
                    return RecordScan(
                        good_end,
                        records,
                        f"incomplete gzip member at offset {good_end} ({member_bytes} bytes)",
                    )
            problem = _record_problem(head, total)
            if problem:
                return RecordScan(good_end, records, f"{problem} at offset {good_end}")
            if on_record is not None:
                on_record(good_end, member_bytes)
            good_end += member_bytes
            records += 1


def _record_problem(head: bytes, total: int) -> str:
    """Why a decompressed gzip member is not one complete WARC record ("" if it is). Blank
    lines before the record and a missing final CRLF pair are tolerated (seen in the wild)."""
    lead = len(head) - len(head.lstrip(b"\r\n"))
    header_end = head.find(b"\r\n\r\n", lead)
    if not head.startswith(b"WARC/", lead) or header_end < 0:
        return "gzip member without a WARC record"
    length = _content_length(head[lead:header_end])
    if length is None or not header_end + 4 + length <= total <= header_end + 4 + length + 4:
        return "WARC record with a wrong Content-Length or missing end"
    return ""


def _content_length(header: bytes) -> int | None:
    for line in header.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length" and value.strip().isdigit():
            return int(value.strip())
    return None
