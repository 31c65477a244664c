"""The feed collector against the demo blogs, end to end: collect, read back, extract, index."""

from __future__ import annotations

from pathlib import Path

from collectors.runner import run_sources
from config import load_config
from demo_sources import DemoSources
from indexer.extractors.feed import extract_posts
from tests.fixtures.collectors import archived_records, captures_in
from workspace import Workspace


def demo_blogs(demo: DemoSources, tmp_path: Path) -> tuple[Workspace, list[str]]:
    path = tmp_path / "sources.yaml"
    path.write_text(demo.config_yaml(), encoding="utf-8")
    config = load_config(path, check_secrets=False)
    config.http.delay_seconds = 0
    ws = Workspace(path, tmp_path / "data")
    ws.use_config(config)
    return ws, [s.name for s in config.sources if s.type == "feed"]


def test_demo_blogs_first_run_archives_all_entries_then_costs_one_304_each(
    demo_sources: DemoSources, tmp_path: Path
) -> None:
    ws, blogs = demo_blogs(demo_sources, tmp_path)
    config = ws.config()
    reports = run_sources(config, ws.data_dir, blogs)
    assert all(r.outcome == "ok" for r in reports), [(r.source, r.errors) for r in reports]
    posts = [p for c in captures_in(ws.archive_dir, config) for p in extract_posts(c)]
    entry_posts = {p.id for p in posts if p.kind == "post"}
    assert len(entry_posts) == sum(r.counts["entries_new"] for r in reports) > 0
    assert any(p.kind == "comment" and p.parent_id and p.thread_id for p in posts)

    captured_before = sum(
        1 for r in archived_records(ws.archive_dir) if r.rec_type in ("response", "revisit")
    )
    logged_before = len(demo_sources.request_log["blog"])
    again = run_sources(config, ws.data_dir, blogs)
    assert [r.counts["not_modified"] for r in again] == [1] * len(blogs)
    new_requests = [
        entry
        for entry in demo_sources.request_log["blog"][logged_before:]
        if "robots.txt" not in str(entry)
    ]
    assert len(new_requests) == len(blogs)
    after = [r for r in archived_records(ws.archive_dir) if r.rec_type in ("response", "revisit")][
        captured_before:
    ]
    assert {
        r.http_status
        for r in after
        if r.rec_type == "response" and "robots.txt" not in r.pointer.target_uri
    } == {304}
    again_posts = [p for c in captures_in(ws.archive_dir, config) for p in extract_posts(c)]
    assert len({p.id for p in again_posts}) == len({p.id for p in posts}), (
        "no new Posts from an unchanged feed"
    )
    ws.close()


def test_edited_demo_post_shows_the_edit_in_the_index(
    demo_sources: DemoSources, tmp_path: Path
) -> None:
    from indexer.pipeline import index_new_records
    from indexer.query_model import SearchRequest

    ws, blogs = demo_blogs(demo_sources, tmp_path)
    config = ws.config()
    run_sources(config, ws.data_dir, blogs)
    index_new_records(ws)
    blog = next(iter(demo_sources.content.blogs.values()))
    post = max(blog.posts, key=lambda p: p.published)
    demo_sources.blog.edit_post(
        blog.slug, post.id, paragraphs=["Bijgewerkt: zeldzaamwoord staat nu in dit bericht."]
    )
    [report] = run_sources(config, ws.data_dir, [f"blog-{blog.slug}"])
    assert report.counts["entries_changed"] == 1 and report.counts["captures"] >= 2, report
    index_new_records(ws)
    result = ws.backend().search(SearchRequest(query="zeldzaamwoord"))
    assert result.total == 1
    [hit] = result.hits
    assert hit.post.kind == "post" and hit.post.earlier_captures, (
        "the edit is the newest capture; the first is listed"
    )
    ws.close()
