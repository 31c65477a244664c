"""A comment removed from a thread on the demo Ning community, collected and indexed end to end:
the comment keeps its Post and text and gains a ``missing_from_page`` tombstone dated between
the two collections, with the recaptured page as evidence; in a thread of several comment pages
(the later comments move up a page) only the removed comment is missing; a crawl in which one
of the thread's pages fails (a 503, a page slower than the timeout) decides nothing and the next
whole crawl does; a comment that comes back is restored, both facts kept."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from collectors.runner import run_sources
from demo_sources import DemoSources
from demo_sources.dataset import NingPost
from demo_sources.httpbase import STALL
from foundation.post import Post
from foundation.utc import utcnow
from indexer.pipeline import index_new_records
from indexer.query_model import SearchRequest
from workspace import Workspace


def found(ws: Workspace, query: str) -> list[Post]:
    result = ws.backend().search(
        SearchRequest(query=query, limit=100, facets=[], date_histogram=None, highlight=False)
    )
    return [hit.post for hit in result.hits]


def thread_workspace(demo: DemoSources, tmp: Path, post: NingPost) -> Workspace:
    """A workspace whose one source is the demo Ning community, crawling only ``post``'s thread
    (its comment pages), with no retries and a short timeout."""
    raw: dict[str, Any] = yaml.safe_load(demo.config_yaml())
    source = next(s for s in raw["sources"] if s["type"] == "network" and s["profile"] == "ning")
    source.update(start_urls=[demo.urls["ning"].rstrip("/") + post.path], max_depth=0)
    raw["sources"] = [source]
    raw["http"] = {**raw.get("http", {}), "retries": 0, "timeout_seconds": 1.5}
    config = tmp / "sources.yaml"
    config.write_text(yaml.safe_dump(raw), encoding="utf-8")
    return Workspace(config_path=config, data_dir=tmp / "data")


def collect(ws: Workspace) -> dict[str, int]:
    [report] = run_sources(ws.config(), ws.data_dir)
    assert not index_new_records(ws).errors
    return dict(report.counts)


def gone(ws: Workspace) -> list[Post]:
    return found(ws, "deleted:true")


def ning_post(demo: DemoSources, comments: int) -> NingPost:
    return next(p for p in demo.content.ning_posts if len(p.comments) == comments)


def rare_word(text: str) -> str:
    return max(text.split(), key=len).strip(".,!?;:()'\"")


def test_a_removed_comment_gets_a_tombstone_and_is_restored_when_it_comes_back(
    demo_sources: DemoSources, tmp_path: Path
) -> None:
    demo = demo_sources
    post = ning_post(demo, 5)
    ws = thread_workspace(demo, tmp_path, post)
    assert collect(ws)["pages"] == 1
    between = utcnow()
    removed = demo.ning.remove_comment(post.slug, post.comments[2].id)

    assert collect(ws)["comments_missing"] == 1
    (comment,) = gone(ws)
    assert comment.id.endswith(f"#comment-6690995:Comment:{removed.id}")
    assert comment.kind == "comment" and comment.text == removed.text, "kept, with its wording"
    stone = comment.tombstone
    assert stone is not None and stone.how == "missing_from_page" and stone.status == 200
    assert stone.last_seen is not None and stone.last_seen < between < stone.missing_since
    assert stone.evidence is not None and stone.evidence.target_uri == comment.url
    assert comment.id in {p.id for p in found(ws, f'"{rare_word(removed.text)}"')}

    back = utcnow()
    demo.ning.restore_comment(removed.id)
    assert not collect(ws).get("comments_missing")
    (restored,) = [p for p in found(ws, "kind:comment") if p.id == comment.id]
    assert restored.tombstone is not None and restored.tombstone.restored_at is not None
    assert restored.tombstone.restored_at > back
    assert restored.tombstone.missing_since == stone.missing_since, "both facts kept"
    ws.close()


def test_of_a_thread_of_three_comment_pages_only_the_removed_comment_is_missing(
    demo_sources: DemoSources, tmp_path: Path
) -> None:
    demo = demo_sources
    post = ning_post(demo, 27)
    ws = thread_workspace(demo, tmp_path, post)
    assert collect(ws)["pages"] == 4, "the thread, its pages 2 and 3, and page 1 by name"
    removed = demo.ning.remove_comment(post.slug, post.comments[4].id)

    counts = collect(ws)
    assert counts["pages"] == 4 and counts["comments_missing"] == 1
    assert [p.id.rsplit(":", 1)[1] for p in gone(ws)] == [str(removed.id)]
    ws.close()


def test_a_crawl_in_which_a_page_of_the_thread_fails_decides_nothing(
    demo_sources: DemoSources, tmp_path: Path
) -> None:
    demo = demo_sources
    post = ning_post(demo, 27)
    ws = thread_workspace(demo, tmp_path, post)
    collect(ws)
    removed = demo.ning.remove_comment(post.slug, post.comments[1].id)

    ning = demo.servers["ning"]
    ning.misbehave("page=3", 503, repeat=True)
    counts = collect(ws)
    assert counts["http_errors"] == 1 and not counts.get("comments_missing") and not gone(ws)
    ning.behave()
    ning.stall_seconds = 3
    ning.misbehave("page=2", STALL, repeat=True)
    counts = collect(ws)
    assert counts["errors"] == 1 and not counts.get("comments_missing") and not gone(ws)

    ning.behave()
    before_whole: datetime = utcnow()
    assert collect(ws)["comments_missing"] == 1
    (comment,) = gone(ws)
    assert comment.id.endswith(f":{removed.id}")
    assert comment.tombstone is not None and comment.tombstone.missing_since > before_whole
    ws.close()
