"""Import of an X account archive zip: the zip and each tweets part archived as resources,
Posts made from the parts like from the API, and a second import of the same zip a no-op."""

from __future__ import annotations

import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from collectors.x_archive import XArchiveCollector
from config.models import XArchiveSource
from foundation.errors import CaptureError
from tests.collectors.social.conftest import Harness


def _tweet(tweet_id: str, text: str, created: str, **extra: Any) -> dict[str, Any]:
    tweet = {
        "edit_info": {
            "initial": {
                "editTweetIds": [tweet_id],
                "editableUntil": created,
                "editsRemaining": "5",
                "isEditEligible": True,
            }
        },
        "retweeted": False,
        "source": '<a href="https://mobile.twitter.com" rel="nofollow">Twitter Web App</a>',
        "entities": {"hashtags": [], "symbols": [], "user_mentions": [], "urls": []},
        "display_text_range": ["0", str(len(text))],
        "favorite_count": "3",
        "id_str": tweet_id,
        "truncated": False,
        "retweet_count": "1",
        "id": tweet_id,
        "created_at": created,
        "favorited": False,
        "full_text": text,
        "lang": "nl",
    }
    tweet.update(extra)
    return {"tweet": tweet}


def _build_archive(path: Path) -> None:
    root = _tweet(
        "1461009873654321152",
        "Vandaag de eerste vergunning via het nieuwe omgevingsloket afgehandeld. Binnen de termijn! #omgevingswet https://t.co/AbCdEf1234",
        "Wed Nov 17 09:12:44 +0000 2021",
        entities={
            "hashtags": [{"text": "Omgevingswet", "indices": ["87", "100"]}],
            "symbols": [],
            "user_mentions": [],
            "urls": [
                {
                    "url": "https://t.co/AbCdEf1234",
                    "expanded_url": "https://www.utrecht.nl/omgevingswet",
                    "display_url": "utrecht.nl/omgevingswet",
                    "indices": ["101", "124"],
                }
            ],
        },
    )
    own_reply = _tweet(
        "1461011234567890944",
        "@jcosic Klopt, de slides staan op intranet. Volgende week de evaluatie met de #dso werkgroep.",
        "Wed Nov 17 09:18:09 +0000 2021",
        in_reply_to_status_id_str="1461010555555555840",
        in_reply_to_status_id="1461010555555555840",
        in_reply_to_user_id_str="5981729049",
        in_reply_to_screen_name="jcosic",
        entities={
            "hashtags": [{"text": "dso", "indices": ["77", "81"]}],
            "symbols": [],
            "user_mentions": [
                {
                    "name": "Jeroen Ćosić",
                    "screen_name": "jcosic",
                    "indices": ["0", "7"],
                    "id_str": "5981729049",
                    "id": "5981729049",
                }
            ],
            "urls": [],
        },
    )
    thread_part = _tweet(
        "1461012000000000000",
        "Aanvulling: de evaluatie is openbaar, iedereen is welkom. &amp; neem gerust collega's mee.",
        "Wed Nov 17 09:21:11 +0000 2021",
        in_reply_to_status_id_str="1461009873654321152",
        in_reply_to_status_id="1461009873654321152",
        in_reply_to_screen_name="zoevdmeulen",
    )
    retweet = _tweet(
        "1461100000000000001",
        "RT @jcosic: Open standaarden zijn geen IT-feestje maar een bestuurlijke keuze. #digitaleoverheid",
        "Wed Nov 17 15:10:00 +0000 2021",
    )
    older_part = _tweet(
        "1300000000000000000",
        "Eerste dag bij de gemeente Utrecht. Zin in! #ambtenaar20",
        "Sun Aug 30 07:00:00 +0000 2020",
        entities={
            "hashtags": [{"text": "ambtenaar20", "indices": ["44", "56"]}],
            "symbols": [],
            "user_mentions": [],
            "urls": [],
        },
    )
    account = [
        {
            "account": {
                "email": "zoe@utrecht.example",
                "createdVia": "web",
                "username": "zoevdmeulen",
                "accountId": "2490049459",
                "createdAt": "2011-03-01T10:00:00.000Z",
                "accountDisplayName": "Zoë van der Meulen",
            }
        }
    ]
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(
            "data/account.js",
            "window.YTD.account.part0 = " + json.dumps(account, indent=2, ensure_ascii=False),
        )
        zf.writestr(
            "data/tweets.js",
            "window.YTD.tweets.part0 = "
            + json.dumps([root, own_reply, thread_part, retweet], indent=2, ensure_ascii=False),
        )
        zf.writestr(
            "data/tweets-part1.js",
            "window.YTD.tweets.part1 = " + json.dumps([older_part], indent=2, ensure_ascii=False),
        )
        zf.writestr(
            "data/tweets_media/1461009873654321152-FOTO.jpg", b"\xff\xd8\xff\xe0 not really a jpeg"
        )
        zf.writestr("Your archive.html", "<html><body>Je archief</body></html>")


def test_archive_zip_and_its_tweet_parts_become_records_and_posts(tmp_path: Path) -> None:
    archive = tmp_path / "twitter-2024-06-30-zoevdmeulen.zip"
    _build_archive(archive)
    harness = Harness(tmp_path / "warcs", {})
    source = XArchiveSource(type="x_archive", name="zoe-archief", path=str(archive))

    report = harness.run(XArchiveCollector, source)

    assert report.outcome == "ok", report.errors
    assert report.counts["tweets"] == 5
    kinds = [
        (c.capture_kind, c.url.rsplit("#", 1)[-1] if "#" in c.url else "zip")
        for c in harness.captures()
    ]
    assert kinds == [
        ("archive_zip", "zip"),
        ("archive_part", "data/tweets.js"),
        ("archive_part", "data/tweets-part1.js"),
    ]
    assert harness.captures()[0].body == archive.read_bytes()
    posts = harness.posts()
    assert set(posts) == {
        "x:1461009873654321152",
        "x:1461011234567890944",
        "x:1461012000000000000",
        "x:1461100000000000001",
        "x:1300000000000000000",
    }

    root = posts["x:1461009873654321152"]
    assert (root.author, root.author_handle) == ("Zoë van der Meulen", "@zoevdmeulen")
    assert root.published_at == datetime(2021, 11, 17, 9, 12, 44, tzinfo=UTC)
    assert root.hashtags == ["omgevingswet"]
    assert root.links == ["https://www.utrecht.nl/omgevingswet"]
    assert root.text.endswith("#omgevingswet https://www.utrecht.nl/omgevingswet")
    assert root.url == "https://x.com/zoevdmeulen/status/1461009873654321152"
    assert root.thread_id == "x:1461009873654321152"

    own_thread = posts["x:1461012000000000000"]
    assert (own_thread.kind, own_thread.parent_id, own_thread.thread_id) == (
        "reply",
        "x:1461009873654321152",
        "x:1461009873654321152",
    )
    assert "& neem gerust" in own_thread.text
    answer = posts["x:1461011234567890944"]
    assert (answer.kind, answer.parent_id, answer.mentions, answer.hashtags) == (
        "reply",
        "x:1461010555555555840",
        ["@jcosic"],
        ["dso"],
    )
    assert posts["x:1461100000000000001"].kind == "repost"
    assert posts["x:1300000000000000000"].hashtags == ["ambtenaar20"]
    assert all(p.source == "zoe-archief" and p.lang == "nl" for p in posts.values())
    assert (
        b"zoe@utrecht.example" not in json.dumps([c.metadata for c in harness.captures()]).encode()
    )


def test_importing_the_same_archive_again_archives_nothing(tmp_path: Path) -> None:
    archive = tmp_path / "archive.zip"
    _build_archive(archive)
    harness = Harness(tmp_path / "warcs", {})
    source = XArchiveSource(type="x_archive", name="zoe-archief", path=str(archive))
    harness.run(XArchiveCollector, source)
    again = harness.run(XArchiveCollector, source)

    assert again.outcome == "ok"
    assert again.counts["captures"] == 0 and again.counts["unchanged"] == 1
    assert len(harness.captures()) == 3


def test_a_zip_without_tweets_is_refused_with_a_clear_error(tmp_path: Path) -> None:
    archive = tmp_path / "not-an-x-archive.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("notes.txt", "geen tweets")
    harness = Harness(tmp_path / "warcs", {})
    source = XArchiveSource(type="x_archive", name="verkeerd", path=str(archive))

    with pytest.raises(CaptureError, match="verkeerd.*holds no data/tweets.js"):
        harness.run(XArchiveCollector, source)
