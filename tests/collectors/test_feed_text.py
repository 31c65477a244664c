"""Feed text is stored as text, read once (issue 21, item 10): what a feed escaped once
(``&lt;script&gt;`` in a title read as HTML, in a CDATA author) becomes the text ``<script>``,
and what only looks like a reference (``&A1``) stays as written. Real feed bytes are served on
127.0.0.1, collected into a WARC and read back by the feed extractor; the entry's own record of
a foreign URL is tested here too, on its id."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from collectors.runner import run_sources
from foundation.post import Post
from indexer.extractors.feed import extract_posts
from platforms.ownership import claimed_sites, is_foreign_record
from tests.fixtures.collectors import LocalSite, captures_in, feed_config

RSS_ITEMS = {
    # title escaped once as HTML, then for XML; author escaped once inside CDATA (WordPress)
    "1": "<title>&amp;lt;script&amp;gt; en &amp;A1</title><dc:creator><![CDATA[Els &lt;script&gt; &A1 R&amp;D]]></dc:creator><description>&lt;p&gt;Tekst &amp;amp;A1 &amp;lt;b&amp;gt;&lt;/p&gt;</description>",
    # plain XML text: read as it is
    "2": "<title>Wat &amp;A1 betekent</title><dc:creator>Jan &amp;A1</dc:creator><description>Zonder opmaak &amp;lt;i&amp;gt; en &amp;A1</description>",
    # a title with real markup: its text
    "3": "<title><![CDATA[<b>Vet</b> &amp; &A1]]></title><dc:creator>Ans</dc:creator><description>x</description>",
}
ATOM_ENTRIES = {
    "4": '<title type="html">Kop &amp;lt;script&amp;gt; &amp;amp;A1</title><author><name>Ann &amp;lt;b&amp;gt; &amp;A1</name></author>',
    "5": '<title type="text">&lt;script&gt; &amp;A1</title><author><name>Bas</name></author>',
}


def rss(base: str) -> bytes:
    items = "".join(
        f"<item><link>{base}/?p={n}</link><guid>{base}/?p={n}</guid>{fields}</item>"
        for n, fields in RSS_ITEMS.items()
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>T</title>'
        f"<link>{base}/</link>{items}</channel></rss>"
    ).encode()


def atom(base: str) -> bytes:
    entries = "".join(
        f'<entry><id>{base}/?p={n}</id><link href="{base}/?p={n}"/>{fields}'
        "<updated>2024-03-01T09:00:00Z</updated></entry>"
        for n, fields in ATOM_ENTRIES.items()
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>T</title><id>{base}/</id><updated>2024-03-01T09:00:00Z</updated>{entries}</feed>"
    ).encode()


def feed_posts(
    local_site: LocalSite,
    tmp_path: Path,
    path: str,
    body: bytes,
    other_sources: dict[str, tuple[str, ...]] | None = None,
) -> dict[str, Post]:
    """The Posts of the feed ``body`` served at ``path``, collected and read back, keyed by
    entry number; ``other_sources``: the sites of other configured sources, as the indexer
    hands them to the extractor."""
    local_site.routes[path] = lambda request: (
        200,
        [("Content-Type", "application/xml; charset=UTF-8")],
        body,
    )
    config = feed_config(local_site.url + path, capture_pages=False, backfill_depth=0)
    run_sources(config, tmp_path)
    [feed] = [c for c in captures_in(tmp_path / "warcs", config) if c.capture_kind == "feed"]
    feed = replace(feed, claimed_sites=claimed_sites(config.sources) | (other_sources or {}))
    return {post.url.rsplit("=", 1)[1]: post for post in extract_posts(feed)}


@pytest.fixture
def rss_posts(local_site: LocalSite, tmp_path: Path) -> dict[str, Post]:
    return feed_posts(local_site, tmp_path, "/feed/", rss(local_site.url))


def test_text_a_feed_escaped_once_is_stored_unescaped_once(rss_posts: dict[str, Post]) -> None:
    post = rss_posts["1"]
    assert post.title == "<script> en &A1"
    assert post.author == "Els <script> &A1 R&D"
    assert post.text == "Tekst &A1 <b>"


def test_what_only_looks_like_a_reference_stays_as_written(rss_posts: dict[str, Post]) -> None:
    post = rss_posts["2"]
    assert (post.title, post.author) == ("Wat &A1 betekent", "Jan &A1")
    assert post.text == "Zonder opmaak <i> en &A1"


def test_a_title_with_markup_keeps_its_text(rss_posts: dict[str, Post]) -> None:
    assert rss_posts["3"].title == "Vet & &A1"


def test_atom_titles_and_authors_are_text(local_site: LocalSite, tmp_path: Path) -> None:
    posts = feed_posts(local_site, tmp_path, "/feed/atom/", atom(local_site.url))
    assert (posts["4"].title, posts["4"].author) == ("Kop <script> &A1", "Ann <b> &A1")
    assert (posts["5"].title, posts["5"].author) == ("<script> &A1", "Bas")


def test_entries_linking_outside_the_feeds_site_are_its_own_records_of_foreign_urls(
    local_site: LocalSite, tmp_path: Path
) -> None:
    moved, other = "http://oud-domein.example", "http://elders.example"
    body = rss(local_site.url).replace(
        f"<link>{local_site.url}/?p=2</link>".encode(), f"<link>{other}/?p=2</link>".encode()
    )
    for n, domain in (("1", moved), ("3", other)):
        body = body.replace(
            f"<guid>{local_site.url}/?p={n}<".encode(), f"<guid>{domain}/?p={n}<".encode()
        )
    posts = feed_posts(
        local_site, tmp_path, "/feed/", body, other_sources={"elders": (f"{other}/",)}
    )
    # a blog that moved keeps the ids of the guids its old domain gave
    assert posts["1"].id == f"blog:{moved}/?p=1"
    assert posts["2"].id == f"blog:foreign:blog:{local_site.url}/?p=2", "links elsewhere"
    assert posts["3"].id == f"blog:foreign:blog:{other}/?p=3", "claims another source's page"
    assert [is_foreign_record(posts[n].id) for n in "123"] == [False, True, True]
