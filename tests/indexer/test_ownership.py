"""Which pages a source speaks for, and how captures of one Post from two sources, or a later
capture without a retention category, merge: the first source keeps its Post and its retention."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from foundation.pointer import RecordPointer
from foundation.post import Post, Retention
from indexer.merge import merge_capture_history
from platforms.ownership import (
    feed_site,
    foreign_record_id,
    is_foreign_record,
    source_site,
    speaks_for,
)


@pytest.mark.parametrize(
    ("feed_url", "site"),
    [
        ("http://127.0.0.1:8311/zoe/feed/", "http://127.0.0.1:8311/zoe/"),
        ("http://127.0.0.1:8311/zoe/feed/atom/", "http://127.0.0.1:8311/zoe/"),
        ("http://127.0.0.1:8311/zoe/", "http://127.0.0.1:8311/zoe/"),
        ("https://blog.example.nl/feed/", "https://blog.example.nl/"),
        ("https://blog.example.nl/?feed=rss2", "https://blog.example.nl/"),
        ("https://x.blogspot.com/feeds/posts/default", "https://x.blogspot.com/"),
        ("https://gemeente.example/nieuws/index.xml", "https://gemeente.example/nieuws/"),
    ],
)
def test_a_feed_speaks_for_the_site_above_it(feed_url: str, site: str) -> None:
    assert feed_site(feed_url) == site


def test_a_blog_on_a_shared_host_does_not_speak_for_its_neighbours() -> None:
    zoe = source_site({"url": "http://127.0.0.1:8311/zoe/feed/"})
    assert speaks_for(zoe, "http://127.0.0.1:8311/zoe/?p=124")
    assert speaks_for(zoe, "https://127.0.0.1:8311/zoe/2024/02/werken/")
    assert not speaks_for(zoe, "http://127.0.0.1:8311/jeroen/?p=124")
    assert not speaks_for(zoe, "http://127.0.0.1:8311/zoeken/")
    assert not speaks_for(zoe, "http://127.0.0.1:8312/zoe/?p=124")
    assert not speaks_for(zoe, "javascript:alert(1)")


def test_a_configured_site_replaces_the_feeds_own() -> None:
    site = source_site(
        {"url": "https://feeds.example/zoe", "site": ["https://www.zoe.example/blog"]}
    )
    assert speaks_for(site, "https://zoe.example/blog/2024/post")
    assert not speaks_for(site, "https://feeds.example/zoe/1")
    assert not speaks_for(site, "https://zoe.example/blogger/1")


def test_foreign_record_ids_say_whose_record_they_are() -> None:
    post_id = foreign_record_id("blog", "hostile-blog", "http://127.0.0.1:8311/zoe/?p=124")
    assert post_id == "blog:foreign:hostile-blog:http://127.0.0.1:8311/zoe/?p=124"
    assert is_foreign_record(post_id) and is_foreign_record(post_id + "#comment-3")
    assert not is_foreign_record("blog:http://127.0.0.1:8311/zoe/?p=124")
    assert not is_foreign_record("x:1234")


def capture(n: int, day: int) -> RecordPointer:
    return RecordPointer(
        warc_file="a.warc.gz",
        offset=n * 1000,
        length=900,
        record_id=f"<urn:uuid:{n}>",
        capture_date=f"2026-01-{day:02d}T10:00:00Z",
    )


def post(source: str, title: str, day: int, n: int, retention: Retention) -> Post:
    return Post(
        id="blog:http://127.0.0.1:8311/zoe/?p=124",
        platform="blog",
        source=source,
        organisation=f"organisatie van {source}",
        title=title,
        author=f"auteur van {source}",
        collected_at=datetime(2026, 1, day, 10, tzinfo=UTC),
        capture=capture(n, day),
        retention=retention,
    )


KEPT = Retention(category="1.1", keep_until=date(2036, 1, 1))


def test_another_sources_later_capture_changes_none_of_the_owners_fields() -> None:
    owner = post("blog-zoe", "Eigen titel", 1, 1, KEPT)
    other = post("zoe-spiegel", "Andere titel", 9, 2, Retention())
    merged = merge_capture_history(owner, other)
    assert merged.model_dump(exclude={"earlier_captures"}) == owner.model_dump(
        exclude={"earlier_captures"}
    )
    assert merged.earlier_captures == [other.capture], "the other capture stays listed"


def test_a_later_capture_never_empties_the_retention_category() -> None:
    first = post("blog-zoe", "Titel", 1, 1, KEPT)
    later = post("blog-zoe", "Nieuwe titel", 9, 2, Retention())
    merged = merge_capture_history(first, later)
    assert merged.title == "Nieuwe titel" and merged.capture == later.capture
    assert merged.retention == KEPT


def test_a_later_capture_may_change_the_category_and_never_lifts_a_hold() -> None:
    held = post("blog-zoe", "Titel", 1, 1, Retention(category="1.1", legal_hold=True))
    later = post("blog-zoe", "Titel", 9, 2, Retention(category="2.3"))
    merged = merge_capture_history(held, later)
    assert (merged.retention.category, merged.retention.legal_hold) == ("2.3", True)
