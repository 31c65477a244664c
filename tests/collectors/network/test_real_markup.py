"""Profiles read the markup real Ning and PBworks sites used, not only the demo's: bylines with a
label in front of a plain profile link, tags as links recognised by their address, comment
headers in Dutch and English, a post reached by another URL shape, a wiki page whose last editor
is plain text, relative dates marked approximate, and every date in UTC."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from foundation.post import Post
from indexer.extractors.network import extract_posts, read_site_page
from platforms.profile import load_profile
from platforms.rules import clean_name, label_value
from tests.collectors.network.test_extract import CAPTURED_AT, page_capture


def _posts(name: str, url: str, profile: str, platform: str = "network") -> list[Post]:
    return list(extract_posts(page_capture(name, url, profile, platform)))


def _utc(post: Post) -> datetime:
    assert post.published_at is not None and post.published_at.utcoffset() == timedelta(0)
    return post.published_at


def test_ning_dutch_byline_with_plain_profile_link_and_tag_links() -> None:
    url = "http://ambtenaar20.ning.com/profiles/blogs/open-data-bij-de-gemeente"
    reading = read_site_page(
        load_profile("ning"),
        page_capture("ning_blog_plain_byline_nl.html", url, "ning").body,
        url,
        CAPTURED_AT,
    )
    assert not reading.profile_mismatch
    [blog, *comments] = _posts("ning_blog_plain_byline_nl.html", url, "ning")

    assert (blog.kind, blog.title, blog.author, blog.author_handle, blog.author_url) == (
        "post",
        "Open data bij de gemeente: waar begin je?",
        "Ingrid Verhoeven",
        "IngridVerhoeven",
        "http://ambtenaar20.ning.com/profile/IngridVerhoeven",
    )
    assert _utc(blog) == datetime(2014, 2, 20, 14, 16, tzinfo=UTC) and not blog.date_approximate
    assert blog.hashtags == ["open data", "gemeenten"]
    assert blog.text.startswith("Veel gemeenten") and "Weergaven" not in blog.text
    assert [(c.author, c.author_handle, _utc(c), c.date_approximate) for c in comments] == [
        ("Kees Bakker", "KeesBakker", datetime(2014, 2, 20, 15, 2, tzinfo=UTC), False),
        ("Jan op de Beek", "", datetime(2014, 2, 21, 8, 5, tzinfo=UTC), False),
        ("Ingrid Verhoeven", "IngridVerhoeven", CAPTURED_AT - timedelta(days=3), True),
    ]
    assert [c.text for c in comments] == [
        "Wij begonnen met de afvalkalender. Die werd meteen gebruikt.",
        "Hoe regelen jullie de privacytoets?",
        "Met een vast stappenplan van de functionaris gegevensbescherming.",
    ]
    assert all(c.parent_id == blog.id and c.kind == "comment" for c in comments)


def test_ning_english_post_at_its_xn_detail_address_is_recognised_by_what_it_shows() -> None:
    url = "http://ambtenaar20.ning.com/xn/detail/2520282:BlogPost:98765"
    [blog, *comments] = _posts("ning_blog_xn_detail_en.html", url, "ning")

    assert (blog.kind, blog.author, blog.author_handle) == ("post", "Mark Jansen", "MarkJansen")
    assert _utc(blog) == datetime(2012, 3, 3, 8, 41, tzinfo=UTC)
    assert blog.hashtags == ["guidelines", "twitter"]
    assert [(c.author, _utc(c), c.date_approximate) for c in comments] == [
        ("Sanne de Boer", datetime(2012, 3, 3, 10, 2, tzinfo=UTC), False),
        ("Peter Smith", datetime(2012, 3, 3, 23, 15, tzinfo=UTC), False),
        ("Anne Vos", CAPTURED_AT - timedelta(hours=2), True),
    ]
    assert comments[0].id == f"{blog.id}#comment-2520282:Comment:7001"


def test_pbworks_page_with_plain_text_editor_in_pageinfo_and_commentdate_markup() -> None:
    url = "http://ambtenaar20.pbworks.com/w/page/40123456/Social%20Media%20Protocol"
    reading = read_site_page(
        load_profile("pbworks"),
        page_capture("pbworks_pageinfo.html", url, "pbworks").body,
        url,
        CAPTURED_AT,
    )
    assert not reading.profile_mismatch
    [page, *comments] = _posts("pbworks_pageinfo.html", url, "pbworks", platform="wiki")

    assert (page.kind, page.title, page.author) == (
        "page",
        "Social Media Protocol",
        "Anna de Vries",
    )
    assert _utc(page) == datetime(2017, 11, 15, 12, 0, tzinfo=UTC) and page.date_approximate
    assert page.hashtags == ["protocol", "sociale media"]
    assert "last edited" not in page.text and "Archiveer wat je publiceert" in page.text
    assert [(c.author, c.author_handle, _utc(c), c.date_approximate) for c in comments] == [
        ("Pieter Bakker", "", datetime(2009, 7, 15, 16, 28, tzinfo=UTC), False),
        ("Sanne Jacobs", "5521", CAPTURED_AT - timedelta(hours=2), True),
    ]
    assert [c.id for c in comments] == [f"{page.id}#comment-301", f"{page.id}#comment-302"]
    assert comments[0].text == "Handig. Geldt dit ook voor LinkedIn?"


@pytest.mark.parametrize(
    ("label", "text", "value"),
    [
        ("Geplaatst door|Posted by|Door", "Door Karin Smit", "Karin Smit"),
        (
            "Geplaatst door … op {date}",
            "Geplaatst door Jan op de Beek op 3 mei 2013",
            "Jan op de Beek",
        ),
        ("Reactie van … op {date}|Comment by … on {date}", "Comment by Jo on May 3, 2012", "Jo"),
        ("… sagt:|… says:|… schreef:", "Josef Franz Lindner sagt:", "Josef Franz Lindner"),
        ("… sagt:|… says:|… schreef:", "Anne schreef: mooi", "Anne"),
        ("last edited by … {date}", "last edited by Bo about an hour ago", "Bo"),
        ("Reactie van … op {date}", "Comment by Jo on May 3, 2012", ""),
    ],
)
def test_label_patterns_keep_what_stands_at_the_ellipsis(label: str, text: str, value: str) -> None:
    assert label_value(label, text) == value


def test_names_lose_the_punctuation_around_them() -> None:
    assert clean_name(" Josef Franz Lindner, ") == "Josef Franz Lindner"
    assert clean_name("Anne:") == "Anne" and clean_name("O'Neill-Smit") == "O'Neill-Smit"


def test_a_listing_of_posts_with_bylines_makes_no_post() -> None:
    url = "http://ambtenaar20.ning.com/profiles/blog/list?page=2"
    reading = read_site_page(
        load_profile("ning"),
        page_capture("ning_blog_list_nl.html", url, "ning").body,
        url,
        CAPTURED_AT,
    )
    assert reading.read is not None and (reading.read.kind, reading.profile_mismatch) == (
        None,
        False,
    )
    assert _posts("ning_blog_list_nl.html", url, "ning") == []
