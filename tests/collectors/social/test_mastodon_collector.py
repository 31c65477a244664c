"""The Mastodon collector against the demo instance emulator over real HTTP: complete first
harvest with threads, incremental second run by min_id, boosts, edits and HTML to text."""

from __future__ import annotations

from collections import defaultdict

from collectors.mastodon import MastodonCollector
from config.models import MastodonSource
from foundation.post import Post
from indexer.extractors.mastodon import extract_posts
from tests.collectors.social.conftest import Harness, MastodonEmulator


def _source(m: MastodonEmulator, **fields: object) -> MastodonSource:
    accounts = sorted(f"@{p.mastodon}@{m.host}" for p in m.data.people.values() if p.mastodon)
    settings: dict[str, object] = {
        "type": "mastodon",
        "name": "mastodon-demo",
        "instance": m.base_url,
        "accounts": accounts,
    }
    return MastodonSource.model_validate(settings | fields)


def _pid(m: MastodonEmulator, status_id: str) -> str:
    return f"mastodon:{m.host}:{status_id}"


def test_first_run_archives_every_status_and_second_run_only_new_ones(
    mastodon_emulator: MastodonEmulator, harness: Harness
) -> None:
    m = mastodon_emulator
    source = _source(m)
    first = harness.run(MastodonCollector, source)
    assert first.outcome == "ok", first.errors
    assert set(harness.posts()) == {_pid(m, t.id) for t in m.data.visible_toots()}
    captured_before = len(harness.captures())

    root = m.app.add_status(
        "zoe", "Eerste omgevingsplan-sessie met bewoners gehad. Veel geleerd! #omgevingswet"
    )
    answer = m.app.add_status(
        "jeroen", "@zoe Klinkt goed, deel je de opbrengst?", in_reply_to_id=root.id
    )
    second = harness.run(MastodonCollector, source)

    assert second.outcome == "ok", second.errors
    assert second.counts["statuses"] == 2
    # besides, the newest page is read again to see edits (one page per timeline)
    assert second.counts["pages_rechecked"] == len(source.accounts) + len(source.hashtags)
    new_posts = {
        post.id
        for capture in harness.captures()[captured_before:]
        if capture.metadata.get("extra", {}).get("direction") != "recheck"
        for post in extract_posts(capture)
    }
    assert new_posts == {_pid(m, root.id), _pid(m, answer.id)}
    posts = harness.posts()
    assert posts[_pid(m, answer.id)].parent_id == _pid(m, root.id)
    assert posts[_pid(m, answer.id)].thread_id == _pid(m, root.id)
    assert posts[_pid(m, answer.id)].mentions == [f"@zoe@{m.host}"]


def test_threads_are_rebuilt_from_the_posts_alone(
    mastodon_emulator: MastodonEmulator, harness: Harness
) -> None:
    m = mastodon_emulator
    harness.run(MastodonCollector, _source(m))
    posts = harness.posts()
    threads: dict[str, dict[str, Post]] = defaultdict(dict)
    for post in posts.values():
        threads[post.thread_id][post.id] = post

    toots = m.data.toots
    deep = [
        t
        for t in m.data.visible_toots()
        if t.in_reply_to_id
        and toots[t.in_reply_to_id].in_reply_to_id
        and not toots[t.in_reply_to_id].deleted
        and not toots[toots[t.in_reply_to_id].in_reply_to_id or ""].deleted
    ]
    assert deep, "the demo instance has replies to replies"
    for toot in deep:
        post = posts[_pid(m, toot.id)]
        thread = threads[post.thread_id]
        chain = [post]
        while chain[-1].parent_id in thread:
            chain.append(thread[chain[-1].parent_id])
        assert chain[-1].kind == "post" and chain[-1].parent_id == "", [
            (p.id, p.thread_id, p.parent_id, p.capture.target_uri if p.capture else "")
            for p in chain
        ] + [sorted(thread)]
        assert chain[-1].id == post.thread_id
        assert len(chain) >= 3 and all(p.kind == "reply" for p in chain[:-1])


def test_boosts_edits_and_html_become_reposts_updates_and_plain_text(
    mastodon_emulator: MastodonEmulator, harness: Harness
) -> None:
    m = mastodon_emulator
    harness.run(MastodonCollector, _source(m))
    posts = harness.posts()

    boost = next(t for t in m.data.visible_toots() if t.reblog_of)
    repost = posts[_pid(m, boost.id)]
    booster = m.data.person(boost.author)
    assert repost.kind == "repost" and repost.parent_id == _pid(m, boost.reblog_of or "")
    assert (repost.author, repost.author_handle) == (booster.name, f"@{booster.mastodon}@{m.host}")
    assert repost.text == posts[_pid(m, boost.reblog_of or "")].text != ""

    edited = next(t for t in m.data.visible_toots() if t.edited_at)
    post = posts[_pid(m, edited.id)]
    assert post.updated_at is not None and edited.edited_at is not None
    assert abs((post.updated_at - edited.edited_at).total_seconds()) < 0.001
    assert post.text.endswith("(bewerkt: typfout hersteld)")

    tagged = next(
        t for t in m.data.visible_toots() if "#" in t.text and not t.reblog_of and "<" not in t.text
    )
    tagged_post = posts[_pid(m, tagged.id)]
    assert "<" not in tagged_post.text and "#" in tagged_post.text
    assert tagged_post.hashtags and all(
        h == h.lower() and not h.startswith("#") for h in tagged_post.hashtags
    )
    hostile = next(t for t in m.data.visible_toots() if "<script>" in t.text)
    assert (
        "<script>alert(1)</script>" in posts[_pid(m, hostile.id)].text
    )  # shown as text, as on the instance


def test_a_hashtag_source_follows_link_headers_to_the_end(
    mastodon_emulator: MastodonEmulator, harness: Harness
) -> None:
    m = mastodon_emulator
    tagged = [
        t for t in m.data.visible_toots() if not t.reblog_of and "#omgevingswet" in t.text.lower()
    ]
    assert tagged
    report = harness.run(
        MastodonCollector, _source(m, accounts=[], hashtags=["omgevingswet"], include_replies=False)
    )

    assert report.outcome == "ok", report.errors
    posts = harness.posts()
    assert {_pid(m, t.id) for t in tagged} <= set(posts)
    assert all("omgevingswet" in posts[_pid(m, t.id)].hashtags for t in tagged)


def test_an_edit_is_seen_on_the_next_run_and_its_history_becomes_versions(
    mastodon_emulator: MastodonEmulator, harness: Harness
) -> None:
    m = mastodon_emulator
    source = _source(m)
    harness.run(MastodonCollector, source)
    newest = max(
        (t for t in m.data.visible_toots() if not t.reblog_of and not t.edited_at),
        key=lambda t: t.created_at,
    )
    before = newest.text
    m.app.edit_status(newest.id, "Het omgevingsplan ligt vanaf maandag ter inzage.")

    second = harness.run(MastodonCollector, source)
    third = harness.run(MastodonCollector, source)

    histories = [
        c
        for c in harness.captures()
        if c.metadata.get("extra", {}).get("endpoint") == "history"
        and c.metadata.get("extra", {}).get("status_id") == newest.id
    ]
    assert len(histories) == 1, "the history is fetched once, when edited_at changes"
    assert second.outcome == third.outcome == "ok"
    post = harness.posts()[_pid(m, newest.id)]
    assert post.text == "Het omgevingsplan ligt vanaf maandag ter inzage."
    assert [v.text for v in post.versions] == [before]
    assert post.versions[0].edited_at is not None
    assert post.versions[0].edited_at.replace(microsecond=0) == newest.created_at.replace(
        microsecond=0
    )
    assert not post.versions_only and post.author and post.thread_id


def test_a_status_deleted_at_the_source_is_probed_and_found_gone_on_the_next_run(
    mastodon_emulator: MastodonEmulator, harness: Harness
) -> None:
    m = mastodon_emulator
    source = _source(m)
    harness.run(MastodonCollector, source)
    newest = max(
        (t for t in m.data.visible_toots() if not t.reblog_of and not t.in_reply_to_id),
        key=lambda t: int(t.id),
    )
    m.app.delete_status(newest.id)

    second = harness.run(MastodonCollector, source)
    third = harness.run(MastodonCollector, source)

    assert second.counts["found_gone"] >= 1
    assert third.counts["deletion_probes"] == 0, "probed once: the page no longer held it"
    probes = [
        c
        for c in harness.captures()
        if c.metadata.get("extra", {}).get("endpoint") == "deletion_probe"
        and c.metadata.get("extra", {}).get("status_id") == newest.id
    ]
    assert [c.http_status for c in probes] == [404]
    post = harness.posts()[_pid(m, newest.id)]
    assert post.deleted and post.tombstone is not None
    assert post.tombstone.evidence == probes[0].pointer
    assert post.tombstone.last_seen is not None
    assert post.tombstone.last_seen < post.tombstone.missing_since
    assert post.text, "the archived wording stays"


def test_a_5xx_or_a_rate_limit_at_the_probe_is_no_deletion_and_the_next_run_asks_again(
    mastodon_emulator: MastodonEmulator, harness: Harness
) -> None:
    m = mastodon_emulator
    source = _source(m)
    harness.run(MastodonCollector, source)
    newest = max(
        (t for t in m.data.visible_toots() if not t.reblog_of and not t.in_reply_to_id),
        key=lambda t: int(t.id),
    )
    m.app.delete_status(newest.id)
    m.app.fail_status(newest.id, 503, 503, 429, 429)  # the harness retries once

    harness.run(MastodonCollector, source)
    assert not harness.posts()[_pid(m, newest.id)].tombstone, "a 503 is no deletion"
    harness.run(MastodonCollector, source)
    assert not harness.posts()[_pid(m, newest.id)].tombstone, "a rate limit is no deletion"
    last = harness.run(MastodonCollector, source)

    assert last.counts["found_gone"] == 1
    probes = [
        c.http_status
        for c in harness.captures()
        if c.metadata.get("extra", {}).get("status_id") == newest.id
        and c.metadata.get("extra", {}).get("endpoint") == "deletion_probe"
    ]
    assert probes[0] == 503 and probes[-1] == 404 and 404 not in probes[:-1], probes
    post = harness.posts()[_pid(m, newest.id)]
    assert post.deleted and post.tombstone is not None and post.tombstone.status == 404
