"""The network extractor reads pages with their site profile: the page as a post or wiki page,
each comment as a comment Post linked to it, with authors and dates as the site printed them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from collectors.runner import run_sources
from foundation.pointer import RecordPointer
from foundation.post import Post
from indexer.extractors.base import Capture
from indexer.extractors.network import extract_posts
from tests.collectors.network.conftest import PAGES, LocalSite, captures, network_config

CAPTURED_AT = datetime(2022, 1, 15, 12, 0, tzinfo=UTC)


def page_capture(name: str, url: str, profile: str, platform: str = "network") -> Capture:
    return Capture(
        pointer=RecordPointer(
            warc_file="t.warc.gz", offset=0, length=1, record_id="<urn:uuid:1>", target_uri=url
        ),
        url=url,
        captured_at=CAPTURED_AT,
        content_type="text/html; charset=utf-8",
        http_status=200,
        http_headers=[],
        body=(PAGES / name).read_bytes(),
        metadata={
            "source": "s",
            "platform": platform,
            "collector": "network",
            "capture_kind": "page",
            "extra": {"profile": profile},
        },
        organisation="BZK",
    )


@pytest.fixture(scope="module")
def crawled_ning(
    ning_site_module: LocalSite, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Post]:
    tmp_path = tmp_path_factory.mktemp("ning")
    config = network_config(ning_site_module)
    run_sources(config, tmp_path)
    posts: dict[str, Post] = {}
    for capture in captures(tmp_path, config):
        # ?commentPage=1 shows the same page as the bare URL: same ids, merged as the indexer does
        posts.update((post.id, post) for post in extract_posts(capture))
    return posts


def test_ning_blog_post_and_its_comments_on_every_comment_page(
    crawled_ning: dict[str, Post], ning_site_module: LocalSite
) -> None:
    host = ning_site_module.base_url.removeprefix("http://")
    blog = crawled_ning[f"network:{host}/profiles/blogs/omgevingswet-in-de-praktijk"]
    assert (blog.kind, blog.title, blog.author, blog.author_handle) == (
        "post",
        "Omgevingswet in de praktijk",
        "Jan Jansen",
        "JanJansen",
    )
    assert blog.published_at == datetime(2014, 2, 20, 14, 16, tzinfo=UTC)
    assert not blog.date_approximate
    assert blog.hashtags == ["omgevingswet", "participatie"]
    assert "vergunningverleners en beleidsmakers" in blog.text and "Delen Twitter" not in blog.text
    assert blog.links == ["http://www.example.org/omgevingswet"] and blog.media == [
        ning_site_module.url("/uploads/schema.png")
    ]
    assert (blog.source, blog.organisation, blog.platform, blog.lang) == (
        "a20",
        "BZK",
        "network",
        "nl",
    )

    comments = sorted(
        (p for p in crawled_ning.values() if p.parent_id == blog.id),
        key=lambda p: p.published_at or CAPTURED_AT,
    )
    assert [(c.author, c.published_at) for c in comments] == [
        ("Anneke de Wit", datetime(2014, 2, 20, 15, 2, tzinfo=UTC)),
        ("Ömer Yılmaz", datetime(2014, 2, 21, 8, 5, tzinfo=UTC)),
        ("Jan Jansen", datetime(2014, 3, 3, 10, 40, tzinfo=UTC)),  # from ?commentPage=2
    ]
    assert all(c.kind == "comment" and c.thread_id == blog.id for c in comments)
    assert comments[0].id == f"{blog.id}#comment-2520282:Comment:1001"
    assert comments[0].text == "Herkenbaar! Bij ons helpt een gezamenlijke werksessie."


def test_ning_discussion_id_drops_tracking_parameters(
    crawled_ning: dict[str, Post], ning_site_module: LocalSite
) -> None:
    host = ning_site_module.base_url.removeprefix("http://")
    topic = crawled_ning[f"network:{host}/forum/topics/open-data-vragen"]
    assert (topic.kind, topic.author, topic.title) == (
        "post",
        "Ömer Yılmaz",
        "Vragen over open data",
    )
    [reply] = [p for p in crawled_ning.values() if p.parent_id == topic.id]
    assert (reply.author, reply.author_handle) == ("Zoë van der Meulen", "ZoevanderMeulen")


def test_listing_pages_make_no_post_and_a_changed_layout_falls_back_to_generic(
    crawled_ning: dict[str, Post], ning_site_module: LocalSite
) -> None:
    host = ning_site_module.base_url.removeprefix("http://")
    assert f"network:{host}/" not in crawled_ning
    assert f"network:{host}/profile/JanJansen" not in crawled_ning
    changed = crawled_ning[f"network:{host}/profiles/blogs/nieuwe-layout"]
    assert changed.kind == "page"
    assert changed.title == "Een blog in de nieuwe vormgeving"
    assert "dijkversterking" in changed.text and "Ambtenaar 2.0" not in changed.text


def test_pbworks_page_with_relative_last_edit_and_comments() -> None:
    url = "http://ambtenaar20.pbworks.com/w/page/2153/Handboek%20Nieuwe%20Media"
    [page, *comments] = extract_posts(
        page_capture("pbworks_page.html", url, "pbworks", platform="wiki")
    )

    assert (page.id, page.kind, page.platform) == (
        "network:ambtenaar20.pbworks.com/w/page/2153/Handboek%20Nieuwe%20Media",
        "page",
        "wiki",
    )
    assert (page.title, page.author, page.author_handle) == (
        "Handboek Nieuwe Media",
        "Davied van Berlo",
        "1187",
    )
    assert page.published_at == datetime(2009, 7, 15, 12, 0, tzinfo=UTC) and page.date_approximate
    assert "Page history" not in page.text and "Deel wat je leert" in page.text
    assert page.hashtags == ["handboek"]
    assert [(c.author, c.published_at, c.date_approximate) for c in comments] == [
        ("Frank Frissen", datetime(2009, 7, 15, 16, 28, tzinfo=UTC), False),
        ("Anoniem", datetime(2009, 7, 16, 7, 2, tzinfo=UTC), False),
    ]
    assert comments[0].id == f"{page.id}#comment-88"
    assert comments[1].id.startswith(f"{page.id}#comment-") and comments[1].parent_id == page.id


def test_pleio_blog_reads_exact_times_from_attributes_and_resolves_relative_ones() -> None:
    url = "https://kennisnet.pleio.nl/blog/view/998/samen-werken-aan-de-woo"
    [blog, first, second] = extract_posts(page_capture("pleio_blog.html", url, "pleio"))

    assert (blog.title, blog.author, blog.author_handle) == (
        "Samen werken aan de Woo",
        "Marieke de Vries",
        "mdevries",
    )
    assert (
        blog.published_at == datetime(2016, 3, 14, 8, 41, tzinfo=UTC) and not blog.date_approximate
    )
    assert blog.hashtags == ["woo", "openbaarheid"]
    assert (first.id, first.author, first.published_at) == (
        f"{blog.id}#comment-4711",
        "Piet Janssen",
        datetime(2016, 3, 15, 13, 5, tzinfo=UTC),
    )
    assert (
        second.published_at == datetime(2022, 1, 13, 12, 0, tzinfo=UTC) and second.date_approximate
    )
    assert first.text == "Goed stuk. Hoe pakken jullie de archivering aan?"


def test_same_page_gives_the_same_ids_on_every_extraction() -> None:
    url = "http://ambtenaar20.pbworks.com/w/page/2153/Handboek%20Nieuwe%20Media"
    first = [p.id for p in extract_posts(page_capture("pbworks_page.html", url, "pbworks"))]
    again = [
        p.id
        for p in extract_posts(page_capture("pbworks_page.html", url + "?mode=print", "pbworks"))
    ]
    assert first == again and len(set(first)) == 3


def test_non_html_and_error_pages_make_no_posts() -> None:
    capture = page_capture("ning_blog.html", "http://x.example/profiles/blogs/a", "ning")
    assert list(extract_posts(Capture(**{**capture.__dict__, "http_status": 404}))) == []
    assert list(extract_posts(Capture(**{**capture.__dict__, "content_type": "image/png"}))) == []
    assert (
        list(
            extract_posts(
                Capture(
                    **{
                        **capture.__dict__,
                        "metadata": {**capture.metadata, "capture_kind": "robots"},
                    }
                )
            )
        )
        == []
    )
