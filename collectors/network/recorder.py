"""The downloader middleware that writes every exchange to the WARC as it came over the wire.

It sits nearest the downloader (priority ``RECORDER_PRIORITY``, above HttpCompression's 590,
Redirect's 600 and Retry's 550), so its ``process_response`` sees each response before it is
decompressed, followed or retried: a gzipped body is archived gzipped, every redirect hop and
every failed attempt is its own capture, and robots.txt (fetched through the same downloader)
is archived as a ``robots`` capture. Where the response (or revisit) record went is left in the
request's meta (``CAPTURE_META``), for the spider to cite a page's capture. Its
``process_request`` runs last, so the headers recorded are those Scrapy sends. Scrapy keeps no
reason phrase and folds header case; the standard phrase and Scrapy's header order and spelling
are the best that can be recorded.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import Headers, Response

from archive import CaptureMetadata, HttpExchange, WarcWriter

RECORDER_PRIORITY = 950
CAPTURE_META = "archiveren_capture"
"""The request meta key under which the recorder leaves the RecordPointer of its capture."""


@dataclass
class Recording:
    """What the recorder writes with: the process's writer, how to describe a capture (its
    metadata record), and the counts it adds to."""

    writer: WarcWriter
    describe: Callable[[Request, Response], CaptureMetadata]
    counts: Counter[str] = field(default_factory=Counter)


class WarcRecorderMiddleware:
    """Writes request + response (or revisit) + metadata for every downloaded response."""

    def __init__(self, recording: Recording) -> None:
        self.writer = recording.writer
        self.describe = recording.describe
        self.counts = recording.counts

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcRecorderMiddleware:
        # the spider is created before the middlewares, and carries the run's writer and counts
        recording = getattr(crawler.spider, "recording", None)
        if not isinstance(recording, Recording):
            raise TypeError(
                f"{cls.__name__} needs a spider with a 'recording' (a Recording), got {crawler.spider!r}"
            )
        return cls(recording)

    def process_response(self, request: Request, response: Response) -> Response:
        exchange = HttpExchange(
            url=response.url,
            method=request.method,
            request_headers=request_headers(request),
            request_body=request.body or b"",
            http_version=_protocol(response),
            status=response.status,
            reason=_reason(response.status),
            response_headers=header_list(response.headers),
            body=response.body,
            remote_ip=str(response.ip_address) if response.ip_address is not None else None,
            truncated="disconnect" if "dataloss" in response.flags else None,
        )
        result = self.writer.write_exchange(exchange, self.describe(request, response))
        request.meta[CAPTURE_META] = result.pointer
        self.counts["requests"] += 1
        self.counts["bytes"] += len(response.body)
        if response.status == 304:
            self.counts["not_modified"] += 1
        elif result.revisit:
            self.counts["revisits"] += 1
        else:
            self.counts["captures"] += 1
        if exchange.truncated:
            self.counts["truncated"] += 1
        return response


def request_headers(request: Request) -> list[tuple[str, str]]:
    """The request's headers as sent: Host first (Twisted's agent adds it), then Scrapy's."""
    parts = urlsplit(request.url)
    host = parts.hostname or ""
    if parts.port and parts.port != {"http": 80, "https": 443}.get(parts.scheme):
        host = f"{host}:{parts.port}"
    headers = header_list(request.headers)
    if not any(name.lower() == "host" for name, _ in headers):
        headers.insert(0, ("Host", host))
    return headers


def header_list(headers: Headers) -> list[tuple[str, str]]:
    result = []
    for name, values in headers.items():
        key = _text(name)
        for value in values:
            result.append((key, _text(value)))
    return result


def _text(value: Any) -> str:
    # header bytes are ISO-8859-1 on the wire (RFC 9110); latin-1 maps every byte back one to one
    return value.decode("latin-1") if isinstance(value, bytes) else str(value)


def _protocol(response: Response) -> str:
    protocol = getattr(response, "protocol", None) or "HTTP/1.1"
    return protocol if protocol.startswith("HTTP/") else "HTTP/1.1"


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""
