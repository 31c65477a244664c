"""Posts from real Mastodon API responses recorded by Mastodon.py's test suite, archived as the
exchanges they were and read back: checked field by field."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from foundation.post import Post
from tests.collectors.social.conftest import (
    api_metadata,
    cassette_captures,
    load_cassette,
    posts_from,
)
from tests.fixtures.material import material

CASSETTES = material("Mastodon.py/tests/cassettes")  # ../shared, else Mastodon.py's sdist
pytestmark = CASSETTES.mark
MASTODON_CASSETTES = CASSETTES.root or Path("mastodon-cassettes-missing")

HOST = "localhost:3000"


def _posts(
    tmp_path: Path, name: str, method: str, uri_end: str, extra: dict[str, str]
) -> dict[str, Post]:
    chosen = [
        i
        for i in load_cassette(MASTODON_CASSETTES / name)
        if i["request"]["method"] == method and i["request"]["uri"].endswith(uri_end)
    ]
    assert chosen, f"{name} has no {method} …{uri_end}"
    return posts_from(
        cassette_captures(
            tmp_path,
            [
                (i, api_metadata("mastodon", "mastodon", {"instance": f"http://{HOST}", **extra}))
                for i in chosen
            ],
        )
    )


def test_single_status_gives_id_author_time_and_text(tmp_path: Path) -> None:
    posts = _posts(
        tmp_path, "test_status.yaml", "GET", "/statuses/117020583223442465", {"endpoint": "status"}
    )

    post = posts[f"mastodon:{HOST}:117020583223442465"]
    assert post.platform == "mastodon"
    assert post.kind == "post"
    assert post.author == "John Lennon"
    assert post.author_handle == f"@mastodonpy_test@{HOST}"
    assert post.author_url == "http://localhost:3000/@mastodonpy_test"
    assert post.published_at is not None and post.published_at.tzinfo == UTC
    assert post.text == "Toot!"
    assert post.thread_id == f"mastodon:{HOST}:117020583223442465"
    assert post.parent_id == ""
    assert post.capture is not None and post.capture.target_uri.endswith(
        "/api/v1/statuses/117020583223442465"
    )


def test_boost_is_a_repost_of_the_boosted_status(tmp_path: Path) -> None:
    posts = _posts(
        tmp_path,
        "test_status_reblog_unreblog.yaml",
        "POST",
        "/117020586019094258/reblog",
        {"endpoint": "status"},
    )

    boost = posts[f"mastodon:{HOST}:117020586027094262"]
    assert boost.kind == "repost"
    assert boost.parent_id == f"mastodon:{HOST}:117020586019094258"
    assert boost.text == "Toot!"
    assert boost.lang == "en"
    assert boost.published_at == datetime(2026, 8, 1, 13, 53, 58, 160000, tzinfo=UTC)
    assert (
        boost.url
        == "http://localhost:3000/users/mastodonpy_test/statuses/117020586027094262/activity"
    )


def test_edited_status_carries_its_edit_time(tmp_path: Path) -> None:
    posts = _posts(
        tmp_path,
        "test_status_edit.yaml",
        "GET",
        "/statuses/117020586180926938",
        {"endpoint": "status"},
    )

    edited = posts[f"mastodon:{HOST}:117020586180926938"]
    assert edited.published_at == datetime(2026, 8, 1, 13, 54, 0, 505000, tzinfo=UTC)
    assert edited.updated_at == datetime(2026, 8, 1, 13, 54, 0, 695000, tzinfo=UTC)
    assert edited.text == "the best editor? why, of course it is the KDE Advanced Text Editor, Kate"
    assert edited.author_handle == f"@mastodonpy_test_2@{HOST}"
    assert edited.author == "mastodonpy_test_2"  # no display name set: the username stands in
    assert edited.lang == "ja"


def test_link_card_and_hidden_url_parts_give_the_whole_link(tmp_path: Path) -> None:
    posts = _posts(
        tmp_path,
        "test_status_card.yaml",
        "GET",
        "/statuses/117020609135389699",
        {"endpoint": "status"},
    )

    post = posts[f"mastodon:{HOST}:117020609135389699"]
    assert post.links == ["http://example.org/"]
    assert "http://example.org/" in post.text


def test_hashtag_timeline_pages_give_lowercased_tags_for_every_status(tmp_path: Path) -> None:
    posts = _posts(
        tmp_path,
        "test_fetch_remaining.yaml",
        "GET",
        "?limit=10",
        {
            "endpoint": "tag_timeline",
            "hashtag": "fgiztsshwiaqqiztpmmjbtvmescsculuvmgjgopwoeidbcrixp",
        },
    )

    assert len(posts) == 10
    newest = posts[f"mastodon:{HOST}:117020581413876942"]
    assert newest.text.startswith(
        "Toot number 29! #fgiztsshwiaqqiztpmmjbtvmescsculuvmgjgopwoeidbcrixp"
    )
    assert newest.hashtags == ["fgiztsshwiaqqiztpmmjbtvmescsculuvmgjgopwoeidbcrixp"]
    assert newest.links == []  # the hashtag link is a tag, not a link
