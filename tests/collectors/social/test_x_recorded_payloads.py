"""Posts from real X API responses recorded by tweepy's test suite, archived as the exchanges
they were (gzipped bodies and all) and read back: checked field by field."""

from __future__ import annotations

import zipfile
from datetime import UTC, datetime
from pathlib import Path

from collectors.x_archive import XArchiveCollector
from config.models import XArchiveSource
from indexer.extractors.base import Capture
from tests.collectors.social.conftest import (
    Harness,
    api_metadata,
    cassette_captures,
    load_cassette,
    posts_from,
)
from tests.fixtures.material import material

CASSETTES = material("tweepy/cassettes")  # only in ../shared: tweepy's sdists carry none
pytestmark = CASSETTES.mark
TWEEPY_CASSETTES = CASSETTES.root or Path("tweepy-cassettes-missing")


def _v2_captures(tmp_path: Path, name: str, extra: dict[str, str]) -> list[Capture]:
    interactions = load_cassette(TWEEPY_CASSETTES / name)
    return cassette_captures(tmp_path, [(i, api_metadata("x", "x", extra)) for i in interactions])


def test_user_timeline_page_gives_one_post_per_tweet_with_author_from_the_page(
    tmp_path: Path,
) -> None:
    captures = _v2_captures(
        tmp_path,
        "test_client_get_users_tweets.yaml",
        {
            "endpoint": "user_tweets",
            "account": "Twitter",
            "user_id": "783214",
            "user_name": "Twitter",
        },
    )
    assert captures[0].body.startswith(b'{"data"')  # read back gunzipped from the wire bytes
    posts = posts_from(captures)

    assert sorted(posts) == ["x:1565318587736285184", "x:1577730467436138524"]
    mixed = posts["x:1577730467436138524"]
    assert mixed.platform == "x"
    assert mixed.source == "recorded"
    assert mixed.kind == "post"
    assert mixed.author == "Twitter"
    assert mixed.author_handle == "@Twitter"
    assert mixed.author_url == "https://x.com/Twitter"
    assert mixed.url == "https://x.com/Twitter/status/1577730467436138524"
    assert mixed.text.startswith(
        "whoa, it works\n\nnow everyone can mix GIFs, videos, and images in one Tweet"
    )
    assert mixed.published_at == datetime(2022, 10, 5, 18, 40, 30, 908000, tzinfo=UTC)
    assert mixed.updated_at is None
    assert mixed.thread_id == "x:1577730467436138524"
    assert mixed.parent_id == ""
    assert mixed.collected_at is not None and mixed.collected_at.tzinfo is not None
    assert (
        mixed.capture is not None
        and mixed.capture.target_uri == "https://api.twitter.com/2/users/783214/tweets"
    )
    edit_test = posts["x:1565318587736285184"]
    assert edit_test.published_at == datetime(2022, 9, 1, 12, 40, 8, 186000, tzinfo=UTC)


def test_mentions_page_lists_every_mentioned_handle_and_leaves_the_author_open(
    tmp_path: Path,
) -> None:
    posts = posts_from(
        _v2_captures(
            tmp_path,
            "test_client_get_users_mentions.yaml",
            {"endpoint": "user_mentions", "account": "Twitter", "user_id": "783214"},
        )
    )

    assert len(posts) == 10
    cohan = posts["x:1578516273537118209"]
    assert cohan.mentions == ["@WilliamCohan", "@elonmusk", "@Twitter", "@PuckNews"]
    assert (
        cohan.author_handle == ""
    )  # a mention is written by someone else; the page does not say who
    assert cohan.published_at == datetime(2022, 10, 7, 22, 43, 1, 682000, tzinfo=UTC)
    thread = posts["x:1578516249856077825"]
    assert thread.mentions == [
        "@KeepusAllFree",
        "@AmoonRawh",
        "@FatefulHaven",
        "@jakeshieldsajj",
        "@Twitter",
    ]
    assert posts["x:1578516190862794753"].mentions == ["@itsJeffTiedrich", "@twitter"]


def test_tweet_lookup_gives_hashtags_lowercased(tmp_path: Path) -> None:
    posts = posts_from(
        _v2_captures(tmp_path, "test_client_get_tweets.yaml", {"endpoint": "tweets_lookup"})
    )

    launch = posts["x:1293593516040269825"]
    assert launch.hashtags == ["twitterapi"]
    assert launch.published_at == datetime(2020, 8, 12, 17, 1, 42, 686000, tzinfo=UTC)
    assert launch.url == "https://x.com/i/web/status/1293593516040269825"
    assert posts["x:1293595870563381249"].hashtags == ["twitterapi", "earlyaccess", "versionbump"]


def test_retweets_in_a_search_page_are_reposts(tmp_path: Path) -> None:
    posts = posts_from(
        _v2_captures(
            tmp_path,
            "test_client_search_all_tweets.yaml",
            {"endpoint": "search_all", "query": "Tweepy"},
        )
    )

    assert len(posts) == 10
    retweet = posts["x:1578519902427619328"]
    assert retweet.kind == "repost"
    assert retweet.mentions == ["@t6dr1ve"]
    assert retweet.hashtags[:3] == ["twitterbots", "tweepy", "openai"]
    assert posts["x:1578520094778740736"].kind == "post"


def test_html_escapes_of_the_api_text_are_undone(tmp_path: Path) -> None:
    posts = posts_from(
        _v2_captures(tmp_path, "test_client_get_home_timeline.yaml", {"endpoint": "home_timeline"})
    )

    assert "&lt;" not in posts["x:1578341223664062465"].text
    assert "< great feature" in posts["x:1578341223664062465"].text
    assert "@alanbenlee @snowman & I are testing" in posts["x:1578095129495482369"].text


def test_real_v1_statuses_in_an_archive_part_keep_reply_links_and_entities(tmp_path: Path) -> None:
    # An account archive's tweets.js holds v1.1-shaped tweets; real v1.1 statuses recorded by
    # tweepy (the @Twitter timeline) go into one as they are.
    statuses = load_cassette(TWEEPY_CASSETTES / "testusertimeline.json")[1]["response"]["body"][
        "string"
    ]
    archive = tmp_path / "twitter-archive.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("data/tweets.js", "window.YTD.tweets.part0 = " + statuses)
        zf.writestr(
            "data/account.js",
            'window.YTD.account.part0 = [{"account": {"username": "Twitter", "accountId": "783214", "accountDisplayName": "Twitter"}}]',
        )
    harness = Harness(tmp_path / "warcs", {})
    report = harness.run(
        XArchiveCollector,
        XArchiveSource(type="x_archive", name="twitter-archive", path=str(archive)),
    )
    assert report.outcome == "ok", report.errors
    posts = harness.posts()

    assert len(posts) == 20
    reply = posts["x:1341793727208181762"]
    assert reply.kind == "reply"
    assert reply.parent_id == "x:1341404809354760192"
    assert reply.mentions == ["@TreyNKennedy"]
    assert reply.author == "Twitter"
    assert reply.author_handle == "@Twitter"
    assert reply.published_at == datetime(2020, 12, 23, 17, 12, 8, tzinfo=UTC)
    assert reply.url == "https://x.com/Twitter/status/1341793727208181762"
    assert reply.thread_id == ""  # its parent is someone else's tweet, not in this archive
    assert all(p.source == "twitter-archive" and p.platform == "x" for p in posts.values())
    assert posts["x:1341161863103488003"].parent_id == "x:1341161857931874304"
    assert posts["x:1341161857931874304"].parent_id == "x:1341161853343334401"
    roast = posts["x:1341398683594715138"]
    assert (roast.kind, roast.thread_id, roast.text) == (
        "post",
        "x:1341398683594715138",
        "roast 2020. go.",
    )
    assert sum(p.kind == "reply" for p in posts.values()) == 19
