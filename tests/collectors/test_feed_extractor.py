"""The feed extractor on captures read back from the WARC: posts with the page's main text and
the feed's fields, and WordPress comments as linked ``comment`` Posts."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from collectors.runner import run_sources
from indexer.extractors import extractor_for
from indexer.extractors.feed import extract_posts
from tests.fixtures.collectors import BlogSite, captures_in, feed_config


def test_entry_page_gives_the_post_with_page_text_and_feed_fields(
    blog_site: BlogSite, tmp_path: Path
) -> None:
    blog_site.posts[0].paragraphs.append(
        "Een derde alinea staat alleen op de pagina, niet in de samenvatting."
    )
    config = feed_config(blog_site.url + "/feed/")
    run_sources(config, tmp_path)
    page = next(
        c
        for c in captures_in(tmp_path / "warcs", config)
        if c.url == blog_site.permalink(blog_site.posts[0])
    )
    [post] = extract_posts(page)
    assert (
        post.id == f"blog:{blog_site.url}/?p=1" and post.kind == "post" and post.platform == "blog"
    )
    assert post.url == blog_site.permalink(blog_site.posts[0]) and post.source == "blog"
    assert post.title == "Bericht 1 over open overheid" and post.author == "Annet Visser"
    assert "derde alinea staat alleen op de pagina" in post.text and "Blog footer" not in post.text
    assert post.published_at == datetime(2024, 3, 2, 9, 0, tzinfo=UTC)
    assert post.hashtags == ["ambtenaar20"] and post.lang == "nl"
    assert post.capture == page.pointer and post.collected_at == page.captured_at


def test_comments_on_the_page_become_linked_comment_posts(
    blog_site: BlogSite, tmp_path: Path
) -> None:
    blog_site.posts[2].comments = [
        (7, None, "Piet de Vries", "Mooi stuk, herkenbaar."),
        (8, 7, "Annet Visser", "Dank je, Piet!"),
        (9, None, "Jan Smit", "Waar vind ik de slides?"),
    ]
    config = feed_config(blog_site.url + "/feed/")
    run_sources(config, tmp_path)
    page = next(
        c
        for c in captures_in(tmp_path / "warcs", config)
        if c.url == blog_site.permalink(blog_site.posts[2])
    )
    post, *comments = extract_posts(page)
    assert [c.id for c in comments] == [f"{post.id}#comment-{n}" for n in (7, 8, 9)]
    first, reply, other = comments
    assert first.kind == "comment" and first.parent_id == post.id and first.thread_id == post.id
    assert reply.parent_id == first.id and reply.thread_id == post.id
    assert first.author == "Piet de Vries" and first.author_url == "https://example.org/piet"
    assert first.text == "Mooi stuk, herkenbaar." and reply.text == "Dank je, Piet!"
    assert "Dank je" not in first.text, "a reply is not part of the comment it answers"
    assert first.published_at == datetime(2024, 3, 4, 16, 0, tzinfo=UTC)
    assert first.url == blog_site.permalink(blog_site.posts[2]) + "#comment-7"
    assert "Mooi stuk" not in post.text, "comments are not part of the post's main text"


def test_feed_capture_gives_posts_only_when_pages_are_not_captured(
    blog_site: BlogSite, tmp_path: Path
) -> None:
    config = feed_config(blog_site.url + "/feed/", capture_pages=False)
    run_sources(config, tmp_path)
    [feed] = [
        c
        for c in captures_in(tmp_path / "warcs", config)
        if c.capture_kind == "feed" and c.http_status == 200
    ]
    posts = list(extract_posts(feed))
    assert [p.id for p in posts] == [f"blog:{blog_site.url}/?p={n}" for n in (3, 2, 1)]
    assert (
        posts[0].text.startswith("Eerste alinea van bericht 3") and posts[0].capture == feed.pointer
    )

    with_pages = feed_config(blog_site.url + "/feed/")
    run_sources(with_pages, tmp_path / "pages")
    [feed] = [
        c
        for c in captures_in(tmp_path / "pages" / "warcs", with_pages)
        if c.capture_kind == "feed" and c.http_status == 200
    ]
    assert list(extract_posts(feed)) == []


def test_failed_page_falls_back_to_the_feed_entry(blog_site: BlogSite, tmp_path: Path) -> None:
    config = feed_config(blog_site.url + "/feed/")
    gone = blog_site.posts[1]
    blog_site.routes["/"] = lambda request, root=blog_site.routes["/"]: (
        (410, [("Content-Type", "text/html")], b"<html><body>weg</body></html>")
        if request.query.get("p") == [str(gone.id)]
        else root(request)
    )
    run_sources(config, tmp_path)
    page = next(
        c for c in captures_in(tmp_path / "warcs", config) if c.url == blog_site.permalink(gone)
    )
    [post] = extract_posts(page)
    assert post.title == gone.title and "Tweede alinea van bericht 2" in post.text


def test_the_indexer_finds_this_extractor_by_collector_name() -> None:
    assert extractor_for("feed") is extract_posts
