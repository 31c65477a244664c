"""What a collector hands the writer: one HTTP exchange as it went over the wire, and the
context of the capture (which source, platform and collector, and what the response is). These
are plain values; the writer turns them into WARC records and never asks the collector for more."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, BinaryIO

CAPTURE_KINDS = frozenset(
    {
        "feed",
        "entry_page",
        "api_page",
        "thread_page",
        "page",
        "robots",
        "image",
        "archive_zip",
        "archive_part",
    }
)


@dataclass(frozen=True)
class CaptureMetadata:
    """Context of one capture, written as the JSON body of a `metadata` record concurrent to the
    response (or resource) so the indexer needs nothing outside the WARC to interpret it."""

    source: str
    platform: str
    collector: str
    collector_version: str
    capture_kind: str
    run_id: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "platform": self.platform,
            "collector": self.collector,
            "collector_version": self.collector_version,
            "capture_kind": self.capture_kind,
            "run_id": self.run_id,
            "extra": self.extra,
        }


@dataclass(kw_only=True)
class HttpExchange:
    """One HTTP request and its response (keyword arguments only). Headers are lists in the order
    sent/received with their original case; ``body`` has chunked transfer coding removed but keeps
    any content coding (a gzipped response stays gzipped). ``truncated`` is "length" or "time"
    when the fetcher cut the body short; it becomes WARC-Truncated."""

    url: str
    method: str = "GET"
    request_headers: list[tuple[str, str]] = field(default_factory=list)
    request_body: bytes = b""
    http_version: str = "HTTP/1.1"
    status: int
    reason: str
    response_headers: list[tuple[str, str]]
    body: bytes | BinaryIO
    remote_ip: str | None = None
    truncated: str | None = None
