"""Feeds as plain values: parse a captured feed with feedparser and turn each entry into the
JSON-able dict that the feed collector stores in an entry page's metadata record and the feed
extractor reads back. Keeping that shape in one module is what lets the collector and the
extractor agree on it."""

from __future__ import annotations

import calendar
import hashlib
import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urldefrag

import feedparser

_HTML_TYPES = ("text/html", "application/xhtml+xml")
MAX_CONTENT_CHARS = 200_000
"""Longest entry content kept in a metadata record; the feed capture itself has all of it."""


@dataclass(frozen=True)
class ParsedFeed:
    is_feed: bool
    """feedparser recognised a feed format (or found entries)."""
    title: str
    entries: list[dict[str, Any]]
    next_url: str | None
    """RFC 5005 rel="next" link: the next (older) page of a paged feed."""
    problem: str
    """Why the feed is malformed ('' if it is not): feedparser's bozo exception."""


def parse_feed(body: bytes, url: str, headers: list[tuple[str, str]]) -> ParsedFeed:
    """Parse a captured feed. ``headers`` (the HTTP response headers) give feedparser the
    declared encoding and the base URL for relative links."""
    wanted = {"content-type", "content-location", "content-language", "etag", "last-modified"}
    response_headers = {k.lower(): v for k, v in headers if k.lower() in wanted}
    response_headers.setdefault("content-location", url)
    # feedparser reads the base URL from content-location; the final URL is the honest default
    try:
        parsed = feedparser.parse(
            body, response_headers=response_headers, resolve_relative_uris=True, sanitize_html=True
        )
    except (ValueError, TypeError, LookupError, RecursionError) as exc:
        # feedparser's own parsers can raise on hostile bytes (e.g. an out-of-range character
        # reference); the capture stays archived, it just reads as no feed
        parsed = feedparser.FeedParserDict(bozo=True, bozo_exception=exc, feed={}, entries=[])
    problem = ""
    if parsed.get("bozo"):
        exception = parsed.get("bozo_exception")
        problem = (
            f"{exception.__class__.__name__}: {exception}"
            if exception
            else "feedparser marked it ill-formed"
        )
    feed = parsed.get("feed", {})
    next_url = next(
        (
            link.get("href")
            for link in feed.get("links", [])
            if link.get("rel") == "next" and link.get("href")
        ),
        None,
    )
    entries = [entry_fields(entry) for entry in parsed.get("entries", [])]
    return ParsedFeed(
        bool(parsed.get("version")) or bool(entries),
        str(feed.get("title", "")),
        entries,
        next_url,
        problem,
    )


def entry_fields(entry: Any) -> dict[str, Any]:
    """One feedparser entry as a dict of plain values (dates as ISO 8601 UTC strings)."""
    content = entry.get("content") or []
    body = "".join(part.get("value", "") for part in content if isinstance(part, dict))
    author_detail = entry.get("author_detail") or {}
    fields: dict[str, Any] = {
        "id": str(entry.get("id") or ""),
        "link": str(entry.get("link") or ""),
        "title": str(entry.get("title") or ""),
        # feedparser hands over a title it read as HTML still escaped; the extractor reads it
        "title_is_html": (entry.get("title_detail") or {}).get("type") in _HTML_TYPES,
        "author": str(entry.get("author") or author_detail.get("name") or ""),
        "author_url": str(author_detail.get("href") or ""),
        # dict.get: feedparser's own .get maps a missing updated_parsed onto published_parsed
        "published": _iso(dict.get(entry, "published_parsed")),
        "updated": _iso(dict.get(entry, "updated_parsed")),
        "tags": [
            str(tag.get("term") or tag.get("label"))
            for tag in entry.get("tags") or []
            if tag.get("term") or tag.get("label")
        ],
        "summary": str(entry.get("summary") or "")[:MAX_CONTENT_CHARS],
        "content": body[:MAX_CONTENT_CHARS],
        "comments_url": str(entry.get("comments") or ""),
        "images": [
            str(e.get("href"))
            for e in entry.get("enclosures") or []
            if str(e.get("type", "")).startswith("image/") and e.get("href")
        ],
    }
    fields["native_id"] = native_id(fields)
    return fields


def native_id(fields: dict[str, Any]) -> str:
    """The entry's stable id: its guid/id, else its permalink without fragment, else a hash."""
    if fields.get("id"):
        return str(fields["id"])
    if fields.get("link"):
        return urldefrag(str(fields["link"]))[0]
    basis = json.dumps(
        [fields.get("title"), fields.get("published"), fields.get("summary")], ensure_ascii=False
    )
    return "sha1:" + hashlib.sha1(basis.encode("utf-8")).hexdigest()


def fingerprint(fields: dict[str, Any]) -> str:
    """Changes whenever anything a reader would see in the entry changes (an edit)."""
    seen = [
        fields.get(key)
        for key in ("title", "link", "author", "published", "updated", "tags", "summary", "content")
    ]
    return hashlib.sha1(
        json.dumps(seen, ensure_ascii=False, sort_keys=True).encode("utf-8")
    ).hexdigest()[:20]


def parse_iso(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _iso(value: time.struct_time | None) -> str:
    if not value:
        return ""
    try:
        return datetime.fromtimestamp(calendar.timegm(value), UTC).isoformat()
    except (OverflowError, ValueError, OSError):
        return ""
