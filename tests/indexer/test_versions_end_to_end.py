"""Versions and deletions end to end over the demo sources, as issue 27 asks: collect, change
things at the sources, collect again, index.

Between the first and the second collection a blog post is edited in place, a tweet is edited
through X's edit chain and a toot with its history: each becomes one Post with the earlier
wording as a version, dated by the platform where it says (X, Mastodon) or by the first capture
(the blog), and a word only the earlier wording had still finds it. A toot, a tweet and a blog
post are deleted and a Ning comment is removed: each gets a tombstone last seen before the
change and missing since the second collection, with the evidence of how (a 404 at its address,
X's not-found answer, the Ning page captured whole without it), and keeps its text.

Before a third collection one more toot, tweet and blog post are deleted, but the sources
misbehave when asked about them: the toot's address answers 503, X's lookup a 429 rate limit an
hour long, the blog post's permalink never answers within the timeout. None of that is a
deletion: no tombstone. A fourth, quiet collection then finds all three gone."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import yaml

from collectors.runner import run_sources
from demo_sources import DemoSources
from demo_sources.httpbase import STALL
from foundation.post import Post
from foundation.utc import utcnow
from indexer.pipeline import index_new_records
from indexer.query_model import SearchRequest
from tests.fixtures.demo import demo_workspace
from workspace import Workspace

SOCIAL = ("x-ambtenaren", "mastodon-overheid", "ning-ambtenaar20")


def found(ws: Workspace, query: str) -> list[Post]:
    result = ws.backend().search(
        SearchRequest(query=query, limit=200, facets=[], date_histogram=None, highlight=False)
    )
    return [hit.post for hit in result.hits]


def same_second(one: datetime | None, other: datetime) -> bool:
    return one is not None and abs((one - other).total_seconds()) < 1


def collect(ws: Workspace, sources: list[str]) -> list[str]:
    """Collect ``sources`` and index; the outcome of each run."""
    outcomes = [report.outcome for report in run_sources(ws.config(), ws.data_dir, sources)]
    report = index_new_records(ws)
    assert not report.errors, report.errors[:5]
    return outcomes


def quick_to_give_up(ws: Workspace) -> None:
    """Short timeouts and one retry, so a source that stalls costs seconds, not minutes."""
    config = yaml.safe_load(ws.config_path.read_text(encoding="utf-8"))
    config["http"] |= {"timeout_seconds": 2, "retries": 1}
    ws.config_path.write_text(yaml.safe_dump(config), encoding="utf-8")


def newest_plain_toot(demo: DemoSources, *, but: set[str]) -> str:
    return max(
        (
            t
            for t in demo.content.visible_toots()
            if not t.reblog_of and not t.in_reply_to_id and not t.edited_at and t.id not in but
        ),
        key=lambda t: int(t.id),
    ).id


def newest_plain_tweet(demo: DemoSources) -> str:
    return max(
        (
            t
            for t in demo.content.visible_tweets()
            if len(t.edit_history) == 1 and not t.referenced and "http" not in t.text
        ),
        key=lambda t: int(t.id),
    ).id


def test_edits_and_deletions_at_four_platforms_and_a_bad_day_that_deletes_nothing(
    demo_sources: DemoSources, tmp_path: Path
) -> None:
    demo = demo_sources
    ws = demo_workspace(demo, tmp_path)
    quick_to_give_up(ws)
    blog = next(iter(demo.content.blogs.values()))
    feed = next(s.name for s in ws.config().sources if s.type == "feed" and blog.slug in s.url)
    sources = [feed, *SOCIAL]
    assert set(collect(ws, sources)) == {"ok"}
    between = utcnow()

    # --- round 2: edits and deletions --------------------------------------------------------
    by_date = sorted((p for p in blog.posts if not p.deleted), key=lambda p: p.published)
    article, taken_down = by_date[-1], by_date[-2]
    demo.blog.edit_post(blog.slug, article.slug, paragraphs="Het college trekt het besluit in.")
    demo.blog.delete_post(blog.slug, taken_down.slug)
    tweet = next(
        t
        for t in demo.content.visible_tweets()
        if len(t.edit_history) == 1 and not t.referenced and "http" not in t.text
    )
    tweet_text = tweet.text
    demo.x.edit_tweet(tweet.id, "Correctie: de hoorzitting is verplaatst naar donderdag.")
    deleted_tweet = newest_plain_tweet(demo)
    demo.x.delete_tweet(deleted_tweet)
    toot = next(
        t
        for t in demo.content.visible_toots()
        if not t.reblog_of and not t.in_reply_to_id and not t.edited_at and "http" not in t.text
    )
    toot_text = toot.text
    demo.mastodon.edit_status(toot.id, "Correctie: het spreekuur begint om tien uur.")
    removed_toot = newest_plain_toot(demo, but={toot.id})
    demo.mastodon.delete_status(removed_toot)
    discussion = next(p for p in demo.content.ning_posts if p.comments and not p.deleted)
    removed_comment = demo.ning.remove_comment(discussion.slug, discussion.comments[0].id)

    assert set(collect(ws, sources)) == {"ok"}

    changed = {post.id: post for post in found(ws, "changed:true")}
    blog_post = next(p for p in changed.values() if p.platform == "blog")
    assert blog_post.text.startswith("Het college trekt het besluit in.")
    assert len(blog_post.versions) == 1 and "Het college" not in blog_post.versions[0].text
    assert blog_post.versions[0].captured_at and blog_post.versions[0].captured_at < between
    assert blog_post.collected_at and blog_post.collected_at > between

    x_post = changed[f"x:{tweet.id}"]
    assert x_post.text.startswith("Correctie: de hoorzitting")
    assert [v.text for v in x_post.versions] == [tweet_text]
    assert same_second(x_post.versions[0].edited_at, tweet.created_at)

    toot_id = next(i for i in changed if i.startswith("mastodon:") and i.endswith(f":{toot.id}"))
    instance = toot_id.rsplit(":", 1)[0]
    toot_post = changed[toot_id]
    assert toot_post.text == "Correctie: het spreekuur begint om tien uur."
    assert [v.text for v in toot_post.versions] == [toot_text]
    assert same_second(toot_post.versions[0].edited_at, toot.created_at)
    assert toot_post.current_since and toot.edited_at
    assert same_second(toot_post.current_since.edited_at, toot.edited_at)

    edited_before = {
        f"x:{t.edit_history[0]}" for t in demo.content.visible_tweets() if len(t.edit_history) > 1
    } | {f"{instance}:{t.id}" for t in demo.content.visible_toots() if t.earlier}
    assert set(changed) == {blog_post.id, *edited_before}, "the three edits and the demo's own"

    for post, earlier in ((x_post, tweet_text), (toot_post, toot_text)):
        rare = max(earlier.split(), key=len).strip(".,!?#@")
        assert post.id in {p.id for p in found(ws, f'"{rare}"')}, rare

    gone = {post.platform: post for post in found(ws, "deleted:true")}
    assert len(gone) == 4, sorted(p.id for p in gone.values())
    assert gone["mastodon"].id == f"{instance}:{removed_toot}"
    assert gone["x"].id == f"x:{deleted_tweet}"
    assert gone["blog"].url.rstrip("/").endswith(taken_down.slug)
    assert gone["network"].kind == "comment" and gone["network"].text.startswith(
        removed_comment.text[:40]
    )
    how = {platform: (post.tombstone.how, post.tombstone.status) for platform, post in gone.items()}
    assert how == {
        "mastodon": ("gone_response", 404),
        "x": ("not_found_error", 200),
        "blog": ("gone_response", 404),
        "network": ("missing_from_page", 200),
    }
    for post in gone.values():
        stone = post.tombstone
        assert stone and stone.evidence, post.id
        assert stone.last_seen and stone.last_seen < between, post.id
        assert stone.missing_since > between and post.text, f"{post.id}: kept, with its wording"

    # --- round 3: deleted again, but every source has a bad day --------------------------------
    before = {post.id for post in found(ws, "deleted:true")}
    third_toot = newest_plain_toot(demo, but={toot.id})
    demo.mastodon.delete_status(third_toot)
    third_tweet = newest_plain_tweet(demo)
    demo.x.delete_tweet(third_tweet)
    third_post = sorted((p for p in blog.posts if not p.deleted), key=lambda p: p.published)[-2]
    demo.blog.delete_post(blog.slug, third_post.slug)
    demo.servers["mastodon"].misbehave(rf"/api/v1/statuses/{third_toot}$", 503, 503)
    demo.servers["x_api"].misbehave(r"^/2/tweets\?(.*&)?ids=", 429)
    blog_server = demo.servers["blog"]
    blog_server.stall_seconds = 3
    blog_server.misbehave(rf"/{third_post.slug}/?$", STALL, STALL)

    collect(ws, sources)
    asked = {
        "mastodon": [e.status for e in demo.request_log["mastodon"] if third_toot in e.path],
        "x": [e.status for e in demo.request_log["x_api"] if third_tweet in e.path],
        "blog": [e.status for e in blog_server.request_log if third_post.slug in e.path],
    }
    assert 503 in asked["mastodon"] and 429 in asked["x"] and 0 in asked["blog"], asked
    assert {post.id for post in found(ws, "deleted:true")} == before, "a bad day deletes nothing"

    # --- round 4: a quiet day finds all three gone ---------------------------------------------
    collect(ws, sources)
    newly_gone = [post for post in found(ws, "deleted:true") if post.id not in before]
    assert {post.id for post in newly_gone if post.platform != "blog"} == {
        f"{instance}:{third_toot}",
        f"x:{third_tweet}",
    }
    (blog_gone,) = [post for post in newly_gone if post.platform == "blog"]
    assert blog_gone.url.rstrip("/").endswith(third_post.slug)
    ws.close()
