"""Posts from Mastodon REST API pages: account and hashtag timelines (a list of statuses), a
status's context (``ancestors`` and ``descendants``) and single statuses. Ids are
``mastodon:<instance host>:<status id>``; a boost is a ``repost`` of the status it boosts (its
text and tags are the boosted status's); a reply points at its parent. A status has no thread id
of its own in the API, so ``thread_id`` comes from where the thread is known: a status that
answers nothing is its own thread's root, and every status of a context page belongs to the
thread of the context's first ancestor. A timeline page marked ``replies_in_context`` gives no
Posts for its replies: the collector archived each reply in its parent's context, and that
capture, which knows the thread, makes the reply's Post. A status's edit history
(``/api/v1/statuses/:id/history``, oldest first) gives a ``versions_only`` Post: each entry is a
version dated by the instance, which the indexer adds to the status's Post. A deletion probe
(a status the collector saw before and misses from a page that covers it) that was answered
404 or 410 gives a Post with only a tombstone; any other answer (a 5xx, a rate limit, a login
wall, the status itself) gives nothing."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from foundation.post import Kind, Post
from foundation.post_version import PostVersion
from foundation.tombstone import GONE_STATUSES
from indexer.extractors.base import Capture, gone_post
from indexer.extractors.social_text import (
    as_dict,
    as_list,
    dicts,
    html_to_text,
    links_in_html,
    load_json,
    parse_api_time,
    unique,
)

_CONTEXT_PATH = re.compile(r"/api/v1/statuses/([^/]+)/context/?$")


def extract_posts(capture: Capture) -> Iterator[Post]:
    """Posts of one API page; nothing for error responses or account lookups."""
    extra = as_dict(capture.metadata.get("extra"))
    host = instance_host(str(extra.get("instance") or capture.url))
    if extra.get("endpoint") == "deletion_probe":
        if capture.http_status in GONE_STATUSES and extra.get("status_id"):
            yield gone_status(str(extra["status_id"]), capture, host)
        return  # a status still there is the pages' to show, with its thread
    if capture.http_status is not None and not 200 <= capture.http_status < 300:
        return
    page = load_json(capture.body)
    if extra.get("endpoint") == "history":
        if isinstance(page, list) and extra.get("status_id"):
            yield from history_post(page, str(extra["status_id"]), capture, host)
        return
    if isinstance(page, list):
        # When the collector archived each reply within its thread, the thread's capture gives
        # the reply's Post; from a timeline page it would lack the thread (and could be newer).
        skip_replies = bool(extra.get("replies_in_context"))
        for status in page:
            if _is_status(status) and not (
                skip_replies and status.get("in_reply_to_id") and not status.get("reblog")
            ):
                yield status_post(status, capture, host, thread_root=None)
    elif isinstance(page, dict) and "ancestors" in page and "descendants" in page:
        ancestors = [s for s in as_list(page["ancestors"]) if _is_status(s)]
        descendants = [s for s in as_list(page["descendants"]) if _is_status(s)]
        root = str(ancestors[0]["id"]) if ancestors else _focal_id(capture, extra)
        for status in [*ancestors, *descendants]:
            yield status_post(status, capture, host, thread_root=root)
    elif _is_status(page) and extra.get("endpoint") != "history":
        yield status_post(
            page, capture, host, thread_root=str(extra.get("thread_root") or "") or None
        )


def instance_host(url: str) -> str:
    """The instance's host (with its port, if any) from its base URL or an API URL."""
    parts = urlsplit(url if "://" in url else f"https://{url}")
    return parts.netloc.lower()


def status_post(
    status: dict[str, Any], capture: Capture, host: str, thread_root: str | None
) -> Post:
    """The Post for one status; ``thread_root`` is the thread's first status when known."""
    status_id = str(status["id"])
    boosted = as_dict(status.get("reblog")) or None
    shown = boosted or status
    kind: Kind = "post"
    parent = ""
    if boosted is not None:
        kind, parent = "repost", str(boosted.get("id", ""))
    elif status.get("in_reply_to_id"):
        kind, parent = "reply", str(status["in_reply_to_id"])
    if thread_root is None:
        thread_root = status_id if kind != "reply" else ""
    account = as_dict(status.get("account"))
    content = str(shown.get("content") or "")
    card = as_dict(shown.get("card"))
    return Post(
        id=f"mastodon:{host}:{status_id}",
        platform="mastodon",
        source=capture.source,
        organisation=capture.organisation,
        kind=kind,
        url=str(status.get("url") or shown.get("url") or status.get("uri") or ""),
        title=str(shown.get("spoiler_text") or ""),
        text=html_to_text(content),
        lang=str(shown.get("language") or ""),
        author=str(account.get("display_name") or account.get("username") or ""),
        author_handle=handle(str(account.get("acct") or ""), host),
        author_url=str(account.get("url") or ""),
        published_at=parse_api_time(status.get("created_at")),
        collected_at=capture.captured_at,
        updated_at=parse_api_time(shown.get("edited_at")),
        parent_id=f"mastodon:{host}:{parent}" if parent else "",
        thread_id=f"mastodon:{host}:{thread_root}" if thread_root else "",
        hashtags=unique(str(tag.get("name", "")).lower() for tag in dicts(shown.get("tags"))),
        mentions=unique(
            (handle(str(m.get("acct", "")), host) for m in dicts(shown.get("mentions"))),
            fold_case=True,
        ),
        links=unique([*links_in_html(content), *([str(card["url"])] if card.get("url") else [])]),
        media=unique(
            str(m.get("url") or m.get("remote_url") or "")
            for m in dicts(shown.get("media_attachments"))
        ),
        capture=capture.pointer,
    )


def history_post(entries: list[Any], status_id: str, capture: Capture, host: str) -> Iterator[Post]:
    """The ``versions_only`` Post of a status's edit history: its newest entry as the wording,
    the others as versions, each dated by the instance (``created_at`` of the entry)."""
    versions = [
        PostVersion(
            title=str(entry.get("spoiler_text") or ""),
            text=html_to_text(str(entry.get("content") or "")),
            links=unique(links_in_html(str(entry.get("content") or ""))),
            media=unique(
                str(m.get("url") or m.get("remote_url") or "")
                for m in dicts(entry.get("media_attachments"))
            ),
            captured_at=capture.captured_at,
            edited_at=parse_api_time(entry.get("created_at")),
            capture=capture.pointer,
        )
        for entry in entries
        if isinstance(entry, dict) and "content" in entry
    ]
    if not versions:
        return
    newest = versions[-1]
    account = as_dict(as_dict(entries[-1]).get("account"))
    yield Post(
        id=f"mastodon:{host}:{status_id}",
        platform="mastodon",
        source=capture.source,
        organisation=capture.organisation,
        title=newest.title,
        text=newest.text,
        author=str(account.get("display_name") or account.get("username") or ""),
        author_handle=handle(str(account.get("acct") or ""), host),
        author_url=str(account.get("url") or ""),
        published_at=versions[0].edited_at,
        collected_at=capture.captured_at,
        updated_at=newest.edited_at if len(versions) > 1 else None,
        thread_id="",
        links=newest.links,
        media=newest.media,
        capture=capture.pointer,
        versions=versions[:-1],
        current_since=newest.without_content(),
        versions_only=True,
    )


def gone_status(status_id: str, capture: Capture, host: str) -> Post:
    """The tombstone of a status whose address answered 404 or 410 (``capture``)."""
    return gone_post(f"mastodon:{host}:{status_id}", "mastodon", capture, "gone_response")


def handle(acct: str, host: str) -> str:
    """'@user@instance' for an account: local accounts' acct has no domain, so add this one."""
    acct = acct.lstrip("@")
    if not acct:
        return ""
    return f"@{acct}" if "@" in acct else f"@{acct}@{host}"


def _is_status(value: Any) -> bool:
    return isinstance(value, dict) and "id" in value and "content" in value and "account" in value


def _focal_id(capture: Capture, extra: dict[str, Any]) -> str:
    if extra.get("status_id"):
        return str(extra["status_id"])
    match = _CONTEXT_PATH.search(urlsplit(capture.url).path)
    return match.group(1) if match else ""
