"""Deleted blog posts, end to end over the demo blog host: collect, take a post down (or let the
feed roll over, or make its permalink fail), collect again, index. A post gone from the feed
whose permalink answers 404 gets a tombstone with the archived 404 as evidence and keeps its
wording; entries that only rolled off the feed's end are never asked for; a 503, a 429 or a
timeout decides nothing and the next run asks again; a post that comes back is restored with
both facts kept; a permalink that still answers 200 is only unlisted."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from collectors.base import RunReport
from collectors.runner import run_sources
from config import load_config
from demo_sources import DemoSources
from demo_sources.dataset import BlogPost
from demo_sources.httpbase import STALL
from foundation.post import Post
from foundation.utc import utcnow
from indexer.pipeline import index_new_records
from indexer.query_model import SearchRequest
from tests.fixtures.collectors import captures_in
from workspace import Workspace

BLOG = "jeroen"  # 14 posts: the feed's first page shows the newest ten
SOURCE = f"blog-{BLOG}"


def workspace(demo: DemoSources, tmp_path: Path, **http: Any) -> Workspace:
    path = tmp_path / "sources.yaml"
    path.write_text(demo.config_yaml(), encoding="utf-8")
    config = load_config(path, check_secrets=False)
    config.http.delay_seconds = 0
    config.http.retries = 1
    for name, value in http.items():
        setattr(config.http, name, value)
    ws = Workspace(path, tmp_path / "data")
    ws.use_config(config)
    return ws


def collect(ws: Workspace) -> RunReport:
    [report] = run_sources(ws.config(), ws.data_dir, [SOURCE], backoff_base=0.01)
    assert report.outcome == "ok", report.errors
    return report


def found(ws: Workspace, query: str) -> list[Post]:
    result = ws.backend().search(
        SearchRequest(query=query, limit=100, facets=[], date_histogram=None, highlight=False)
    )
    return [hit.post for hit in result.hits]


def permalink(demo: DemoSources, post: BlogPost) -> str:
    return demo.blog.base() + post.path


def probes(ws: Workspace, url: str) -> list[Any]:
    return [
        c
        for c in captures_in(ws.archive_dir, ws.config())
        if c.url == url and c.metadata.get("extra", {}).get("endpoint") == "deletion_probe"
    ]


def indexed(ws: Workspace, demo: DemoSources, post: BlogPost) -> Post:
    """The indexed Post of a demo blog post (its id is ``blog:`` and the feed's guid)."""
    indexed_post = ws.backend().get(f"blog:{demo.blog.base()}/{BLOG}/?p={post.id}")
    assert indexed_post is not None
    return indexed_post


def newest(demo: DemoSources, rank: int) -> BlogPost:
    return demo.content.blogs[BLOG].live_posts()[rank]


def test_a_post_deleted_between_runs_gets_a_tombstone_and_keeps_its_text(
    demo_sources: DemoSources, tmp_path: Path
) -> None:
    demo = demo_sources
    ws = workspace(demo, tmp_path)
    first = collect(ws)
    assert first.counts["deletion_probes"] == 0, "nothing is probed on the first harvest"
    index_new_records(ws)
    between = utcnow()
    target = newest(demo, 2)
    url = permalink(demo, target)
    demo.blog.delete_post(BLOG, target.id)

    second = collect(ws)
    assert second.counts["deletion_probes"] == 1 and second.counts["found_gone"] == 1
    [probe] = probes(ws, url)
    assert probe.http_status == 404
    index_new_records(ws)
    (gone,) = found(ws, "deleted:true")
    assert gone.url == url and gone.platform == "blog" and gone.source == SOURCE
    assert gone.tombstone and gone.tombstone.how == "gone_response"
    assert gone.tombstone.status == 404 and gone.tombstone.evidence == probe.pointer
    assert gone.tombstone.last_seen and gone.tombstone.last_seen < between
    assert gone.tombstone.missing_since > between
    assert target.paragraphs[0][:40] in gone.text, "kept, with its wording"
    assert gone.title == target.title

    third = collect(ws)
    assert third.counts["deletion_probes"] == 0, "asked once: forgotten once found gone"
    ws.close()


def test_a_feed_that_rolled_over_probes_only_the_post_really_taken_down(
    demo_sources: DemoSources, tmp_path: Path
) -> None:
    demo = demo_sources
    ws = workspace(demo, tmp_path)
    collect(ws)
    rolled = [newest(demo, 8), newest(demo, 9)]
    demo.blog.add_post(BLOG, "Nieuw beleid voor open data", "Een eerste nieuw bericht.")
    demo.blog.add_post(BLOG, "Verslag van de heidag", "Een tweede nieuw bericht.")
    second = collect(ws)
    assert second.counts["entries_new"] == 2 and second.counts["deletion_probes"] == 0
    assert all(not probes(ws, permalink(demo, p)) for p in rolled)

    target = newest(demo, 4)
    demo.blog.delete_post(BLOG, target.id)
    demo.blog.add_post(BLOG, "Terugblik op het congres", "Een derde nieuw bericht.")
    third = collect(ws)
    # page one lost the deleted post and its oldest entry: only the deleted one is asked for
    assert third.counts["deletion_probes"] == 1 and third.counts["found_gone"] == 1
    assert [c.http_status for c in probes(ws, permalink(demo, target))] == [404]
    index_new_records(ws)
    assert [p.url for p in found(ws, "deleted:true")] == [permalink(demo, target)]
    ws.close()


@pytest.mark.parametrize(
    ("answers", "http"),
    [((503, 503), {}), ((429,), {}), ((STALL, STALL), {"timeout_seconds": 1.0})],
    ids=["503", "429", "timeout"],
)
def test_a_probe_met_with_a_503_a_429_or_a_timeout_decides_nothing_and_is_asked_again(
    demo_sources: DemoSources,
    tmp_path: Path,
    answers: tuple[int | str, ...],
    http: dict[str, Any],
) -> None:
    demo = demo_sources
    ws = workspace(demo, tmp_path, **http)
    collect(ws)
    target = newest(demo, 1)
    url = permalink(demo, target)
    demo.blog.delete_post(BLOG, target.id)
    demo.servers["blog"].stall_seconds = 2.5
    # the fetcher retries a 503 or a timeout once; a 429 asking for an hour it does not wait out
    demo.servers["blog"].misbehave(re.escape(target.path) + "$", *answers)

    second = collect(ws)
    assert second.counts["deletion_probes"] == 1 and second.counts["found_gone"] == 0
    assert not second.errors, "an undecided probe is no failure of the run"
    index_new_records(ws)
    assert not found(ws, "deleted:true"), "no tombstone without a 404 or 410"

    third = collect(ws)
    assert third.counts["not_modified"] == 0, "the feed is read in full to ask again"
    assert third.counts["deletion_probes"] == 1 and third.counts["found_gone"] == 1
    answers = [c.http_status for c in probes(ws, url)]
    assert answers[-1] == 404 and 404 not in answers[:-1], answers
    index_new_records(ws)
    (gone,) = found(ws, "deleted:true")
    assert gone.url == url and gone.tombstone and gone.tombstone.status == 404
    assert gone.tombstone.evidence == probes(ws, url)[-1].pointer
    ws.close()


def test_a_post_that_comes_back_is_restored_with_both_facts_kept(
    demo_sources: DemoSources, tmp_path: Path
) -> None:
    demo = demo_sources
    ws = workspace(demo, tmp_path)
    collect(ws)
    target = newest(demo, 3)
    url = permalink(demo, target)
    demo.blog.delete_post(BLOG, target.id)
    collect(ws)
    index_new_records(ws)
    [gone] = found(ws, "deleted:true")
    assert gone.tombstone is not None
    missing_since = gone.tombstone.missing_since

    demo.blog.restore_post(BLOG, target.id)
    back = collect(ws)
    assert back.counts["entries_new"] == 1, "forgotten when found gone: captured anew"
    index_new_records(ws)
    post = indexed(ws, demo, target)
    assert post.url == url and not post.deleted and post.tombstone is not None
    assert post.tombstone.missing_since == missing_since and post.tombstone.status == 404
    assert post.tombstone.restored_at and post.tombstone.restored_at > missing_since
    assert post.tombstone.restored_by and post.tombstone.restored_by != post.tombstone.evidence
    assert not found(ws, "deleted:true")
    ws.close()


def test_a_post_gone_from_the_feed_whose_permalink_still_answers_is_only_unlisted(
    demo_sources: DemoSources, tmp_path: Path
) -> None:
    demo = demo_sources
    ws = workspace(demo, tmp_path)
    collect(ws)
    target = newest(demo, 2)
    demo.blog.delete_post(BLOG, target.id)
    # the page is there, the feed no longer lists it
    demo.servers["blog"].misbehave(re.escape(target.path) + "$", 200)
    second = collect(ws)
    assert second.counts["deletion_probes"] == 1 and second.counts["found_gone"] == 0
    assert second.counts["entries_unlisted"] == 1
    index_new_records(ws)
    assert not found(ws, "deleted:true")
    demo.blog.add_post(BLOG, "Nog een bericht", "Zodat de feed verandert.")
    third = collect(ws)
    assert third.counts["deletion_probes"] == 0, "still there: not asked again"
    ws.close()
