"""Builds the WARC records of one capture with warcio: request + response (or revisit) +
metadata for an HTTP exchange, resource + metadata for a file, and the warcinfo that opens each
file. A record carries a WARC-Payload-Digest only where it has an HTTP payload (response,
request): metadata and resource records have their WARC-Block-Digest, and a revisit names its
original by WARC-Refers-To, -Target-URI and -Date (what FastWARC and pywb expect; see
``NO_PAYLOAD_DIGEST_TYPES``). It decides what bytes go in (redacted request, response headers in their received order and
case, body with its content coding) and computes the payload digest before anything is written,
so the writer can choose between a response and a revisit. Configured secrets a server echoes
(in a header, a status line or the body) are replaced by markers before anything is hashed, so
every digest describes the bytes stored, and the record says which secrets were replaced."""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import tempfile
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import IO, BinaryIO
from urllib.parse import urlsplit

from warcio.recordbuilder import RecordBuilder
from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeaders

from archive.capture import WARC_FIELDS_TYPE, CaptureMetadata, HttpExchange, context_to_warc_fields
from archive.redact import redact_form_body, redact_headers, redact_json_value
from foundation.scrub import BytesScrubber, scrub_json, scrub_text

WARC_VERSION = "WARC/1.1"
REVISIT_PROFILE = RecordBuilder.REVISIT_PROFILE_1_1
SPOOL_IN_MEMORY = 8 * 1024 * 1024
_COPY_CHUNK = 1024 * 1024

NO_PAYLOAD_DIGEST_TYPES = ("warcinfo", "revisit", "metadata", "resource")
"""Record types written without WARC-Payload-Digest. WARC 1.1 §5.9 defines the payload digest for
records with a well-defined payload (an HTTP body); FastWARC's ``check -p`` fails a metadata or
resource record that carries one, and a revisit, whose block has no payload: it reads an empty
payload and finds a different digest. (WARC 1.1 §6.7.2 asks identical-payload-digest revisits
for the original's payload digest; FastWARC and the issue won, and the revisit still names its
original by WARC-Refers-To, WARC-Refers-To-Target-URI and WARC-Refers-To-Date, which is how
pywb finds it.)"""


class _Builder(RecordBuilder):  # type: ignore[misc]  # warcio is untyped (Any)
    NO_PAYLOAD_DIGEST_TYPES = NO_PAYLOAD_DIGEST_TYPES


class WireHeaders(StatusAndHeaders):  # type: ignore[misc]  # warcio is untyped (Any)
    """HTTP headers serialised exactly as given: warcio would %-encode non-ASCII values, which
    changes bytes that came over the wire; latin-1 round-trips what HTTP clients decoded."""

    def compute_headers_buffer(self, header_filter: object = None) -> None:
        lines = [f"{self.protocol} {self.statusline}".strip()]
        lines += [f"{name}: {value}" for name, value in self.headers]
        text = "\r\n".join(lines) + "\r\n\r\n"
        try:
            self.headers_buff = text.encode("latin-1")
        except UnicodeEncodeError:
            self.headers_buff = text.encode("utf-8")


REDACTED_HEADER = "WARC-Archiveren-Redacted"
"""Names the environment variables whose secret values were replaced in a record's block
(``[REDACTED:VARIABLE]``), so a reader knows the bytes differ from what came over the wire."""


@dataclass
class SpooledPayload:
    """A payload with its length and WARC-style sha1 digest, readable from the start; configured
    secrets in it are already replaced (``redacted`` names their variables)."""

    stream: IO[bytes]
    length: int
    digest: str
    redacted: frozenset[str] = frozenset()


def spool_payload(data: bytes | BinaryIO, content_encoding: str = "") -> SpooledPayload:
    """Scrub configured secrets from the payload and hash it while keeping it readable once
    more; streams larger than 8 MiB spill to a temporary file so memory stays bounded. A body
    sent gzip- or deflate-encoded is looked into as well: a server may echo a token inside it."""
    scrubber = BytesScrubber()
    sha1 = hashlib.sha1()
    if scrubber.active and content_encoding and not isinstance(data, bytes | bytearray):
        data = data.read()  # bounded by the fetcher's max_response_bytes: it is looked into
    if isinstance(data, bytes | bytearray | memoryview):
        scrubbed = scrubber.scrub(_scrubbed_inside(bytes(data), content_encoding, scrubber))
        sha1.update(scrubbed)
        return SpooledPayload(
            io.BytesIO(scrubbed), len(scrubbed), _warc_digest(sha1), frozenset(scrubber.found)
        )
    spool: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)
    length = 0
    for chunk in scrubber.chunks(iter(lambda: data.read(_COPY_CHUNK), b"")):
        sha1.update(chunk)
        spool.write(chunk)
        length += len(chunk)
    spool.seek(0)
    return SpooledPayload(spool, length, _warc_digest(sha1), frozenset(scrubber.found))


ENCODED_SCRUB_LIMIT = 64 * 1024 * 1024
"""How far a compressed body is unpacked to look for echoed secrets (a gzip bomb stops here)."""


def _scrubbed_inside(body: bytes, content_encoding: str, scrubber: BytesScrubber) -> bytes:
    """``body`` itself, or, when its encoding hides a configured secret, the decoded body
    scrubbed and encoded again the same way (``scrubber.found`` names what was replaced)."""
    coding = content_encoding.strip().lower()
    if not scrubber.active or coding not in ("gzip", "x-gzip", "deflate"):
        return body
    wbits = 16 + zlib.MAX_WBITS if coding in ("gzip", "x-gzip") else zlib.MAX_WBITS
    try:
        unpacker = zlib.decompressobj(wbits)
        decoded = unpacker.decompress(body, ENCODED_SCRUB_LIMIT)
    except zlib.error:
        try:  # deflate as many servers send it: raw, without the zlib wrapper
            unpacker = zlib.decompressobj(-zlib.MAX_WBITS)
            decoded = unpacker.decompress(body, ENCODED_SCRUB_LIMIT)
        except zlib.error:
            return body
    scrubbed = scrubber.scrub(decoded)
    if scrubbed == decoded:
        return body
    if coding in ("gzip", "x-gzip"):
        return gzip.compress(scrubbed, mtime=0)
    return zlib.compress(scrubbed)


def scrub_headers(headers: list[tuple[str, str]], found: set[str]) -> list[tuple[str, str]]:
    """Header values with configured secrets replaced; adds the variables replaced to ``found``."""
    return [(name, scrub_text(value, found)) for name, value in headers]


def _with_content_length(headers: list[tuple[str, str]], length: int) -> list[tuple[str, str]]:
    return [(n, str(length)) if n.lower() == "content-length" else (n, v) for n, v in headers]


def warc_date(when: datetime | None = None) -> str:
    when = (when or datetime.now(UTC)).astimezone(UTC)
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond:06d}Z"


def new_record_id() -> str:
    return str(RecordBuilder._make_warc_id())


def response_wire_headers(exchange: HttpExchange) -> list[tuple[str, str]]:
    """Response headers as received, except that a Transfer-Encoding header is renamed (in place)
    to X-Archive-Orig-Transfer-Encoding: the body we are given has its chunking removed, and a
    record must not claim a coding its block does not have, or readers would try to de-chunk it."""
    return [
        ("X-Archive-Orig-" + name, value) if name.lower() == "transfer-encoding" else (name, value)
        for name, value in exchange.response_headers
    ]


class CaptureRecords:
    """Record factory for one writer; holds the warcio builder (WARC/1.1, sha1 digests)."""

    def __init__(self) -> None:
        self.builder = _Builder(warc_version=WARC_VERSION)

    def warcinfo(self, filename: str, info: dict[str, str]) -> ArcWarcRecord:
        return self.builder.create_warcinfo_record(filename, info)

    def request(
        self, exchange: HttpExchange, target_uri: str, date: str, concurrent_to: str
    ) -> ArcWarcRecord:
        parts = urlsplit(target_uri)
        request_target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        found: set[str] = set()
        headers = scrub_headers(redact_headers(exchange.request_headers), found)
        content_type = next((v for n, v in headers if n.lower() == "content-type"), "")
        scrubber = BytesScrubber()
        body = scrubber.scrub(redact_form_body(exchange.request_body, content_type))
        found |= scrubber.found
        if body != exchange.request_body:
            headers = _with_content_length(headers, len(body))
        http = WireHeaders(
            f"{exchange.method} {request_target} {exchange.http_version}",
            headers,
            is_http_request=True,
        )
        warc_headers = {"WARC-Date": date, "WARC-Concurrent-To": concurrent_to}
        if exchange.remote_ip:
            warc_headers["WARC-IP-Address"] = exchange.remote_ip
        _mark_redacted(warc_headers, found)
        return self._record(target_uri, "request", io.BytesIO(body), len(body), http, warc_headers)

    def response(
        self,
        exchange: HttpExchange,
        target_uri: str,
        date: str,
        record_id: str,
        payload: SpooledPayload,
    ) -> ArcWarcRecord:
        headers = self._common_headers(exchange, date, record_id)
        headers["WARC-Payload-Digest"] = payload.digest
        if exchange.truncated:
            headers["WARC-Truncated"] = exchange.truncated
        found = set(payload.redacted)
        status = self._status(exchange, found, payload.length if payload.redacted else None)
        _mark_redacted(headers, found)
        return self._record(target_uri, "response", payload.stream, payload.length, status, headers)

    def revisit(
        self,
        exchange: HttpExchange,
        target_uri: str,
        date: str,
        record_id: str,
        original: tuple[str, str, str],
    ) -> ArcWarcRecord:
        """A revisit (identical-payload-digest profile) carrying only the new HTTP headers;
        ``original`` is (record id, target uri, date) of the capture holding the payload."""
        orig_id, orig_uri, orig_date = original
        headers = self._common_headers(exchange, date, record_id)
        headers.update(
            {
                "WARC-Profile": REVISIT_PROFILE,
                "WARC-Refers-To": orig_id,
                "WARC-Refers-To-Target-URI": orig_uri,
                "WARC-Refers-To-Date": orig_date,
            }
        )
        found: set[str] = set()
        status = self._status(exchange, found)
        _mark_redacted(headers, found)
        return self._record(target_uri, "revisit", io.BytesIO(b""), 0, status, headers)

    def resource(
        self, uri: str, content_type: str, date: str, record_id: str, payload: SpooledPayload
    ) -> ArcWarcRecord:
        headers = {"WARC-Date": date, "WARC-Record-ID": record_id}
        _mark_redacted(headers, set(payload.redacted))
        record = self._record(uri, "resource", payload.stream, payload.length, None, headers)
        record.content_type = content_type
        return record

    def metadata(
        self, target_uri: str, date: str, concurrent_to: str, metadata: CaptureMetadata
    ) -> ArcWarcRecord:
        """The capture context as ``application/warc-fields`` (see ``context_to_warc_fields``)."""
        body = context_to_warc_fields(scrub_json(redact_json_value(metadata.to_json_dict())))
        record = self._record(
            target_uri,
            "metadata",
            io.BytesIO(body),
            len(body),
            None,
            {"WARC-Date": date, "WARC-Concurrent-To": concurrent_to},
        )
        record.content_type = WARC_FIELDS_TYPE
        return record

    @staticmethod
    def _common_headers(exchange: HttpExchange, date: str, record_id: str) -> dict[str, str]:
        headers = {"WARC-Date": date, "WARC-Record-ID": record_id}
        if exchange.remote_ip:
            headers["WARC-IP-Address"] = exchange.remote_ip
        return headers

    @staticmethod
    def _status(
        exchange: HttpExchange, found: set[str], new_length: int | None = None
    ) -> WireHeaders:
        """The response's status line and headers, secrets scrubbed (into ``found``), and
        Content-Length set to ``new_length`` when the scrubbed body's length changed."""
        headers = scrub_headers(response_wire_headers(exchange), found)
        if new_length is not None:
            headers = _with_content_length(headers, new_length)
        return WireHeaders(
            scrub_text(f"{exchange.status} {exchange.reason}".strip(), found),
            headers,
            protocol=exchange.http_version,
        )

    def _record(
        self,
        uri: str,
        rec_type: str,
        stream: IO[bytes],
        length: int,
        http: StatusAndHeaders | None,
        headers: dict[str, str],
    ) -> ArcWarcRecord:
        return self.builder.create_warc_record(
            uri,
            rec_type,
            payload=stream,
            length=length,
            warc_headers_dict=headers,
            http_headers=http,
        )


def _mark_redacted(warc_headers: dict[str, str], found: set[str]) -> None:
    if found:
        warc_headers[REDACTED_HEADER] = ", ".join(sorted(found))


def _warc_digest(sha1: hashlib._Hash) -> str:
    return "sha1:" + base64.b32encode(sha1.digest()).decode("ascii")
