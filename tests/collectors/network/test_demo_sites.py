"""Against the demo Ning-style community and PBworks-style wiki over real HTTP: every blog post,
discussion, wiki page and comment is archived and read back with the right author, date and
parent, long comment lists are followed page by page, and a re-crawl of the unchanged sites
writes no payload twice."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from collectors.base import RunReport
from collectors.runner import run_sources
from config.models import ArchiverenConfig
from demo_sources import DemoSources
from foundation.post import Post
from indexer.extractors.network import extract_posts
from tests.collectors.network.conftest import captures, records


@dataclass
class DemoCrawl:
    demo: DemoSources
    config: ArchiverenConfig
    data_dir: Path
    first: dict[str, RunReport]
    second: dict[str, RunReport]
    responses_after_first: list[tuple[str, int | None, str]]
    posts: dict[str, Post]


def _text(value: str) -> str:
    return " ".join(value.split())


def _utc(when: datetime) -> datetime:
    return when.astimezone(UTC).replace(microsecond=0)


@pytest.fixture(scope="module")
def demo_crawl(
    demo_sources_readonly: DemoSources, tmp_path_factory: pytest.TempPathFactory
) -> DemoCrawl:
    raw: dict[str, Any] = yaml.safe_load(demo_sources_readonly.config_yaml())
    raw["sources"] = [s for s in raw["sources"] if s["type"] == "network"]
    config = ArchiverenConfig.model_validate(raw)
    data_dir = tmp_path_factory.mktemp("demo-network")
    first = {r.source: r for r in run_sources(config, data_dir)}
    after_first = [
        (r.pointer.target_uri, r.http_status, r.rec_type)
        for r in records(data_dir)
        if r.rec_type in ("response", "revisit")
    ]
    second = {r.source: r for r in run_sources(config, data_dir)}
    posts: dict[str, Post] = {}
    for capture in captures(data_dir, config):
        posts.update((post.id, post) for post in extract_posts(capture))
    return DemoCrawl(demo_sources_readonly, config, data_dir, first, second, after_first, posts)


def _by_url(crawl: DemoCrawl, kind: str) -> dict[str, Post]:
    return {p.url.split("?")[0]: p for p in crawl.posts.values() if p.kind == kind}


def test_both_sites_are_crawled_without_errors_or_profile_mismatches(demo_crawl: DemoCrawl) -> None:
    for report in demo_crawl.first.values():
        assert report.outcome == "ok", report.errors
        assert report.counts["profile_mismatch"] == 0


def test_every_ning_post_and_discussion_with_author_and_date(demo_crawl: DemoCrawl) -> None:
    content = demo_crawl.demo.content
    base = demo_crawl.demo.urls["ning"].rstrip("/")
    posts = _by_url(demo_crawl, "post")
    for kind in ("blog", "discussion"):
        for expected in content.ning_live(kind):
            post = posts[base + expected.path]
            assert post.title == expected.title
            assert post.author == content.ning_members[expected.author].display_name
            assert post.author_handle == expected.author
            assert post.published_at == _utc(expected.published)
            assert post.platform == "network" and post.organisation == "Ambtenaar 2.0"


def test_every_ning_comment_with_author_date_and_parent_across_comment_pages(
    demo_crawl: DemoCrawl,
) -> None:
    content = demo_crawl.demo.content
    base = demo_crawl.demo.urls["ning"].rstrip("/")
    posts = _by_url(demo_crawl, "post")
    longest = max(content.ning_posts, key=lambda p: len(p.comments))
    assert len(longest.comments) > 20, "the demo has a thread paged over several pages"
    for expected_post in (p for p in content.ning_posts if not p.deleted):
        parent = posts[base + expected_post.path]
        comments = {
            p.id.rsplit(":", 1)[-1]: p
            for p in demo_crawl.posts.values()
            if p.parent_id == parent.id
        }
        assert len(comments) == len(expected_post.comments), expected_post.path
        for expected in expected_post.comments:
            comment = comments[str(expected.id)]
            member = content.ning_members.get(expected.author)
            assert comment.author == (member.display_name if member else expected.author)
            assert comment.published_at == _utc(expected.published)
            assert comment.thread_id == parent.id and comment.kind == "comment"
            assert _text(comment.text) == _text(expected.text)


def test_every_wiki_page_and_comment_with_editor_and_date(demo_crawl: DemoCrawl) -> None:
    content = demo_crawl.demo.content
    base = demo_crawl.demo.urls["wiki"].rstrip("/")
    pages = _by_url(demo_crawl, "page")
    assert len(pages) == len(content.wiki_pages)
    for expected in content.wiki_pages:
        page = next(
            p for url, p in pages.items() if url.startswith(f"{base}/w/page/{expected.id}/")
        )
        assert (page.title, page.platform) == (expected.title, "wiki")
        assert page.author == expected.last_edit.editor
        assert page.published_at == _utc(expected.last_edit.at)
        comments = [p for p in demo_crawl.posts.values() if p.parent_id == page.id]
        assert sorted((c.author, c.published_at) for c in comments) == sorted(
            (c.author, _utc(c.published)) for c in expected.comments
        )


def test_recrawl_of_unchanged_sites_writes_no_payload_twice(demo_crawl: DemoCrawl) -> None:
    after_second = [
        (r.pointer.target_uri, r.http_status, r.rec_type)
        for r in records(demo_crawl.data_dir)
        if r.rec_type in ("response", "revisit")
    ]
    new = after_second[len(demo_crawl.responses_after_first) :]
    full_payloads = [
        (uri, status) for uri, status, rec_type in new if rec_type == "response" and status == 200
    ]
    assert full_payloads == []
    assert demo_crawl.second["wiki-ambtenaar20"].counts["not_modified"] > 0, (
        "the wiki answers conditional requests"
    )
    assert (
        demo_crawl.second["ning-ambtenaar20"].counts["revisits"]
        == demo_crawl.first["ning-ambtenaar20"].counts["captures"]
    )
    for name, report in demo_crawl.second.items():
        assert report.counts["pages"] == demo_crawl.first[name].counts["pages"]
