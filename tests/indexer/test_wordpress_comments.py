"""Comments under real WordPress posts (../shared/corpus/external/wordpress: eight pages, 2-51
comments, six themes) become comment Posts with their author, their date in UTC and the comment
they answer; pingbacks are kept apart, and no comment's text is more than the comment."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from config.models import FeedSource
from foundation.pointer import RecordPointer
from foundation.post import Post
from indexer.extractors.base import Capture
from indexer.extractors.feed import extract_posts
from indexer.extractors.wordpress_comments import wordpress_comments
from tests.fixtures.material import material
from tests.indexer.wordpress_pages import PAGES

WORDPRESS = material("wordpress")
CAPTURED_AT = datetime(2024, 1, 1, tzinfo=UTC)
POST_URL = "http://blog.example/2014/03/post/"
POST_ID = f"blog:{POST_URL}"
COUNTS = {  # comments, pingbacks
    "archive.org.muffinrezept.net.grundrezept.html": (51, 0),
    "archive.org.the-pain.net.silkroad.html": (33, 1),
    "de.creativecommons.org.endlich.html": (3, 2),
    "gormulus.wordpress.com.durfen.html": (40, 5),
    "jovelstefan.de.gefallt.html": (0, 3),
    "lemire.me.json.html": (5, 0),
    "readability.firefox-nightly-blog.html": (2, 0),
    "thenervousbreakdown.com.loneliest.html": (11, 0),
}


def entry_page(body: bytes, **settings: str) -> Capture:
    return Capture(
        pointer=RecordPointer(
            warc_file="t.warc.gz", offset=0, length=1, record_id="<urn:uuid:1>", target_uri=POST_URL
        ),
        url=POST_URL,
        captured_at=CAPTURED_AT,
        content_type="text/html; charset=utf-8",
        http_status=200,
        http_headers=[],
        body=body,
        metadata={
            "source": "blog",
            "platform": "blog",
            "collector": "feed",
            "capture_kind": "entry_page",
            "extra": {"entry": {"link": POST_URL, "title": "Post"}},
        },
        source_settings=dict(settings),
    )


def _row(post: Post) -> tuple[str, str, str, str, str | None]:
    number = post.id.rsplit("#comment-", 1)[1]
    parent = post.parent_id.rsplit("#comment-", 1)[1] if "#comment-" in post.parent_id else ""
    kind = "P" if post.title.startswith("Pingback:") else "C"
    if post.published_at is not None:
        assert post.published_at.utcoffset() == timedelta(0), post.published_at
    when = post.published_at.strftime("%Y-%m-%d %H:%M:%S") if post.published_at else None
    return number, parent, kind, post.author, when


@WORDPRESS.mark
@pytest.mark.parametrize("name", sorted(PAGES))
def test_every_comment_with_its_author_utc_date_and_parent(name: str) -> None:
    page = WORDPRESS.require(name)
    [post, *comments] = extract_posts(entry_page(page.read_bytes()))

    assert post.id == POST_ID and all(c.kind == "comment" for c in comments)
    rows = [_row(c) for c in comments]
    assert (sum(r[2] == "C" for r in rows), sum(r[2] == "P" for r in rows)) == COUNTS[name]
    assert rows == PAGES[name]
    assert all(c.thread_id == POST_ID for c in comments)
    assert all(
        c.parent_id == POST_ID or c.parent_id.startswith(f"{POST_ID}#comment-") for c in comments
    )


@WORDPRESS.mark
@pytest.mark.parametrize("name", sorted(PAGES))
def test_no_comment_text_is_more_than_the_comment(name: str) -> None:
    comments = wordpress_comments(WORDPRESS.require(name).read_bytes(), POST_URL, CAPTURED_AT)
    texts = [c.text for c in comments]
    assert all(texts), [c.comment_id for c in comments if not c.text]
    for comment in comments:
        others = [t for c, t in zip(comments, texts, strict=True) if c is not comment]
        # a comment's text that ran on into the thread or the page would hold the others' words
        assert sum(other in comment.text for other in others) <= 1, comment.comment_id
        # nor the header's "X sagt:" or the reply link under it
        assert "sagt:" not in comment.text and "says:" not in comment.text, comment.comment_id
        last_line = comment.text.rsplit("\n", 1)[-1]
        assert last_line not in ("Antworten", "Antwort", "Reply"), comment.comment_id


def test_pingbacks_name_and_link_the_page_that_linked_here() -> None:
    html = b"""<html><body><ol class="commentlist">
    <li id="comment-7" class="pingback"><p>Pingback: <a href="http://other.example/a">Other blog</a></p></li>
    <li id="comment-8" class="trackback"><p>Trackback: <a href="http://third.example/b">Third</a></p></li>
    <li id="comment-9" class="comment"><div class="comment-author vcard"><cite class="fn">Anne de Boer,</cite> <span class="says">zegt:</span></div>
      <div class="comment-meta commentmetadata">3 dagen geleden</div><p>Eens.</p></li>
    </ol></body></html>"""
    [_, ping, track, comment] = extract_posts(entry_page(html))

    assert (ping.title, ping.author, ping.author_url, ping.links) == (
        "Pingback: Other blog",
        "Other blog",
        "http://other.example/a",
        ["http://other.example/a"],
    )
    assert track.title == "Trackback: Third" and track.text == "Third"
    assert (comment.author, comment.text, comment.title) == ("Anne de Boer", "Eens.", "Re: Post")
    assert comment.published_at == CAPTURED_AT - timedelta(days=3) and comment.date_approximate


def test_printed_dates_are_read_in_the_sources_time_zone_and_stored_in_utc() -> None:
    html = b"""<html><body><ol class="commentlist"><li id="comment-1" class="comment">
    <cite class="fn">Art</cite> <span class="says">says:</span>
    <div class="comment-meta commentmetadata">July 11, 2011 at 12:25 pm</div><p>Ha!</p></li>
    </ol></body></html>"""
    [_, dutch] = extract_posts(entry_page(html))
    [_, american] = extract_posts(entry_page(html, timezone="America/Los_Angeles"))

    assert dutch.published_at == datetime(2011, 7, 11, 10, 25, tzinfo=UTC)
    assert american.published_at == datetime(2011, 7, 11, 19, 25, tzinfo=UTC)


def test_an_unknown_time_zone_is_refused_with_its_name() -> None:
    source = {"name": "b", "type": "feed", "url": "http://blog.example/feed/"}
    assert FeedSource.model_validate({**source, "timezone": "Europe/Brussels"})
    with pytest.raises(ValidationError, match="unknown time zone 'Europe/Amsterdan'"):
        FeedSource.model_validate({**source, "timezone": "Europe/Amsterdan"})
