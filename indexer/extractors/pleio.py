"""Posts from Pleio GraphQL answers: entity lists (``entities``) and threads (``entity``).

Each blog, news item, discussion, question and event becomes a ``post``, each wiki page a
``page``, and each comment a ``comment`` whose ``parent_id`` is the entity or comment it
answers and whose ``thread_id`` is the entity's. Ids are ``pleio:<site host>:<guid>`` (guids
are unique per site). A thread query asked for a comment (the collector's continuation of a
thread nested deeper than one query reaches) gives Posts for the replies under that comment
only: the comment itself came with its parent, and its thread is the entity the capture's
metadata names. Times are stored in UTC; Pleio's relative ``url``s are made absolute on the
site. Answers without ``data`` (a GraphQL or HTTP error) give nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urljoin, urlsplit

from foundation.post import Kind, Post
from indexer.extractors.base import Capture
from indexer.extractors.pleio_text import rich_text
from indexer.extractors.social_text import (
    as_dict,
    as_list,
    dicts,
    load_json,
    parse_api_time,
    unique,
)

CONTENT_TYPES = frozenset({"Blog", "News", "Discussion", "Question", "Wiki", "Event"})


def extract_posts(capture: Capture) -> Iterator[Post]:
    if capture.http_status is not None and not 200 <= capture.http_status < 300:
        return
    data = as_dict(as_dict(load_json(capture.body)).get("data"))
    extra = as_dict(capture.metadata.get("extra"))
    site = str(extra.get("site") or _origin(capture.url)).rstrip("/") + "/"
    reader = _Reader(capture, site, urlsplit(site).netloc.lower())
    listing = as_dict(data.get("entities"))
    for edge in dicts(listing.get("edges")):
        if _typename(edge) in CONTENT_TYPES and edge.get("guid"):
            yield reader.entity(edge)
    top = as_dict(data.get("entity"))
    if not top.get("guid"):
        return
    if _typename(top) == "Comment":
        thread = str(extra.get("entity_guid") or "")
        yield from reader.replies(top, thread_guid=thread)
    elif _typename(top) in CONTENT_TYPES:
        yield reader.entity(top)
        yield from reader.replies(top, thread_guid=str(top["guid"]))


class _Reader:
    """Turns one capture's entities and comments into Posts."""

    def __init__(self, capture: Capture, site: str, host: str) -> None:
        self.capture = capture
        self.site = site
        self.host = host

    def post_id(self, guid: Any) -> str:
        return f"pleio:{self.host}:{guid}"

    def entity(self, entity: dict[str, Any]) -> Post:
        kind: Kind = "page" if _typename(entity) == "Wiki" else "post"
        guid = str(entity["guid"])
        return self._post(
            entity,
            kind=kind,
            title=str(entity.get("title") or ""),
            published=entity.get("timePublished") or entity.get("timeCreated"),
            parent_id="",
            thread_id=self.post_id(guid),
            tags=[str(tag).lower() for tag in as_list(entity.get("tags")) if tag],
        )

    def replies(self, top: dict[str, Any], thread_guid: str) -> Iterator[Post]:
        """The comments under ``top`` (an entity or a comment), each with its parent."""
        thread_id = self.post_id(thread_guid) if thread_guid else ""
        pending = [(c, str(top["guid"])) for c in reversed(dicts(top.get("comments")))]
        while pending:
            comment, parent = pending.pop()
            if not comment.get("guid"):
                continue
            yield self._post(
                comment,
                kind="comment",
                title="",
                published=comment.get("timeCreated"),
                parent_id=self.post_id(parent),
                thread_id=thread_id,
                tags=[],
            )
            own = str(comment["guid"])
            pending.extend((reply, own) for reply in reversed(dicts(comment.get("comments"))))

    def _post(
        self,
        item: dict[str, Any],
        *,
        kind: Kind,
        title: str,
        published: Any,
        parent_id: str,
        thread_id: str,
        tags: list[str],
    ) -> Post:
        text, links = rich_text(item.get("richDescription"))
        if not text:
            text, links = rich_text(item.get("description"))
        owner = as_dict(item.get("owner"))
        published_at = parse_api_time(published)
        updated_at = parse_api_time(item.get("timeUpdated"))
        return Post(
            id=self.post_id(item["guid"]),
            platform="pleio",
            source=self.capture.source,
            organisation=self.capture.organisation,
            kind=kind,
            url=self._absolute(item.get("url")),
            title=title,
            text=text,
            author=str(owner.get("name") or item.get("ownerName") or ""),
            author_handle=str(owner.get("username") or ""),
            author_url=self._absolute(owner.get("url")),
            published_at=published_at,
            collected_at=self.capture.captured_at,
            updated_at=updated_at
            if updated_at and published_at and updated_at > published_at
            else None,
            parent_id=parent_id,
            thread_id=thread_id,
            hashtags=unique(tags),
            links=links,
            capture=self.capture.pointer,
        )

    def _absolute(self, url: Any) -> str:
        if not isinstance(url, str) or not url:
            return ""
        return urljoin(self.site, url)


def _typename(item: dict[str, Any]) -> str:
    """The GraphQL type of an answer's object ('' when absent or not a name)."""
    name = item.get("__typename")
    return name if isinstance(name, str) else ""


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
