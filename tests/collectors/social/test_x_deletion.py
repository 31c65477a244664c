"""Tweets deleted at X, against the demo X API v2 emulator over real HTTP: on a later run the
collector reads each account's newest page again, looks up by id the tweets it no longer shows
although it reaches back past them, and the indexer makes a tombstone of X's
``resource-not-found`` answer only. A tweet that rolled off the page or was edited is never
asked for; a lookup met with a 503, a rate limit or an authorization error decides nothing and
is asked again next run; a tweet that comes back is restored with both facts kept."""

from __future__ import annotations

import pytest

from collectors.x import XCollector
from config.models import XSource
from demo_sources.dataset import Tweet
from indexer.extractors import Capture
from tests.collectors.social.conftest import Harness, XEmulator

ACCOUNT = "zoe"


def _source(x: XEmulator, *people: str, **fields: object) -> XSource:
    settings: dict[str, object] = {
        "type": "x",
        "name": "x-demo",
        "api_base": x.base_url,
        "accounts": [x.data.person(p).x for p in people or (ACCOUNT,)],
        "bearer_token_env": "ARCHIVEREN_TEST_X_TOKEN",
        "capture_media": False,
    }
    return XSource.model_validate(settings | fields)


@pytest.fixture(autouse=True)
def _token(monkeypatch: pytest.MonkeyPatch, x_emulator: XEmulator) -> None:
    monkeypatch.setenv("ARCHIVEREN_TEST_X_TOKEN", x_emulator.token)


def _plain_tweet(x: XEmulator, author: str = ACCOUNT, rank: int = 3) -> Tweet:
    """A tweet of ``author``, neither edited nor a retweet, some way down the newest page."""
    plain = [
        t
        for t in x.data.visible_tweets()
        if t.author == author and len(t.edit_history) == 1 and not t.referenced
    ]
    return plain[rank]


def _probes(harness: Harness) -> list[Capture]:
    return [
        c
        for c in harness.captures()
        if c.metadata.get("extra", {}).get("endpoint") == "deletion_probe"
    ]


def test_a_tweet_deleted_between_runs_is_probed_and_its_post_gets_a_tombstone(
    x_emulator: XEmulator, harness: Harness
) -> None:
    source = _source(x_emulator)
    first = harness.run(XCollector, source)
    assert first.counts["pages_rechecked"] == 0, "the first run's own first page is the newest"
    tweet = _plain_tweet(x_emulator)
    x_emulator.app.delete_tweet(tweet.id)

    second = harness.run(XCollector, source)
    third = harness.run(XCollector, source)

    assert second.outcome == "ok", second.errors
    assert second.counts["pages_rechecked"] == 1
    assert (second.counts["deletion_probes"], second.counts["found_gone"]) == (1, 1)
    assert third.counts["deletion_probes"] == 0, "found gone once: not asked again"
    probes = _probes(harness)
    assert len(probes) == 1 and probes[0].metadata["extra"]["ids"] == [tweet.id]
    rechecks = [c for c in harness.captures() if c.metadata["extra"].get("direction") == "recheck"]
    # the third run's page is the second's again: archived as a revisit, not read back here
    assert third.counts["pages_rechecked"] == 1 and len(rechecks) == 1
    assert "since_id" not in rechecks[0].url and "max_results=100" in rechecks[0].url
    post = harness.posts()[f"x:{tweet.id}"]
    assert post.deleted and post.tombstone is not None
    assert post.tombstone.how == "not_found_error"
    assert post.tombstone.status == 200  # X answers an unknown id with 200 and an error entry
    assert post.tombstone.evidence == probes[0].pointer
    assert post.tombstone.missing_since == probes[0].captured_at
    assert post.tombstone.last_seen is not None
    assert post.tombstone.last_seen < post.tombstone.missing_since
    assert post.text and not post.versions_only, "the archived tweet stays"
    others = [p for p in harness.posts().values() if p.id != post.id]
    assert others and not any(p.tombstone for p in others)


def test_a_tweet_that_rolled_off_the_newest_page_is_not_probed(
    x_emulator: XEmulator, harness: Harness
) -> None:
    source = _source(x_emulator)
    harness.run(XCollector, source)
    for n in range(100):
        x_emulator.app.add_tweet(ACCOUNT, f"Korte update nummer {n} over het omgevingsplan.")
    old = _plain_tweet(x_emulator, rank=103)
    x_emulator.app.delete_tweet(old.id)

    second = harness.run(XCollector, source)

    assert second.outcome == "ok", second.errors
    assert second.counts["tweets"] == 100
    assert second.counts["deletion_probes"] == 0 and not _probes(harness)
    assert harness.posts()[f"x:{old.id}"].tombstone is None
    recent = harness.states[source.name]["recent"][f"account:{source.accounts[0].lower()}"]
    assert len(recent) == 100 and old.id not in recent


def test_an_edited_tweet_is_not_probed_as_missing(x_emulator: XEmulator, harness: Harness) -> None:
    source = _source(x_emulator)
    harness.run(XCollector, source)
    tweet = _plain_tweet(x_emulator)
    x_emulator.app.edit_tweet(tweet.id, "Het omgevingsplan ligt ter inzage (aangevuld).")

    second = harness.run(XCollector, source)
    third = harness.run(XCollector, source)

    assert second.counts["deletion_probes"] == third.counts["deletion_probes"] == 0
    assert not _probes(harness)
    post = harness.posts()[f"x:{tweet.id}"]
    assert post.tombstone is None and post.text.endswith("(aangevuld).")
    recent = harness.states[source.name]["recent"][f"account:{source.accounts[0].lower()}"]
    assert tweet.id in recent, "kept under its first id, which the new version still names"


@pytest.mark.parametrize("fault", [503, 429, "not-authorized"])
def test_a_probe_met_with_an_error_a_rate_limit_or_no_authorization_decides_nothing(
    x_emulator: XEmulator, harness: Harness, fault: int | str
) -> None:
    source = _source(x_emulator, ACCOUNT, "jeroen")
    harness.run(XCollector, source)
    tweet = _plain_tweet(x_emulator)
    x_emulator.app.delete_tweet(tweet.id)
    x_emulator.app.fail_lookup(fault)
    fresh = x_emulator.app.add_tweet("jeroen", "Morgen de inspraakavond over de Omgevingswet.")

    second = harness.run(XCollector, source)

    assert second.outcome == "ok", second.errors
    assert second.counts["deletion_probes"] == second.counts["deletion_probes_undecided"] == 1
    assert second.counts["found_gone"] == 0
    assert harness.posts()[f"x:{tweet.id}"].tombstone is None, f"{fault} is no deletion"
    assert f"x:{fresh.id}" in harness.posts(), "the run's harvest is kept"

    third = harness.run(XCollector, source)

    assert (third.counts["deletion_probes"], third.counts["found_gone"]) == (1, 1)
    probes = _probes(harness)
    assert [p.metadata["extra"]["ids"] for p in probes] == [[tweet.id], [tweet.id]]
    tombstone = harness.posts()[f"x:{tweet.id}"].tombstone
    assert tombstone is not None and tombstone.evidence == probes[-1].pointer


def test_a_tweet_back_after_being_found_gone_is_restored_with_both_facts_kept(
    x_emulator: XEmulator, harness: Harness
) -> None:
    source = _source(x_emulator)
    harness.run(XCollector, source)
    tweet = _plain_tweet(x_emulator)
    x_emulator.app.delete_tweet(tweet.id)
    harness.run(XCollector, source)
    gone = harness.posts()[f"x:{tweet.id}"].tombstone
    assert gone is not None

    x_emulator.app.delete_tweet(tweet.id, deleted=False)
    third = harness.run(XCollector, source)

    assert third.counts["deletion_probes"] == 0
    post = harness.posts()[f"x:{tweet.id}"]
    assert not post.deleted and post.tombstone is not None
    recheck = [c for c in harness.captures() if c.metadata["extra"].get("direction") == "recheck"][
        -1
    ]
    assert post.tombstone.restored_by == recheck.pointer
    assert post.tombstone.restored_at == recheck.captured_at
    assert (post.tombstone.missing_since, post.tombstone.last_seen, post.tombstone.evidence) == (
        gone.missing_since,
        gone.last_seen,
        gone.evidence,
    )


def test_deletion_checks_off_reads_no_page_again(x_emulator: XEmulator, harness: Harness) -> None:
    source = _source(x_emulator, deletion_checks=False)
    harness.run(XCollector, source)
    x_emulator.app.delete_tweet(_plain_tweet(x_emulator).id)

    second = harness.run(XCollector, source)

    assert second.counts["pages_rechecked"] == second.counts["deletion_probes"] == 0
    assert second.counts["requests"] == 1
