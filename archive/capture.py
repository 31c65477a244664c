"""What a collector hands the writer: one HTTP exchange as it went over the wire, and the
context of the capture (which source, platform and collector, and what the response is). These
are plain values; the writer turns them into WARC records and never asks the collector for more."""

from __future__ import annotations

import json
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
        "media",
        "page_asset",
        "archive_zip",
        "archive_part",
    }
)


@dataclass(frozen=True)
class CaptureMetadata:
    """Context of one capture, written as the body of a `metadata` record concurrent to the
    response (or resource) so the indexer needs nothing outside the WARC to interpret it: as
    ``application/warc-fields`` lines (see ``context_to_warc_fields``); WARCs written before
    issue 23 hold the same dict as ``application/json``."""

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


WARC_FIELDS_TYPE = "application/warc-fields"
_JSON_START = ('"', "{", "[")


def context_to_warc_fields(context: dict[str, Any]) -> bytes:
    """The capture context as ``application/warc-fields`` (``name: value`` lines, CRLF, UTF-8):
    the type replay tools (cdxj-indexer, pywb) leave out of their index, as they do Heritrix's
    and Browsertrix's metadata records, so a replay never answers with the context instead of
    the capture. A plain one-line string is written as it is; ``None`` is left out; anything
    else (numbers, ``extra``, a string that would not survive as a field value) is JSON, so the
    dict reads back exactly (``context_from_warc_fields``)."""
    lines = []
    for name, value in context.items():
        if value is None:
            continue
        text = value if _plain(value) else json.dumps(value, ensure_ascii=False, sort_keys=True)
        lines.append(f"{name}: {text}\r\n")
    return "".join(lines).encode("utf-8")


def context_from_warc_fields(block: bytes) -> dict[str, Any]:
    """The dict ``context_to_warc_fields`` wrote (``run_id`` None and ``extra`` {} when absent)."""
    context: dict[str, Any] = {"run_id": None, "extra": {}}
    for line in block.decode("utf-8").splitlines():
        name, sep, text = line.partition(":")
        if not sep or not name.strip():
            continue
        text = text.strip()
        context[name.strip()] = (
            json.loads(text) if text.startswith(_JSON_START) or name.strip() == "run_id" else text
        )
    return context


def _plain(value: Any) -> bool:
    return (
        isinstance(value, str)
        and value == value.strip()
        and not value.startswith(_JSON_START)
        and value.isprintable()
    )
