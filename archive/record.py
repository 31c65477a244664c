"""ArchivedRecord, the value the reader hands out: a WARC record's headers, its parsed HTTP
head, its pointer, and its payload on demand (as stored, or with its content coding undone and
bounded in size). Large blocks are not held; they are read back through the pointer when asked
for, which keeps iteration in constant memory."""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from archive.capture import WARC_FIELDS_TYPE, context_from_warc_fields
from foundation.errors import ArchiveError
from foundation.pointer import RecordPointer

DEFAULT_MAX_PAYLOAD = 64 * 1024 * 1024
_HTTP_TYPES = ("response", "request", "revisit")
_FEED = 16 * 1024


class RecordReadError(ArchiveError):
    """A WARC record could not be read: the message names the file, offset and what to do."""


def parse_http_head(block: bytes) -> tuple[str, list[tuple[str, str]], int] | None:
    """(status or request line, headers in order and original case, head length in bytes) of
    an HTTP message at the start of ``block``, or None if it does not start with one."""
    end = block.find(b"\r\n\r\n")
    sep = 4
    if end < 0:
        end, sep = block.find(b"\n\n"), 2
        if end < 0:
            return None
    lines = block[:end].decode("latin-1").replace("\r\n", "\n").split("\n")
    first = lines[0]
    if not (first.startswith("HTTP/") or " HTTP/" in first):
        return None
    headers: list[tuple[str, str]] = []
    for line in lines[1:]:
        if line[:1] in (" ", "\t") and headers:  # obsolete line folding
            name, value = headers[-1]
            headers[-1] = (name, value + " " + line.strip())
        elif ":" in line:
            name, _, value = line.partition(":")
            headers.append((name.strip(), value.strip()))
    return first, headers, end + sep


@dataclass
class ArchivedRecord:
    """One record as read from a WARC (or ARC) file."""

    pointer: RecordPointer
    rec_type: str
    warc_headers: list[tuple[str, str]]
    http_status: int | None
    http_headers: list[tuple[str, str]] | None
    concurrent_to: str | None
    refers_to: str | None
    refers_to_target_uri: str | None = None
    refers_to_date: str | None = None
    block_head: bytes = field(default=b"", repr=False)
    block_complete: bool = True
    http_head_length: int = 0
    reload_block: Callable[[RecordPointer], bytes] | None = field(default=None, repr=False)

    @classmethod
    def build(
        cls,
        *,
        name: str,
        offset: int,
        warc_headers: list[tuple[str, str]],
        block_head: bytes,
        block_complete: bool,
        reload_block: Callable[[RecordPointer], bytes] | None = None,
    ) -> ArchivedRecord:
        get = _getter(warc_headers)
        rec_type = (get("WARC-Type") or "").lower()
        status, http_headers, head_length = None, None, 0
        if rec_type in _HTTP_TYPES and "application/http" in (get("Content-Type") or "http"):
            parsed = parse_http_head(block_head)
            if parsed is not None:
                first, http_headers, head_length = parsed
                if first.startswith("HTTP/"):
                    code = first.split(" ", 2)[1:2]
                    status = int(code[0]) if code and code[0].isdigit() else None
        pointer = RecordPointer(
            warc_file=name,
            offset=offset,
            length=0,
            record_id=get("WARC-Record-ID") or "",
            target_uri=(get("WARC-Target-URI") or "").strip("<>"),
            payload_digest=get("WARC-Payload-Digest") or "",
            capture_date=get("WARC-Date") or "",
        )
        return cls(
            pointer=pointer,
            rec_type=rec_type,
            warc_headers=warc_headers,
            http_status=status,
            http_headers=http_headers,
            concurrent_to=get("WARC-Concurrent-To"),
            refers_to=get("WARC-Refers-To"),
            refers_to_target_uri=get("WARC-Refers-To-Target-URI"),
            refers_to_date=get("WARC-Refers-To-Date"),
            block_head=block_head,
            block_complete=block_complete,
            http_head_length=head_length,
            reload_block=reload_block,
        )

    def with_length(self, length: int) -> ArchivedRecord:
        return replace(self, pointer=self.pointer.model_copy(update={"length": length}))

    def warc_header(self, name: str) -> str | None:
        return _getter(self.warc_headers)(name)

    def http_header(self, name: str) -> str | None:
        return _getter(self.http_headers or [])(name)

    def block(self) -> bytes:
        """The whole record block (HTTP head + payload for HTTP records)."""
        if self.block_complete:
            return self.block_head
        if self.reload_block is None:
            raise RecordReadError(f"{self.pointer.warc_file}@{self.pointer.offset}: block not kept")
        return self.reload_block(self.pointer)

    def raw_payload(self) -> bytes:
        """The payload as stored: HTTP body with any chunked transfer coding removed but its
        content coding kept (still gzipped if it came gzipped)."""
        body = self.block()[self.http_head_length :]
        if "chunked" in (self.http_header("Transfer-Encoding") or "").lower():
            return _dechunk(body)
        return body

    def payload(self, max_bytes: int = DEFAULT_MAX_PAYLOAD) -> bytes:
        """The payload with its content coding (gzip, deflate, br, zstd) undone, at most
        ``max_bytes`` bytes (longer payloads are cut there, to bound decompression)."""
        data = self.raw_payload()
        codings = [
            c.strip().lower()
            for c in (self.http_header("Content-Encoding") or "").split(",")
            if c.strip() and c.strip().lower() != "identity"
        ]
        for coding in reversed(codings):
            try:
                data = _decode(coding, data, max_bytes)
            except (zlib.error, ValueError, OSError, RuntimeError) as exc:
                raise RecordReadError(
                    f"{self.pointer.warc_file}@{self.pointer.offset}: cannot undo content "
                    f"coding {coding!r} ({exc}); use raw_payload() for the stored bytes"
                ) from exc
        return data[:max_bytes]

    def metadata_json(self) -> dict[str, Any] | None:
        """archiveren's capture context from a metadata record, as a dict, else None: written as
        ``application/warc-fields`` since issue 23, as ``application/json`` before. A warc-fields
        metadata record that is not archiveren's (Heritrix's ``via``/``outlink`` lines) gives
        None: it names no collector."""
        if self.rec_type != "metadata":
            return None
        content_type = (self.warc_header("Content-Type") or "").lower()
        try:
            if content_type.startswith(WARC_FIELDS_TYPE):
                fields = context_from_warc_fields(self.block())
                return fields if "collector" in fields else None
            if "json" not in content_type:
                return None
            value = json.loads(self.block())
        except ValueError as exc:
            raise RecordReadError(
                f"{self.pointer.warc_file}@{self.pointer.offset}: metadata record is not valid "
                f"{content_type or 'JSON'} ({exc})"
            ) from exc
        return value if isinstance(value, dict) else None


def _getter(headers: list[tuple[str, str]]) -> Callable[[str], str | None]:
    def get(name: str) -> str | None:
        lowered = name.lower()
        return next((v for n, v in headers if n.lower() == lowered), None)

    return get


def _dechunk(body: bytes) -> bytes:
    """Remove chunked transfer coding; bodies that are not really chunked (it happens in the
    wild) are returned as they are rather than mangled."""
    out = bytearray()
    pos = 0
    while True:
        line_end = body.find(b"\r\n", pos)
        if line_end < 0:
            return body
        size_text = body[pos:line_end].split(b";", 1)[0].strip()
        try:
            size = int(size_text, 16)
        except ValueError:
            return body
        if size == 0:
            return bytes(out)
        start = line_end + 2
        if start + size > len(body):
            return body
        out += body[start : start + size]
        pos = start + size + 2


def _decode(coding: str, data: bytes, limit: int) -> bytes:
    if coding in ("gzip", "x-gzip", "deflate"):
        wbits = 31 if coding != "deflate" else (15 if data[:1] == b"\x78" else -15)
        return zlib.decompressobj(wbits).decompress(data, limit)
    if coding == "br":
        import brotli  # optional: only needed for brotli-coded captures

        decompressor = brotli.Decompressor()
        out = bytearray()
        for start in range(0, len(data), _FEED):
            out += decompressor.decompress(data[start : start + _FEED])
            if len(out) >= limit:
                break
        return bytes(out[:limit])
    if coding == "zstd":
        from backports.zstd import ZstdDecompressor  # optional, as above

        return ZstdDecompressor().decompress(data, max_length=limit)
    raise ValueError(f"unsupported content coding {coding}")
