"""The X collector against the demo X API v2 emulator over real HTTP: complete first harvest,
incremental second run, rate limits waited out mid-paging, the bearer token kept out of every
WARC, bad tokens failing only their own source, and threads rebuilt from the Posts alone."""

from __future__ import annotations

import gzip
from collections import defaultdict
from datetime import UTC, datetime
from urllib.parse import quote

import pytest

from collectors.x import XCollector
from config.models import XSource
from foundation.post import Post
from tests.collectors.social.conftest import Harness, XEmulator


def _source(x: XEmulator, name: str = "x-demo", **fields: object) -> XSource:
    accounts = sorted(p.x for p in x.data.people.values() if p.x)
    settings: dict[str, object] = {
        "type": "x",
        "name": name,
        "api_base": x.base_url,
        "accounts": accounts,
        "bearer_token_env": "ARCHIVEREN_TEST_X_TOKEN",
    }
    return XSource.model_validate(settings | fields)


@pytest.fixture(autouse=True)
def _token(monkeypatch: pytest.MonkeyPatch, x_emulator: XEmulator) -> None:
    monkeypatch.setenv("ARCHIVEREN_TEST_X_TOKEN", x_emulator.token)


def _expected_ids(x: XEmulator) -> set[str]:
    # an edited tweet is one Post, named after the first version
    return {f"x:{t.edit_history[0]}" for t in x.data.visible_tweets()}


def test_first_run_archives_every_tweet_and_second_run_only_new_ones(
    x_emulator: XEmulator, harness: Harness
) -> None:
    source = _source(x_emulator)
    first = harness.run(XCollector, source)
    assert first.outcome == "ok", first.errors
    assert set(harness.posts()) == _expected_ids(x_emulator)
    assert first.counts["tweets"] == len(x_emulator.data.visible_tweets())
    captured_before = len(harness.captures())

    root = x_emulator.app.add_tweet(
        "zoe", "Vanmiddag de nieuwe participatieverordening besproken met de raad. #omgevingswet"
    )
    answer = x_emulator.app.add_tweet(
        "jeroen", "@zoevdmeulen Mooi! Delen jullie de tekst?", reply_to=root.id
    )
    second = harness.run(XCollector, source)

    assert second.outcome == "ok", second.errors
    assert second.counts["tweets"] == 2
    new_captures = [
        capture
        for capture in harness.captures()[captured_before:]
        if capture.metadata.get("extra", {}).get("direction") != "recheck"
    ]
    new_ids = {post.id for capture in new_captures for post in _extract(capture)}
    assert new_ids == {f"x:{root.id}", f"x:{answer.id}"}
    posts = harness.posts()
    assert posts[f"x:{answer.id}"].parent_id == f"x:{root.id}"
    assert posts[f"x:{root.id}"].hashtags == ["omgevingswet"]
    assert set(posts) == _expected_ids(x_emulator)


def _extract(capture: object) -> list[Post]:
    from indexer.extractors.x import extract_posts

    return list(extract_posts(capture))  # type: ignore[arg-type]


def test_rate_limit_mid_pagination_is_waited_out_and_paging_resumes(
    x_emulator: XEmulator, harness: Harness
) -> None:
    list_id = next(iter(x_emulator.data.x_lists))
    members = set(x_emulator.data.x_lists[list_id].members)
    expected = {
        f"x:{t.edit_history[0]}" for t in x_emulator.data.visible_tweets() if t.author in members
    }
    assert len(expected) > 100, "the list must span two pages of 100"
    x_emulator.app.force_rate_limit(after_requests=1, reset_in_seconds=1)

    # the API's paging is the subject: the media files (another host on X) stay out of it
    source = _source(
        x_emulator, accounts=[], lists=[list_id], capture_media=False, edit_versions=False
    )
    report = harness.run(XCollector, source)

    assert report.outcome == "ok", report.errors
    assert report.counts["rate_limit_waits"] == 1
    statuses = [c.http_status for c in harness.captures()]
    assert statuses == [200, 429, 200]
    pages = [
        (c.metadata["extra"]["page"], c.metadata["extra"].get("cursor")) for c in harness.captures()
    ]
    assert pages[0] == (1, None)
    assert pages[1] == pages[2] and pages[1][1]  # the same second page asked again after the wait
    assert set(harness.posts()) == expected


def test_a_harvest_cut_short_by_the_page_limit_continues_on_the_next_run(
    x_emulator: XEmulator, harness: Harness
) -> None:
    list_id = next(iter(x_emulator.data.x_lists))
    source = _source(x_emulator, accounts=[], lists=[list_id], max_pages=1)
    harness.run(XCollector, source)
    assert harness.states[source.name]["resume"]
    harness.run(XCollector, source)

    members = set(x_emulator.data.x_lists[list_id].members)
    assert set(harness.posts()) == {
        f"x:{t.edit_history[0]}" for t in x_emulator.data.visible_tweets() if t.author in members
    }
    assert harness.states[source.name]["resume"] == {}


def test_no_warc_holds_the_bearer_token(x_emulator: XEmulator, harness: Harness) -> None:
    harness.run(XCollector, _source(x_emulator, queries=["#woo"]))
    files = sorted(harness.warc_dir.glob("*.warc.gz"))
    assert files
    for path in files:
        raw = gzip.decompress(path.read_bytes())
        assert b"WARC-Type: request" in raw
        for form in (
            x_emulator.token,
            quote(x_emulator.token, safe=""),
            x_emulator.token.split("%")[0],
        ):
            assert form.encode() not in raw, f"{path.name} holds the bearer token"
        assert b"Bearer" not in raw


def test_a_revoked_token_fails_its_own_source_with_a_clear_error_and_not_the_others(
    x_emulator: XEmulator, harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ARCHIVEREN_TEST_X_OLD_TOKEN", "revoked-token")
    broken = harness.run(
        XCollector,
        _source(x_emulator, name="x-old-app", bearer_token_env="ARCHIVEREN_TEST_X_OLD_TOKEN"),
    )
    healthy = harness.run(XCollector, _source(x_emulator, name="x-new-app"))

    assert broken.outcome == "failed"
    assert len(broken.errors) == 1
    assert "HTTP 401" in broken.errors[0] and "ARCHIVEREN_TEST_X_OLD_TOKEN" in broken.errors[0]
    assert "revoked-token" not in broken.errors[0]
    assert healthy.outcome == "ok"
    assert len(harness.posts()) == len(_expected_ids(x_emulator))


def test_a_missing_token_variable_names_the_variable(
    x_emulator: XEmulator, harness: Harness
) -> None:
    report = harness.run(
        XCollector, _source(x_emulator, bearer_token_env="ARCHIVEREN_TEST_X_UNSET")
    )
    assert report.outcome == "failed"
    assert "ARCHIVEREN_TEST_X_UNSET" in report.errors[0]


def test_threads_are_rebuilt_from_the_posts_alone(x_emulator: XEmulator, harness: Harness) -> None:
    harness.run(XCollector, _source(x_emulator))
    posts = harness.posts()
    threads: dict[str, list[Post]] = defaultdict(list)
    for post in posts.values():
        threads[post.thread_id].append(post)

    data = x_emulator.data
    deep = [
        t
        for t in data.visible_tweets()
        if data.tweets[t.conversation_id].visible
        and any(k == "replied_to" and data.tweets[r].referenced for k, r in t.referenced)
    ]
    assert deep, "the demo world has replies to replies"
    for tweet in deep:
        thread = {p.id: p for p in threads[f"x:{tweet.conversation_id}"]}
        chain = [thread[f"x:{tweet.id}"]]
        while chain[-1].parent_id in thread:
            chain.append(thread[chain[-1].parent_id])
        assert [p.kind for p in chain] == ["reply", "reply", "post"]
        assert chain[-1].id == f"x:{tweet.conversation_id}"
        assert (
            chain[0].published_at
            and chain[-1].published_at
            and chain[0].published_at > chain[-1].published_at
        )


def test_tweets_carry_author_entities_media_and_edits(
    x_emulator: XEmulator, harness: Harness
) -> None:
    harness.run(XCollector, _source(x_emulator))
    posts = harness.posts()
    data = x_emulator.data

    edited = next(t for t in data.visible_tweets() if len(t.edit_history) > 1)
    post = posts[f"x:{edited.edit_history[0]}"]
    assert post.text.endswith("Aanvulling: de slides staan nu online.")
    assert post.updated_at == edited.created_at.replace(
        microsecond=edited.created_at.microsecond // 1000 * 1000
    )
    assert post.published_at is not None and post.published_at < post.updated_at

    with_media = next(t for t in data.visible_tweets() if t.media)
    assert posts[f"x:{with_media.edit_history[0]}"].media and all(
        m.startswith("http") for m in posts[f"x:{with_media.edit_history[0]}"].media
    )
    retweet = next(
        t for t in data.visible_tweets() if t.referenced and t.referenced[0][0] == "retweeted"
    )
    repost = posts[f"x:{retweet.id}"]
    assert repost.kind == "repost" and repost.parent_id == f"x:{retweet.referenced[0][1]}"
    assert "…" not in repost.text  # the full text of the original, not the cut-off RT text
    person = data.person(retweet.author)
    assert (repost.author, repost.author_handle) == (person.name, f"@{person.x}")
    assert all(
        p.published_at
        and p.published_at.tzinfo == UTC
        and p.published_at > datetime(2010, 11, 4, tzinfo=UTC)
        for p in posts.values()
    )
    assert all(p.lang == "nl" for p in posts.values())


def test_an_edit_chain_becomes_versions_of_one_post_with_earlier_versions_looked_up_once(
    x_emulator: XEmulator, harness: Harness
) -> None:
    data = x_emulator.data
    first = min(
        (
            t
            for t in data.visible_tweets()
            if len(t.edit_history) == 1
            and not t.referenced
            and not t.media
            and "http" not in t.text
        ),
        key=lambda t: t.created_at,
    )
    edited = x_emulator.app.edit_tweet(first.id, "Het omgevingsplan ligt ter inzage (versie 2).")
    source = _source(x_emulator, accounts=[data.person(first.author).x], capture_media=False)

    harness.run(XCollector, source)
    again = harness.run(XCollector, source)

    lookups = [
        c
        for c in harness.captures()
        if c.metadata.get("extra", {}).get("endpoint") == "edit_history"
    ]
    assert len(lookups) == 1 and first.id in lookups[0].url
    assert again.counts["edit_versions_looked_up"] == 0
    post = harness.posts()[f"x:{first.id}"]
    assert post.text == edited.text and not post.versions_only
    assert [v.text for v in post.versions] == [first.text]
    assert post.versions[0].edited_at is not None and post.current_since is not None
    assert post.versions[0].edited_at < (post.current_since.edited_at or post.versions[0].edited_at)
