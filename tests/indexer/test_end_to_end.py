"""collect → archive → index → search over the demo sources, for every platform: what the
sites show is what the index finds; re-runs add nothing; edits show; threads rebuild; a rebuild
of the index from the WARCs gives the same answers."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

import indexer.pipeline
from collectors.runner import run_sources
from config.models import ArchiverenConfig
from demo_sources import DemoSources
from foundation.post import Post
from indexer.pipeline import index_new_records, rebuild_index
from indexer.query_model import SearchRequest
from tests.fixtures.command_line import archiveren_argv
from tests.fixtures.demo import demo_workspace
from workspace import Workspace

REPO = Path(__file__).resolve().parents[2]


def everything(**filters: list[str]) -> SearchRequest:
    return SearchRequest(
        filters=filters, limit=1000, facets=["platform"], date_histogram=None, highlight=False
    )


def index_twin(ws: Workspace, config: ArchiverenConfig, tmp: Path) -> tuple[dict[str, Post], int]:
    """Index ``ws``'s archive afresh into a workspace of its own under ``config``: its Posts by
    id, and how many documents its index holds."""
    twin = Workspace(config_path=tmp / "archiveren.yaml", data_dir=tmp / "data")
    twin.data_dir.mkdir()
    twin.archive_dir.symlink_to(ws.archive_dir, target_is_directory=True)
    twin.use_config(config)
    try:
        report = index_new_records(twin)
        assert not report.errors, report.errors[:5]
        return {post.id: post for post in twin.backend().scan(everything())}, twin.backend().count()
    finally:
        twin.close()


@pytest.fixture(scope="module")
def collected(
    demo_sources_readonly: DemoSources, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[DemoSources, Workspace]]:
    ws = demo_workspace(demo_sources_readonly, tmp_path_factory.mktemp("e2e"))
    reports = run_sources(ws.config(), ws.data_dir)
    assert all(report.outcome in ("ok", "partial") for report in reports), [
        (r.source, r.outcome, r.errors[:3]) for r in reports
    ]
    report = index_new_records(ws)
    assert not report.errors, report.errors[:5]
    yield demo_sources_readonly, ws
    ws.close()


def test_extraction_workers_build_the_index_the_indexing_process_builds(
    collected: tuple[DemoSources, Workspace], tmp_path: Path
) -> None:
    _, ws = collected
    config = ws.config(check_secrets=False).model_copy(deep=True)
    config.search.index_workers = 2
    by_workers, _ = index_twin(ws, config, tmp_path)
    in_process = {post.id: post for post in ws.backend().scan(everything())}
    assert len(by_workers) == len(in_process) > 500
    assert by_workers == in_process


def test_archiveren_index_extracts_in_its_workers(
    collected: tuple[DemoSources, Workspace], tmp_path: Path
) -> None:
    demo, ws = collected
    config = tmp_path / "sources.yaml"
    config.write_text(demo.config_yaml() + "\nsearch:\n  index_workers: 2\n", encoding="utf-8")
    data = tmp_path / "data"
    data.mkdir()
    (data / "warcs").symlink_to(ws.archive_dir, target_is_directory=True)
    command = archiveren_argv(config, data, "-v", "index")
    done = subprocess.run(
        command,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "indexing with 2 extraction workers" in done.stderr, done.stderr[-3000:]
    twin = Workspace(config_path=config, data_dir=data)
    try:
        assert twin.backend().count() == ws.backend().count() > 500
    finally:
        twin.close()


def test_every_platform_is_searchable(collected: tuple[DemoSources, Workspace]) -> None:
    _, ws = collected
    platforms = {
        bucket.value: bucket.count
        for bucket in ws.backend().search(everything()).facets["platform"]
    }
    assert set(platforms) >= {"blog", "x", "mastodon", "network", "wiki", "pleio"}, platforms


def test_every_pleio_entity_and_comment_is_indexed_in_its_thread(
    collected: tuple[DemoSources, Workspace],
) -> None:
    demo, ws = collected
    backend = ws.backend()
    posts = {hit.post.id: hit.post for hit in backend.search(everything(platform=["pleio"])).hits}
    comments = [post for post in posts.values() if post.kind == "comment"]
    assert len(posts) - len(comments) == len(demo.pleio.items)
    assert len(comments) == demo.pleio.comment_count()
    for comment in comments:
        assert comment.parent_id in posts and comment.thread_id in posts
        assert posts[comment.thread_id].kind == "post" and comment.author
    hits = backend.search(
        SearchRequest(
            query='author:"Anneke de Wit" dijkversterkingen',
            filters={"platform": ["pleio"]},
            limit=5,
            facets=[],
            date_histogram=None,
        )
    ).hits
    assert [hit.post.kind for hit in hits] == ["comment"]


def test_every_blog_post_and_comment_is_indexed_with_its_author(
    collected: tuple[DemoSources, Workspace],
) -> None:
    demo, ws = collected
    backend = ws.backend()
    for blog in demo.content.blogs.values():
        for post in blog.posts:
            if post.deleted:
                continue
            hits = backend.search(
                SearchRequest(
                    query=f'title:"{post.title}"',
                    filters={"platform": ["blog"], "kind": ["post"]},
                    limit=5,
                    facets=[],
                    date_histogram=None,
                )
            ).hits
            author = (
                demo.content.people[post.author].name
                if post.author in demo.content.people
                else post.author
            )
            assert any(hit.post.author == author for hit in hits), (
                f"{blog.slug}: {post.title!r} not found with author {author}"
            )
    comments = sum(
        len(p.comments) for b in demo.content.blogs.values() for p in b.posts if not p.deleted
    )
    assert backend.search(everything(platform=["blog"], kind=["comment"])).total == comments


def test_every_tweet_and_toot_is_indexed_once(collected: tuple[DemoSources, Workspace]) -> None:
    demo, ws = collected
    backend = ws.backend()
    live_tweets = {t.id for t in demo.content.tweets.values() if not t.deleted and not t.superseded}
    indexed = {hit.post.id for hit in backend.search(everything(platform=["x"])).hits}
    missing = {
        tweet_id
        for tweet_id in live_tweets
        if f"x:{tweet_id}" not in indexed
        and not any(i.startswith("x:") and i.endswith(tweet_id) for i in indexed)
    }
    assert len(missing) <= len(live_tweets) // 20, (
        f"{len(missing)} of {len(live_tweets)} tweets not indexed"
    )
    live_toots = [t for t in demo.content.toots.values() if not t.deleted]
    assert backend.search(everything(platform=["mastodon"])).total >= len(live_toots) * 0.9


def test_a_thread_is_rebuilt_from_the_index_alone(collected: tuple[DemoSources, Workspace]) -> None:
    _, ws = collected
    backend = ws.backend()
    replies = backend.search(everything(platform=["x"], kind=["reply"])).hits
    deep = next(
        hit.post
        for hit in replies
        if (parent := backend.get(hit.post.parent_id)) is not None and parent.kind == "reply"
    )
    thread = {
        hit.post.id: hit.post for hit in backend.search(everything(thread_id=[deep.thread_id])).hits
    }
    chain = [deep]
    while chain[-1].parent_id:
        chain.append(thread[chain[-1].parent_id])
    assert len(chain) >= 3 and chain[-1].kind == "post" and chain[-1].id == deep.thread_id


def test_rebuild_from_the_warcs_gives_the_same_index(
    collected: tuple[DemoSources, Workspace],
) -> None:
    _, ws = collected
    before = {hit.post.id: hit.post.title for hit in ws.backend().search(everything()).hits}
    total = ws.backend().search(everything()).total
    rebuild_index(ws)
    after = {hit.post.id: hit.post.title for hit in ws.backend().search(everything()).hits}
    assert ws.backend().search(everything()).total == total
    assert after == before


def test_second_run_adds_no_duplicate_posts(collected: tuple[DemoSources, Workspace]) -> None:
    _, ws = collected
    total = ws.backend().count()
    run_sources(ws.config(), ws.data_dir)
    index_new_records(ws)
    assert ws.backend().count() == total


def test_an_edited_blog_post_shows_the_edit_and_keeps_the_earlier_capture(
    demo_sources: DemoSources, tmp_path: Path
) -> None:
    ws = demo_workspace(demo_sources, tmp_path)
    blog = next(iter(demo_sources.content.blogs.values()))
    source = next(s.name for s in ws.config().sources if s.type == "feed" and blog.slug in s.url)
    run_sources(ws.config(), ws.data_dir, [source])
    index_new_records(ws)
    post = max(
        (p for p in blog.posts if not p.deleted), key=lambda p: p.published
    )  # on the feed's first page
    demo_sources.blog.edit_post(blog.slug, post.slug, title=post.title + " (bijgewerkt)")
    run_sources(ws.config(), ws.data_dir, [source])
    index_new_records(ws)
    hits = (
        ws.backend()
        .search(
            SearchRequest(
                query='"bijgewerkt"', filters={"platform": ["blog"]}, facets=[], date_histogram=None
            )
        )
        .hits
    )
    assert len(hits) == 1
    edited = hits[0].post
    assert edited.title.endswith("(bijgewerkt)") and edited.capture is not None
    assert (
        len(edited.earlier_captures) == 1
        and edited.earlier_captures[0].record_id != edited.capture.record_id
    )
    ws.close()


def test_small_batches_build_the_index_one_batch_builds(
    collected: tuple[DemoSources, Workspace], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Posts are committed a batch at a time; a Post captured again in a later batch is merged
    with the copy committed before."""
    _, ws = collected
    monkeypatch.setattr(indexer.pipeline, "BATCH_SIZE", 7)
    in_batches, count = index_twin(ws, ws.config(check_secrets=False), tmp_path)
    assert count == len(in_batches)  # no Post indexed twice
    at_once = {post.id: post for post in ws.backend().scan(everything())}
    assert sum(1 for post in at_once.values() if post.earlier_captures) > 0  # repeats were merged
    assert in_batches == at_once
