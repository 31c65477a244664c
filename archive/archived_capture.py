"""Reading a Post's capture back from its WARC through the RecordPointer: the archived HTTP
response (status, headers, payload with content coding removed) and the capture's context from
the ``metadata`` record the writer puts beside it (source, collector and version, run). The
record view shows the context; replay serves the payload. Reads are bounded: a pointer comes
from the index, so the file name is confined to the archive directory and at most a few records
after the response are examined."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from archive.capture import context_from_warc_fields
from archive.naming import resolve_inside
from archive.store import open_warc, warc_exists
from foundation.errors import ArchiveError
from foundation.pointer import RecordPointer

MAX_PAYLOAD_BYTES = 20 * 1024 * 1024
RECORDS_AFTER = 4
"""A capture group is response (or revisit), request, metadata: the metadata record is near."""


@dataclass
class ArchivedCapture:
    record_type: str
    status: str = ""
    headers: list[tuple[str, str]] = field(default_factory=list)
    payload: bytes = b""
    truncated: bool = False
    context: dict[str, Any] = field(default_factory=dict)

    def header(self, name: str) -> str:
        wanted = name.lower()
        return next((value for key, value in self.headers if key.lower() == wanted), "")


def read_capture(
    archive_dir: Path, pointer: RecordPointer, *, with_payload: bool = True
) -> ArchivedCapture:
    """The record the pointer names, with the context of its concurrent metadata record."""
    path = resolve_inside(archive_dir, pointer.warc_file)
    if not warc_exists(path):
        raise ArchiveError(
            f"WARC file {pointer.warc_file} is not in {archive_dir}; check the archive directory or run `archiveren verify`"
        )
    try:
        with open_warc(path) as handle:
            handle.seek(pointer.offset)
            records = ArchiveIterator(handle)
            first = next(records, None)
            if (
                first is None
                or pointer.record_id
                and first.rec_headers.get_header("WARC-Record-ID") != pointer.record_id
            ):
                raise ArchiveError(
                    f"no record {pointer.record_id} at offset {pointer.offset} of {pointer.warc_file}; the index may be stale, run `archiveren index --rebuild`"
                )
            capture = ArchivedCapture(record_type=first.rec_type)
            if first.http_headers is not None:
                capture.status = first.http_headers.get_statuscode() or ""
                capture.headers = list(first.http_headers.headers)
            if with_payload:
                stream = first.content_stream()
                capture.payload = stream.read(MAX_PAYLOAD_BYTES + 1)
                capture.truncated = len(capture.payload) > MAX_PAYLOAD_BYTES
                capture.payload = capture.payload[:MAX_PAYLOAD_BYTES]
            for _, record in zip(range(RECORDS_AFTER), records, strict=False):
                if not pointer.record_id:
                    break
                if (
                    record.rec_type == "metadata"
                    and record.rec_headers.get_header("WARC-Concurrent-To") == pointer.record_id
                ):
                    capture.context = _json(record.content_stream().read(1024 * 1024))
                    break
            return capture
    except (ArchiveLoadFailed, OSError, ValueError) as exc:
        raise ArchiveError(
            f"cannot read {pointer.warc_file} at offset {pointer.offset}: {exc}; run `archiveren verify` to check the file"
        ) from None


def _json(data: bytes) -> dict[str, Any]:
    """The capture context: application/warc-fields lines since issue 23, JSON before."""
    try:
        value = json.loads(data)
    except ValueError:
        try:
            fields = context_from_warc_fields(data)
        except ValueError:
            return {}
        return fields if "collector" in fields else {}
    return value if isinstance(value, dict) else {}
