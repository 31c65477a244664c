"""The demo blog host behaves like a WordPress site to feed readers and crawlers."""

from __future__ import annotations

import gzip
import urllib.request
from html.parser import HTMLParser

import feedparser
import httpx
from lxml import html as lxml_html

from demo_sources import HOSTILE_BLOG_TITLE, HOSTILE_SNIPPETS, DemoSources


class _AlternateLinks(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.feeds: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "link" and a.get("rel") == "alternate" and a.get("type") == "application/rss+xml":
            self.feeds.append(a["href"] or "")


def test_feed_is_autodiscovered_from_the_blog_home_page(demo_sources_readonly: DemoSources) -> None:
    home = httpx.get(demo_sources_readonly.urls["blog"] + "zoe/")
    finder = _AlternateLinks()
    finder.feed(home.text)
    assert finder.feeds == [demo_sources_readonly.urls["blog"] + "zoe/feed/"]
    parsed = feedparser.parse(httpx.get(finder.feeds[0]).content)
    assert not parsed.bozo
    assert parsed.feed.title == "Zoë over de Omgevingswet"


def test_rss_and_atom_list_the_same_newest_ten_posts(demo_sources_readonly: DemoSources) -> None:
    demo = demo_sources_readonly
    blog = demo.content.blogs["zoe"]
    rss = feedparser.parse(httpx.get(demo.urls["blog"] + "zoe/feed/").content)
    atom = feedparser.parse(httpx.get(demo.urls["blog"] + "zoe/feed/atom/").content)
    expected = [p.title for p in blog.live_posts()[:10]]
    assert [e.title for e in rss.entries] == expected
    assert [e.title for e in atom.entries] == expected
    first = rss.entries[0]
    assert first.author == "Zoë van der Meulen"
    assert first.link == demo.urls["blog"].rstrip("/") + blog.live_posts()[0].path
    assert first.id.endswith(f"?p={blog.live_posts()[0].id}")
    assert blog.live_posts()[0].paragraphs[0] in first.content[0].value


def test_feed_pages_follow_wordpress_paged_and_end_in_404(
    demo_sources_readonly: DemoSources,
) -> None:
    demo = demo_sources_readonly
    total = len(demo.content.blogs["zoe"].live_posts())
    seen = []
    for page in (1, 2, 3):
        response = httpx.get(demo.urls["blog"] + f"zoe/feed/?paged={page}")
        assert response.status_code == 200
        seen += [e.link for e in feedparser.parse(response.content).entries]
    assert len(seen) == len(set(seen)) == total == 24
    assert httpx.get(demo.urls["blog"] + "zoe/feed/?paged=4").status_code == 404


def test_unchanged_feed_costs_one_304(demo_sources_readonly: DemoSources) -> None:
    url = demo_sources_readonly.urls["blog"] + "omer/feed/"
    first = httpx.get(url)
    by_etag = httpx.get(url, headers={"If-None-Match": first.headers["ETag"]})
    by_date = httpx.get(url, headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert (by_etag.status_code, by_date.status_code) == (304, 304)
    assert by_etag.content == b"" and by_etag.headers["ETag"] == first.headers["ETag"]


def test_feedparser_conditional_get_gets_304(demo_sources_readonly: DemoSources) -> None:
    url = demo_sources_readonly.urls["blog"] + "jeroen/feed/"
    first = feedparser.parse(url)
    again = feedparser.parse(url, etag=first.etag, modified=first.modified)
    assert first.status == 200 and len(first.entries) == 10
    assert again.status == 304 and again.entries == []


def test_feed_is_gzipped_when_the_client_accepts_it(demo_sources_readonly: DemoSources) -> None:
    url = demo_sources_readonly.urls["blog"] + "anneke/feed/"
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(request) as response:
        raw = response.read()
        assert response.headers["Content-Encoding"] == "gzip"
        assert response.headers["ETag"].startswith('W/"')
    plain = urllib.request.urlopen(
        urllib.request.Request(url, headers={"Accept-Encoding": "identity"})
    ).read()
    assert gzip.decompress(raw) == plain


def test_robots_txt_disallows_private_and_unknown_pages_are_404(
    demo_sources_readonly: DemoSources,
) -> None:
    base = demo_sources_readonly.urls["blog"]
    robots = httpx.get(base + "robots.txt")
    assert robots.headers["content-type"].startswith("text/plain")
    assert "Disallow: /private/" in robots.text
    assert httpx.get(base + "private/").status_code == 200
    assert httpx.get(base + "zoe/2099/01/bestaat-niet/").status_code == 404


def test_feed_without_slash_redirects_permanently(demo_sources_readonly: DemoSources) -> None:
    base = demo_sources_readonly.urls["blog"]
    response = httpx.get(base + "zoe/feed")
    assert response.status_code == 301
    assert response.headers["location"] == base + "zoe/feed/"


def test_permalink_page_has_wordpress_markup_and_comments(
    demo_sources_readonly: DemoSources,
) -> None:
    demo = demo_sources_readonly
    post = next(
        p for p in demo.content.blogs["zoe"].live_posts() if len(p.comments) >= 2 and p.image
    )
    tree = lxml_html.fromstring(httpx.get(demo.urls["blog"].rstrip("/") + post.path).content)
    assert tree.cssselect("article.post .entry-title")[0].text_content() == post.title
    assert tree.cssselect("time.entry-date")[0].get("datetime") == post.published.isoformat()
    assert post.paragraphs[-1] in tree.cssselect(".entry-content")[0].text_content()
    comments = tree.cssselect("ol.commentlist li.comment")
    assert len(comments) == len(post.comments)
    assert [c.cssselect(".comment-author .fn")[0].text_content() for c in comments] == [
        c.author for c in post.comments
    ]
    assert all(c.cssselect(".comment-meta time")[0].get("datetime") for c in comments)
    image = tree.cssselect(".entry-content img")[0].get("src")
    fetched = httpx.get(image)
    assert fetched.headers["content-type"] == "image/png" and fetched.content.startswith(b"\x89PNG")


def test_hostile_title_is_escaped_in_page_and_feed(demo_sources_readonly: DemoSources) -> None:
    demo = demo_sources_readonly
    post = next(p for p in demo.content.blogs["anneke"].posts if p.title == HOSTILE_BLOG_TITLE)
    page = httpx.get(demo.urls["blog"].rstrip("/") + post.path).text
    assert '<h1 class="entry-title">Pas op met &lt;script&gt;alert(1)&lt;/script&gt;' in page
    assert HOSTILE_SNIPPETS[1] not in page
    text = lxml_html.fromstring(page).cssselect(".entry-content")[0].text_content()
    assert HOSTILE_SNIPPETS[1] in text


def test_edited_post_changes_feed_validators_and_text(demo_sources: DemoSources) -> None:
    url = demo_sources.urls["blog"] + "omer/feed/"
    before = httpx.get(url)
    post = demo_sources.content.blogs["omer"].live_posts()[0]
    demo_sources.blog.edit_post(
        "omer",
        post.slug,
        title="Bijgewerkt: open data",
        paragraphs=["Nieuwe tekst na de correctie."],
    )
    after = httpx.get(
        url,
        headers={
            "If-None-Match": before.headers["ETag"],
            "If-Modified-Since": before.headers["Last-Modified"],
        },
    )
    assert after.status_code == 200
    assert after.headers["ETag"] != before.headers["ETag"]
    assert after.headers["Last-Modified"] != before.headers["Last-Modified"]
    entry = feedparser.parse(
        httpx.get(demo_sources.urls["blog"] + "omer/feed/atom/").content
    ).entries[0]
    assert entry.title == "Bijgewerkt: open data"
    assert entry.updated_parsed > entry.published_parsed


def test_added_post_heads_the_feed_and_deleted_post_disappears(demo_sources: DemoSources) -> None:
    base = demo_sources.urls["blog"]
    added = demo_sources.blog.add_post(
        "jeroen", "Een nieuw bericht over de Woo", ["Vandaag iets nieuws."]
    )
    entries = feedparser.parse(httpx.get(base + "jeroen/feed/").content).entries
    assert entries[0].title == "Een nieuw bericht over de Woo"
    assert httpx.get(base.rstrip("/") + added.path).status_code == 200
    demo_sources.blog.delete_post("jeroen", added.slug)
    entries = feedparser.parse(httpx.get(base + "jeroen/feed/").content).entries
    assert "Een nieuw bericht over de Woo" not in [e.title for e in entries]
    assert httpx.get(base.rstrip("/") + added.path).status_code == 404


def test_request_log_records_conditional_headers(demo_sources: DemoSources) -> None:
    url = demo_sources.urls["blog"] + "zoe/feed/"
    etag = httpx.get(url).headers["ETag"]
    httpx.get(url, headers={"If-None-Match": etag})
    log = demo_sources.request_log["blog"]
    assert [(r.method, r.path, r.status) for r in log] == [
        ("GET", "/zoe/feed/", 200),
        ("GET", "/zoe/feed/", 304),
    ]
    assert log[1].headers["If-None-Match"] == etag
