"""Response bodies: kept as received for the archive, decoded for the collector.

The archive must get the bytes as they came over the wire (content-encoding kept), in constant
memory whatever their size, so they go to a spooled temporary file. The collector wants the
decoded content; decoding tolerates a truncated or corrupt gzip stream (it keeps what decoded
and says what went wrong) and is capped, so a decompression bomb cannot fill memory.
"""

from __future__ import annotations

import tempfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import BinaryIO, cast

SPOOL_IN_MEMORY = 1024 * 1024
"""Bodies up to this size stay in memory; larger ones spill to a temporary file."""

_CHUNK = 64 * 1024


@dataclass
class RawBody:
    """The wire bytes of one response body, possibly cut off at the size cap."""

    file: BinaryIO
    size: int
    truncated: bool

    def read_all(self, limit: int) -> bytes:
        self.file.seek(0)
        data = self.file.read(limit)
        self.file.seek(0)
        return data

    def close(self) -> None:
        self.file.close()


def spool_body(chunks: Iterable[bytes], max_bytes: int) -> RawBody:
    """Copy ``chunks`` to a spooled file, stopping after ``max_bytes`` (then ``truncated``)."""
    # returned to the caller inside RawBody, who closes it
    spool = cast(BinaryIO, tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY))
    size = 0
    truncated = False
    for chunk in chunks:
        room = max_bytes - size
        if len(chunk) > room:
            spool.write(chunk[:room])
            size += room
            truncated = True
            break
        spool.write(chunk)
        size += len(chunk)
    spool.seek(0)
    return RawBody(spool, size, truncated)


def decode_content(body: RawBody, content_encoding: str, limit: int) -> tuple[bytes, str]:
    """The body with its content-encoding removed, at most ``limit`` bytes, and an error text
    ('' if it decoded cleanly). Unknown encodings are returned as received, with an error."""
    codings = [
        c.strip().lower()
        for c in content_encoding.split(",")
        if c.strip() and c.strip().lower() != "identity"
    ]
    data = body.read_all(limit if not codings else body.size)
    error = ""
    # codings are listed in the order applied, so they come off in reverse
    for coding in reversed(codings):
        if coding in ("gzip", "x-gzip"):
            data, error = _inflate(data, 16 + zlib.MAX_WBITS, limit)
        elif coding == "deflate":
            decoded, error = _inflate(data, zlib.MAX_WBITS, limit)
            # some servers send raw deflate without the zlib header
            data, error = (decoded, error) if not error else _inflate(data, -zlib.MAX_WBITS, limit)
        elif coding == "br":
            data, error = _unbrotli(data, limit)
        else:
            return data[:limit], f"unknown content-encoding {coding!r}; body kept as received"
        if error:
            break
    return data[:limit], error


def _inflate(data: bytes, wbits: int, limit: int) -> tuple[bytes, str]:
    decoder = zlib.decompressobj(wbits)
    try:
        out = decoder.decompress(data, limit)
    except zlib.error as exc:
        return b"", f"content could not be decompressed: {exc}"
    if len(out) >= limit and (decoder.unconsumed_tail or not decoder.eof):
        return out, f"decompressed content exceeds {limit} bytes; cut off"
    if not decoder.eof:
        return out, f"compressed stream is truncated (decoded {len(out)} bytes before it ended)"
    return out, ""


def _unbrotli(data: bytes, limit: int) -> tuple[bytes, str]:
    try:
        import brotli
    except ImportError:
        return data, "content is brotli-compressed and the brotli module is not installed"
    try:
        return brotli.decompress(data)[:limit], ""
    except brotli.error as exc:
        return b"", f"brotli content could not be decompressed: {exc}"
