"""A WordPress post's comments also through the site's REST API, when its pages offer it: the
API's answers are archived, and the comments read from them are the same Posts (ids, authors,
dates, parents) as those the page's markup shows."""

from __future__ import annotations

import json
from pathlib import Path

from collectors.runner import run_sources
from demo_sources import DemoSources
from indexer.extractors.wordpress_comments import rest_api_comments
from indexer.pipeline import index_new_records
from indexer.query_model import SearchRequest
from tests.fixtures.demo import demo_workspace

API_PAGE = [
    {
        "id": 12,
        "post": 7,
        "parent": 0,
        "author_name": "Josef Franz Lindner,",
        "author_url": "https://example.org/jfl",
        "date": "2014-02-20T15:16:00",
        "date_gmt": "2014-02-20T14:16:00",
        "content": {"rendered": '<p>Goed punt &amp; <a href="#">link</a></p>\n'},
        "type": "comment",
    },
    {
        "id": 13,
        "post": 7,
        "parent": 12,
        "author_name": "Anne",
        "author_url": "",
        "date_gmt": "2014-02-21T08:05:00",
        "content": {"rendered": "<p>Eens.</p>"},
        "type": "comment",
    },
    {
        "id": 14,
        "post": 7,
        "parent": 0,
        "author_name": "Een ander blog",
        "date_gmt": "2014-02-22T10:00:00",
        "content": {"rendered": "<p>[…] zie ook […]</p>"},
        "type": "pingback",
    },
]


def test_the_rest_api_gives_author_gmt_date_parent_and_type() -> None:
    first, reply, ping = rest_api_comments(json.dumps(API_PAGE).encode())
    assert (first.comment_id, first.author, first.parent_comment_id) == (
        "12",
        "Josef Franz Lindner",
        "",
    )
    assert first.published_at is not None and first.published_at.isoformat() == (
        "2014-02-20T14:16:00+00:00"
    )
    assert first.text == "Goed punt & link"
    assert (reply.parent_comment_id, ping.kind) == ("12", "pingback")


def test_what_is_no_list_of_comments_gives_none() -> None:
    for body in (b"", b"{}", b'{"code": "rest_post_invalid_id"}', b"<html>", b"[1, null]"):
        assert rest_api_comments(body) == []


def test_the_demo_blogs_comments_come_through_the_api_as_the_same_posts(
    demo_sources: DemoSources, tmp_path: Path
) -> None:
    ws = demo_workspace(demo_sources, tmp_path)
    blogs = [source.name for source in ws.config().sources if source.type == "feed"]
    reports = run_sources(ws.config(), ws.data_dir, blogs)
    assert sum(report.counts["comment_api_pages"] for report in reports) > 0
    assert not any(report.errors for report in reports), [r.errors for r in reports]
    assert not index_new_records(ws).errors
    comments = [post for post in ws.backend().scan(SearchRequest(filters={"kind": ["comment"]}))]
    expected = sum(
        len(post.comments)
        for blog in demo_sources.content.blogs.values()
        for post in blog.live_posts()
    )
    assert len(comments) == expected, "each comment once, from the page and the API alike"
    assert all(comment.author and comment.published_at for comment in comments)
    ws.close()
