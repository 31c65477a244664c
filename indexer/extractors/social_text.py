"""Text helpers shared by the X, X-archive and Mastodon extractors: tweet-id timestamps,
API date formats, hashtags and mentions found in plain text, and Mastodon's status HTML turned
into the plain text a reader sees. Pure functions; nothing here knows about captures."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import lxml.html
import msgspec
from lxml import etree

from foundation.markup_safety import xml_safe

TWITTER_EPOCH_MS = 1288834974657
"""Snowflake ids (tweets since November 2010) carry their creation time in the top 42 bits."""

_HASHTAG = re.compile(r"(?:^|(?<=[^\w&/]))[#＃](\w*[^\W\d_]\w*)", re.UNICODE)
_MENTION = re.compile(r"(?:^|(?<=[^\w@/.]))[@＠](\w{1,50}(?:@[\w.-]+\.\w+)?)", re.UNICODE)
_UTF8_BOM = b"\xef\xbb\xbf"
_BLOCK_TAGS = frozenset({"p", "div", "blockquote", "li", "pre", "h1", "h2", "h3", "h4", "h5", "h6"})


def snowflake_time(native_id: str | int) -> datetime | None:
    """When an X id was minted, from its timestamp bits; None for pre-snowflake (small) ids."""
    try:
        value = int(native_id)
    except (TypeError, ValueError):
        return None
    if value < (1 << 32):
        return None
    return datetime.fromtimestamp(((value >> 22) + TWITTER_EPOCH_MS) / 1000, tz=UTC)


def parse_api_time(value: Any) -> datetime | None:
    """An API timestamp in UTC: ISO 8601 (API v2, Mastodon) or the v1.1 and archive format
    'Wed Oct 10 20:19:24 +0000 2018'. None when absent or unreadable."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    parsed: datetime | None
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        parsed = _parse_v1_time(text)
        if parsed is None:
            return None
    return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _parse_v1_time(text: str) -> datetime | None:
    try:
        return datetime.strptime(text, "%a %b %d %H:%M:%S %z %Y")
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None


def hashtags_in(text: str) -> list[str]:
    """Hashtags written in ``text``, lowercased, without '#', first occurrence order."""
    if "#" not in text and "＃" not in text:  # most texts: no need to run the pattern
        return []
    return unique(match.lower() for match in _HASHTAG.findall(text))


def mentions_in(text: str) -> list[str]:
    """@handles written in ``text`` (with '@'; a Mastodon '@user@host' stays whole)."""
    if "@" not in text and "＠" not in text:
        return []
    return unique(("@" + match for match in _MENTION.findall(text)), fold_case=True)


def unique(values: Iterable[str], *, fold_case: bool = False) -> list[str]:
    """Values without empties and repeats, first occurrence order. ``fold_case`` for handles:
    X and Mastodon treat '@Foo' and '@foo' as one account."""
    seen: set[str] = set()
    result: list[str] = []
    for value in values:
        key = value.lower() if fold_case else value
        if value and key not in seen:
            seen.add(key)
            result.append(value)
    return result


def html_to_text(html: str) -> str:
    """The text a reader sees in a Mastodon status: paragraphs separated by a blank line,
    <br> as a line break, links by their full text (Mastodon hides 'https://' and the tail of
    long URLs in 'invisible' spans; the whole URL is kept because it is what people search)."""
    if not html or not html.strip():
        return ""
    root = lxml.html.fragment_fromstring(xml_safe(html), create_parent="div")
    parts: list[str] = []
    _walk(root, parts)
    text = "".join(parts)
    lines = [" ".join(line.split()) for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _walk(element: etree._Element, parts: list[str]) -> None:
    tag = element.tag if isinstance(element.tag, str) else ""
    if tag == "br":
        parts.append("\n")
    elif tag in _BLOCK_TAGS:
        parts.append("\n\n")
    if element.text and tag not in ("script", "style"):
        parts.append(element.text)
    for child in element:
        _walk(child, parts)
        if child.tail:
            parts.append(child.tail)
    if tag in _BLOCK_TAGS:
        parts.append("\n\n")


def links_in_html(html: str) -> list[str]:
    """hrefs of ordinary links in status HTML: mention and hashtag links are left out (they
    are listed as mentions and hashtags)."""
    if not html or not html.strip():
        return []
    root = lxml.html.fragment_fromstring(xml_safe(html), create_parent="div")
    links = []
    for anchor in root.iter("a"):
        classes = set((anchor.get("class") or "").split())
        if classes & {"mention", "hashtag", "u-url"}:
            continue
        href = anchor.get("href") or ""
        if href.startswith(("http://", "https://")):
            links.append(href)
    return unique(links)


def as_dict(value: Any) -> dict[str, Any]:
    """``value`` when it is a JSON object, else an empty one (API fields may be null)."""
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    """``value`` when it is a JSON array, else an empty one (API fields may be null)."""
    return value if isinstance(value, list) else []


def dicts(value: Any) -> list[dict[str, Any]]:
    """The objects of a JSON array, skipping anything else (hostile or broken payloads)."""
    return [item for item in as_list(value) if isinstance(item, dict)]


def load_json(body: bytes) -> Any:
    """The JSON of an API response body, or None when it is not JSON (an HTML error page).
    msgspec reads the usual page several times faster than ``json``; what it refuses (lone
    surrogate escapes, numbers past a double, nesting past its limit) gets the standard
    parser's say. A lone surrogate (half an emoji, cut by a client) becomes U+FFFD: kept, it
    would make the Post impossible to store, and cost the capture every Post it holds."""
    body = body.removeprefix(_UTF8_BOM)
    try:
        return msgspec.json.decode(body)
    except (ValueError, RecursionError):
        pass
    try:
        return _without_lone_surrogates(json.loads(body.decode("utf-8")))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None


def _without_lone_surrogates(value: Any) -> Any:
    """``value`` with every string (object keys too) in valid Unicode, in place; iterative, as
    the parsed value may be nested as deep as the parser allows."""
    if isinstance(value, str):
        return _valid_unicode(value)
    pending = [value] if isinstance(value, (dict, list)) else []
    while pending:
        node = pending.pop()
        if isinstance(node, dict):
            fixed = {_valid_unicode(key): item for key, item in node.items()}
            node.clear()
            node.update(fixed)
            entries = list(node.items())
        else:
            entries = list(enumerate(node))
        for key, item in entries:
            if isinstance(item, str):
                node[key] = _valid_unicode(item)
            elif isinstance(item, (dict, list)):
                pending.append(item)
    return value


def _valid_unicode(text: str) -> str:
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return text
