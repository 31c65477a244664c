"""Posts from network-site pages (Ning-style communities, PBworks-style wikis, Elgg/Pleio).

The source's site profile (named in the capture's metadata, else in the source config) reads
the page: a blog post or discussion becomes a ``post``, a wiki page a ``page``, and every
comment a ``comment`` Post whose ``parent_id`` and ``thread_id`` are the page's id. A page whose
layout the profile does not recognise is read by the generic profile instead and counted as a
profile mismatch (``read_site_page`` says so; the collector reports it). Page ids are the URL
without scheme, paging and noise parameters, so every page of a long comment list belongs to one
thread; comment ids add the comment's native id, or a digest of who said what when
(``platforms.comment_keys``, which the collector names them by too).

A ``comments_missing`` capture (``collectors.network.comments``: the collector found a thread,
recaptured whole, no longer showing some of its comments) gives each missing comment a
``versions_only`` Post with only a tombstone (``missing_from_page``, dated by the recapture of
the page that no longer shows it, which is the evidence), added to the comment's Post.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast, get_args

from foundation.pointer import RecordPointer
from foundation.post import Platform, Post
from indexer.extractors.base import Capture, gone_post
from indexer.extractors.network_generic import read_generic
from platforms.comment_keys import comment_post_id, shown_comments
from platforms.profile import SiteProfile, load_profile
from platforms.rules import ReadPage, parse_html, read_page
from platforms.url_rules import comment_page_number, page_key

HTML_TYPES = ("text/html", "application/xhtml+xml")
COMMENTS_MISSING = "comments_missing"
PAGE_KINDS = ("page", "thread_page", "entry_page")


@dataclass(frozen=True)
class PageReading:
    """How a page was read: by its profile, or (``profile_mismatch``) by the generic profile."""

    read: ReadPage | None
    profile_mismatch: bool


def read_site_page(
    profile: SiteProfile, body: bytes | str, url: str, captured_at: datetime
) -> PageReading:
    """Read one page with ``profile``, falling back to the generic reading when it does not fit."""
    page = parse_html(body)
    if profile.generic:
        return PageReading(read_generic(profile, page, url, captured_at), profile_mismatch=False)
    read = read_page(profile, page, url, captured_at)
    if read is not None:
        return PageReading(read, profile_mismatch=False)
    return PageReading(read_generic(profile, page, url, captured_at), profile_mismatch=True)


def profile_of(capture: Capture) -> SiteProfile:
    """The profile the collector recorded for this capture, else the source's configured one."""
    extra = capture.metadata.get("extra") or {}
    name = extra.get("profile") or capture.source_settings.get("profile") or "generic"
    return load_profile(str(name))


def extract_posts(capture: Capture) -> Iterator[Post]:
    """The page's Post and one Post per comment; nothing for listings, errors and non-HTML.
    A ``comments_missing`` capture gives the tombstones of the comments it names."""
    if capture.capture_kind == COMMENTS_MISSING:
        yield from missing_comments(capture)
        return
    if capture.capture_kind not in PAGE_KINDS or capture.http_status not in (200, None):
        return
    if (
        not any(kind in capture.content_type.lower() for kind in HTML_TYPES)
        or not capture.body.strip()
    ):
        return
    profile = profile_of(capture)
    read = read_site_page(profile, capture.body, capture.url, capture.captured_at).read
    if read is None or read.kind is None:
        return
    page_id = f"network:{page_key(capture.url, profile)}"
    platform = str(capture.metadata.get("platform") or profile.platform)
    common: dict[str, Any] = {
        "platform": platform,
        "source": capture.source,
        "organisation": capture.organisation,
        "collected_at": capture.captured_at,
        "capture": capture.pointer,
        "lang": read.lang,
    }
    # later pages of a long comment list repeat the page itself: only their comments are new
    if comment_page_number(capture.url, profile) == 1:
        yield Post(
            id=page_id,
            kind=read.kind,  # type: ignore[arg-type]
            url=capture.url,
            title=read.title,
            text=read.body,
            author=read.author,
            author_handle=_handle(profile, read.author_url),
            author_url=read.author_url,
            published_at=read.date.value if read.date else None,
            date_approximate=bool(read.date and read.date.approximate),
            hashtags=read.tags,
            links=read.links,
            media=read.media,
            **common,
        )
    for key, comment in shown_comments(read.comments):
        yield Post(
            id=comment_post_id(page_key(capture.url, profile), key),
            kind="comment",
            url=capture.url,
            text=comment.text,
            author=comment.author,
            author_handle=_handle(profile, comment.author_url),
            author_url=comment.author_url,
            published_at=comment.date.value if comment.date else None,
            date_approximate=bool(comment.date and comment.date.approximate),
            parent_id=page_id,
            thread_id=page_id,
            **common,
        )


def missing_comments(capture: Capture) -> Iterator[Post]:
    """A ``versions_only`` Post with a ``missing_from_page`` tombstone for each comment the
    evidence names; nothing when the record is not the JSON the collector writes."""
    try:
        evidence = json.loads(capture.body)
        thread = str(evidence["thread"])
        missing = list(evidence["missing"])
    except (ValueError, KeyError, TypeError):
        return
    # the page's own platform, as its Posts have it (a wiki, a Ning network)
    named = str(capture.metadata.get("platform") or "network")
    platform = cast(Platform, named if named in get_args(Platform) else "network")
    for entry in missing:
        if not isinstance(entry, dict) or not entry.get("key"):
            continue
        page = _pointer(entry.get("evidence"))
        yield gone_post(
            comment_post_id(thread, str(entry["key"])),
            platform,
            capture,
            "missing_from_page",
            missing_since=_when(page.capture_date) if page else None,
            evidence=page,
            status=200,
        )


def _pointer(value: Any) -> RecordPointer | None:
    if not isinstance(value, dict):
        return None
    try:
        return RecordPointer.model_validate(value)
    except ValueError:
        return None


def _when(value: str) -> datetime | None:
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo is not None else None


def _handle(profile: SiteProfile, author_url: str) -> str:
    if not (author_url and profile.handle_from_url):
        return ""
    match = re.search(profile.handle_from_url, author_url)
    return match.group(1) if match and match.groups() else ""
