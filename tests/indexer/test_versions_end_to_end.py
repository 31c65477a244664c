"""Versions end to end over the demo sources: collect, edit at the source, collect again, index.
A blog post edited in place, a tweet edited through X's edit chain and a toot edited with its
history each become one Post with the earlier wording as a version, dated by the platform where
it says (X, Mastodon) or by the first capture (the blog); a word only the earlier wording had
finds the Post; ``changed:true`` finds these and the demo's edits from before, nothing else. A
toot deleted in between gets a tombstone dated between the two collections."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from collectors.runner import run_sources
from demo_sources import DemoSources
from foundation.post import Post
from foundation.utc import utcnow
from indexer.pipeline import index_new_records
from indexer.query_model import SearchRequest
from tests.fixtures.demo import demo_workspace
from workspace import Workspace

SOURCES = ("x-ambtenaren", "mastodon-overheid")


def found(ws: Workspace, query: str) -> list[Post]:
    result = ws.backend().search(
        SearchRequest(query=query, limit=100, facets=[], date_histogram=None, highlight=False)
    )
    return [hit.post for hit in result.hits]


def same_second(one: datetime | None, other: datetime) -> bool:
    return one is not None and abs((one - other).total_seconds()) < 1


def test_edits_at_three_platforms_become_versions_with_their_dates(
    demo_sources: DemoSources, tmp_path: Path
) -> None:
    demo = demo_sources
    ws = demo_workspace(demo, tmp_path)
    blog = next(iter(demo.content.blogs.values()))
    feed = next(s.name for s in ws.config().sources if s.type == "feed" and blog.slug in s.url)
    sources = [feed, *SOURCES]
    first = run_sources(ws.config(), ws.data_dir, sources)
    assert all(r.outcome == "ok" for r in first), [(r.source, r.errors[:3]) for r in first]
    index_new_records(ws)
    between = utcnow()

    article = max((p for p in blog.posts if not p.deleted), key=lambda p: p.published)
    demo.blog.edit_post(blog.slug, article.slug, paragraphs="Het college trekt het besluit in.")
    tweet = next(
        t
        for t in demo.content.visible_tweets()
        if len(t.edit_history) == 1 and not t.referenced and "http" not in t.text
    )
    tweet_text = tweet.text
    demo.x.edit_tweet(tweet.id, "Correctie: de hoorzitting is verplaatst naar donderdag.")
    toot = next(
        t
        for t in demo.content.visible_toots()
        if not t.reblog_of and not t.in_reply_to_id and not t.edited_at and "http" not in t.text
    )
    toot_text = toot.text
    demo.mastodon.edit_status(toot.id, "Correctie: het spreekuur begint om tien uur.")
    removed = next(
        t
        for t in demo.content.visible_toots()
        if not t.reblog_of and not t.in_reply_to_id and t.id != toot.id
    )
    demo.mastodon.delete_status(removed.id)

    second = run_sources(ws.config(), ws.data_dir, sources)
    assert all(r.outcome == "ok" for r in second), [(r.source, r.errors[:3]) for r in second]
    report = index_new_records(ws)
    assert not report.errors, report.errors[:5]

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
    toot_post = changed[toot_id]
    assert toot_post.text == "Correctie: het spreekuur begint om tien uur."
    assert [v.text for v in toot_post.versions] == [toot_text]
    assert same_second(toot_post.versions[0].edited_at, toot.created_at)
    assert toot_post.current_since and toot.edited_at
    assert same_second(toot_post.current_since.edited_at, toot.edited_at)

    edited_before = {
        f"x:{t.edit_history[0]}" for t in demo.content.visible_tweets() if len(t.edit_history) > 1
    } | {f"{toot_id.rsplit(':', 1)[0]}:{t.id}" for t in demo.content.visible_toots() if t.earlier}
    assert set(changed) == {blog_post.id, *edited_before}, "the three edits and the demo's own"
    (gone,) = found(ws, "deleted:true")
    assert gone.id == f"{toot_id.rsplit(':', 1)[0]}:{removed.id}"
    assert gone.tombstone and gone.tombstone.status == 404 and gone.tombstone.evidence
    assert gone.tombstone.last_seen and gone.tombstone.last_seen < between
    assert gone.tombstone.missing_since > between and gone.text, "kept, with its wording"

    for post, earlier in ((x_post, tweet_text), (toot_post, toot_text)):
        rare = max(earlier.split(), key=len).strip(".,!?#@")
        assert post.id in {p.id for p in found(ws, f'"{rare}"')}, rare
    ws.close()
