"""Posts from the feed collector's captures.

An ``entry_page`` capture (a permalink page) gives the post: the feed entry's fields from its
metadata record (title, author, dates, tags, summary) with the page's main text (trafilatura;
the entry's own content when the page has none or could not be fetched), plus one ``comment``
Post per comment the page shows (``wordpress_comments``), linked by ``parent_id`` to the post or
the comment it answers and by ``thread_id`` to the post; a pingback or trackback is a comment
Post titled "Pingback: <linking page>" that links to that page. A ``feed`` capture
gives Posts only when the source does not capture pages (its metadata says so); otherwise the
pages speak for the entries and a feed re-read must not overwrite their full text.
An ``entry_page`` capture with ``endpoint: deletion_probe`` (the collector asking for an entry
that left the feed) gives no ordinary Post: answered 404 or 410 it gives a ``versions_only``
Post under the entry's id that carries only the tombstone (``gone_response``, the answer as its
evidence), which the indexer adds to the entry's Post; any other answer gives nothing.
Ids: ``blog:<entry id>`` and ``blog:<entry id>#comment-<comment id>`` for entries on the
source's own site; an entry linking elsewhere (or whose URL id lies in another configured
source's site) is the source's record of a foreign URL,
``blog:foreign:<source>:<entry id>`` (see platforms.ownership), so no feed can take the place of
another source's Post.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, Final

from foundation.post import Post
from foundation.tombstone import GONE_STATUSES
from indexer.extractors.base import Capture, gone_post
from indexer.extractors.html_text import (
    fragment_links,
    fragment_text,
    main_text,
    page_title,
    unescape_references,
)
from indexer.extractors.wordpress_comments import (
    PageComment,
    rest_api_comments,
    wordpress_comments,
)
from platforms.feed_entries import native_id, parse_feed, parse_iso
from platforms.ownership import foreign_record_id, is_web_url, source_site, speaks_for

PLATFORM: Final = "blog"


def extract_posts(capture: Capture) -> Iterable[Post]:
    kind = capture.capture_kind
    if kind == "entry_page" and _extra(capture).get("endpoint") == "deletion_probe":
        return list(_gone_entry(capture))
    if kind == "entry_page":
        return list(_from_entry_page(capture))
    if kind == "comments_api" and _is_ok(capture):
        return list(_from_comments_api(capture))
    if (
        kind in ("feed", "page")
        and _is_ok(capture)
        and not _extra(capture).get("entry_pages", False)
    ):
        return list(_from_feed(capture))
    return []


def _extra(capture: Capture) -> dict[str, Any]:
    extra = capture.metadata.get("extra")
    return extra if isinstance(extra, dict) else {}


def _is_ok(capture: Capture) -> bool:
    return capture.http_status is None or 200 <= capture.http_status < 300


def _is_html(capture: Capture) -> bool:
    kind = capture.content_type.split(";")[0].strip().lower()
    return kind in ("text/html", "application/xhtml+xml") or (
        not kind and capture.body.lstrip()[:15].lower().startswith((b"<!doctype html", b"<html"))
    )


def _from_feed(capture: Capture) -> Iterator[Post]:
    parsed = parse_feed(capture.body, capture.url, capture.http_headers)
    for entry in parsed.entries:
        yield _entry_post(
            capture, entry, fragment_text(entry.get("content") or entry.get("summary") or ""), ""
        )


def _from_entry_page(capture: Capture) -> Iterator[Post]:
    entry = _extra(capture).get("entry")
    if not isinstance(entry, dict):
        entry = {"link": capture.url}
    entry = {**entry, "native_id": entry.get("native_id") or native_id(entry)}
    page_ok = _is_ok(capture) and _is_html(capture)
    text, lang = main_text(capture.body, capture.url) if page_ok else ("", "")
    if not text:
        text = fragment_text(entry.get("content") or entry.get("summary") or "")
    if page_ok and not entry.get("title"):
        entry["title"], entry["title_is_html"] = page_title(capture.body), False
    post = _entry_post(capture, entry, text, lang)
    yield post
    if not page_ok:
        return
    zone = str(capture.source_settings.get("timezone") or "Europe/Amsterdam")
    for comment in wordpress_comments(capture.body, capture.url, capture.captured_at, zone):
        yield _comment_post(capture, post, comment, lang)


def _gone_entry(capture: Capture) -> Iterator[Post]:
    """The tombstone of an entry whose permalink answered the deletion probe 404 or 410: a
    ``versions_only`` Post under the id its entry page gives it, adding only the tombstone."""
    entry = _extra(capture).get("entry")
    if capture.http_status not in GONE_STATUSES or not isinstance(entry, dict):
        return
    entry = {**entry, "native_id": entry.get("native_id") or native_id(entry)}
    yield gone_post(_post_id(capture, entry), PLATFORM, capture, "gone_response")


def _from_comments_api(capture: Capture) -> Iterator[Post]:
    """The comments a WordPress REST API page lists (``/wp/v2/comments?post=ID``), as the
    entry's comment Posts: the same ids the page's markup gives them."""
    entry = _extra(capture).get("entry")
    if not isinstance(entry, dict):
        return
    entry = {**entry, "native_id": entry.get("native_id") or native_id(entry)}
    post = _entry_post(capture, entry, "", "")
    for comment in rest_api_comments(capture.body):
        yield _comment_post(capture, post, comment, "")


def _comment_post(capture: Capture, post: Post, comment: PageComment, lang: str) -> Post:
    parent = (
        f"{post.id}#comment-{comment.parent_comment_id}" if comment.parent_comment_id else post.id
    )
    if comment.kind == "comment":
        title, links = (f"Re: {post.title}" if post.title else ""), []
    else:
        title = f"{comment.kind.capitalize()}: {comment.author}".rstrip(": ")
        links = [comment.author_url] if comment.author_url else []
    return Post(
        id=f"{post.id}#comment-{comment.comment_id}",
        platform=PLATFORM,
        source=capture.source,
        organisation=capture.organisation,
        kind="comment",
        url=f"{post.url.split('#')[0]}#comment-{comment.comment_id}",
        title=title,
        text=comment.text,
        lang=lang,
        author=comment.author,
        author_url=comment.author_url,
        published_at=comment.published_at,
        date_approximate=comment.date_approximate,
        collected_at=capture.captured_at,
        parent_id=parent,
        thread_id=post.id,
        links=links,
        capture=capture.pointer,
    )


def _entry_post(capture: Capture, entry: dict[str, Any], text: str, lang: str) -> Post:
    content_html = entry.get("content") or entry.get("summary") or ""
    links, images = fragment_links(content_html, entry.get("link") or capture.url)
    published = parse_iso(entry.get("published")) or parse_iso(entry.get("updated"))
    updated = parse_iso(entry.get("updated"))
    return Post(
        id=_post_id(capture, entry),
        platform=PLATFORM,
        source=capture.source,
        organisation=capture.organisation,
        kind="post",
        url=entry.get("link") or capture.url,
        title=_title(entry),
        text=text,
        lang=lang,
        author=unescape_references(str(entry.get("author") or "")),
        author_url=entry.get("author_url") or "",
        published_at=published,
        collected_at=capture.captured_at,
        updated_at=updated if updated and updated != published else None,
        hashtags=list(dict.fromkeys(entry.get("tags") or [])),
        links=links,
        media=list(dict.fromkeys([*images, *(entry.get("images") or [])])),
        capture=capture.pointer,
    )


def _title(entry: dict[str, Any]) -> str:
    """The entry's title as text. feedparser gives a title it read as HTML still escaped
    (``&lt;script&gt;``); entries archived before that was noted say nothing, and get their
    character references read without losing any text that looks like a tag."""
    title = str(entry.get("title") or "")
    is_html = entry.get("title_is_html")
    if is_html:
        return fragment_text(title)
    return unescape_references(title) if is_html is None else title


def _post_id(capture: Capture, entry: dict[str, Any]) -> str:
    """``blog:<entry id>`` when the source speaks for the entry's link (or, without a link, for
    its URL id) and its id is no URL of another source's site; else the source's own record
    of a foreign URL."""
    native = str(entry["native_id"])
    own = source_site(capture.source_settings, str(_extra(capture).get("feed_url") or ""))
    if not own:
        return f"{PLATFORM}:{native}"
    link = str(entry.get("link") or "")
    claim = link if is_web_url(link) else native
    inside = not is_web_url(claim) or speaks_for(own, claim)
    taken = (
        is_web_url(native)
        and not speaks_for(own, native)
        and any(
            speaks_for(site, native)
            for name, site in capture.claimed_sites.items()
            if name != capture.source
        )
    )
    if inside and not taken:
        return f"{PLATFORM}:{native}"
    return foreign_record_id(PLATFORM, capture.source, native)
