"""No source can overwrite another's record (issue 21, item 1). A hostile feed on 127.0.0.1
whose items point at the demo blog-zoe's posts (their links, their guids) is collected and
indexed through the real command line; blog-zoe keeps every Post with its own source,
organisation, title, author, retention and capture, also after `index --rebuild` and when the
hostile feed was collected first. The hostile source's captures stay as its own records of
foreign URLs. A second source that may speak for the same blog keeps its captures beside
blog-zoe's without changing blog-zoe's metadata."""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pytest
import yaml

from archive import iter_records
from demo_sources import DemoSources
from foundation.post import Post
from indexer.query_model import SearchRequest
from platforms.feed_entries import parse_feed
from platforms.ownership import is_foreign_record
from tests.fixtures.cli_world import CliWorld
from tests.fixtures.collectors import LocalSite, Request, Response
from workspace import Workspace

ZOE_RETENTION = {"category": "1.1", "years": 10}
HOSTILE_ORGANISATION = "Kaperij B.V."


class HostileBlog(LocalSite):
    """A feed whose items claim blog-zoe's posts: the first ``taken`` items link to them under
    their own guids; one more keeps zoe's guid but links to a page of its own; one is its own."""

    def __init__(self, zoe_entries: list[dict[str, Any]], taken: int = 3) -> None:
        super().__init__()
        items = [(e["native_id"], e["link"], f"Gekaapt: {e['title']}") for e in zoe_entries[:taken]]
        items.append((zoe_entries[taken]["native_id"], f"{self.url}/eigen/1", "Vals id"))
        items.append((f"{self.url}/eigen/2", f"{self.url}/eigen/2", "Echt eigen bericht"))
        self.items = items
        self.routes["/feed/"] = self._feed
        self.routes["/eigen/1"] = self.routes["/eigen/2"] = self._page

    def _feed(self, request: Request) -> Response:
        when = format_datetime(datetime(2026, 1, 5, 12, 0, tzinfo=UTC), usegmt=True)
        items = "".join(
            f"<item><title>{escape(title)}</title><link>{escape(link)}</link>"
            f'<guid isPermaLink="false">{escape(guid)}</guid><dc:creator>Kaper</dc:creator>'
            f"<pubDate>{when}</pubDate><description>Overgenomen.</description></item>"
            for guid, link, title in self.items
        )
        xml = (
            '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>Kaperblog</title>'
            f"<link>{self.url}/</link><description>x</description>{items}</channel></rss>"
        )
        return 200, [("Content-Type", "application/rss+xml; charset=UTF-8")], xml.encode()

    def _page(self, request: Request) -> Response:
        page = "<!DOCTYPE html><html lang='nl'><head><title>Eigen</title></head><body><main><article><p>Een eigen pagina van de kaper met genoeg tekst om te lezen.</p></article></main></body></html>"
        return 200, [("Content-Type", "text/html; charset=UTF-8")], page.encode()


def zoe_entries(demo: DemoSources) -> list[dict[str, Any]]:
    url = demo.urls["blog"].rstrip("/") + "/zoe/feed/"
    with urllib.request.urlopen(url, timeout=10) as response:
        return parse_feed(response.read(), url, list(response.headers.items())).entries


@pytest.fixture
def hostile(demo_sources_readonly: DemoSources) -> Iterator[HostileBlog]:
    site = HostileBlog(zoe_entries(demo_sources_readonly))
    yield site
    site.close()


def world_for(
    demo: DemoSources,
    hostile: HostileBlog,
    tmp_path: Path,
    *extra_sources: dict[str, Any],
    index_workers: int = 0,
) -> CliWorld:
    """blog-zoe (with a retention rule) and hostile-blog, plus ``extra_sources``; the index is
    built by ``index_workers`` extraction processes, or in the indexing process."""
    config = yaml.safe_load(demo.config_yaml())
    config["search"] = {"index_workers": index_workers}
    [zoe] = [s for s in config["sources"] if s["name"] == "blog-zoe"]
    zoe["retention"] = ZOE_RETENTION
    hostile_source = {
        "name": "hostile-blog",
        "type": "feed",
        "organisation": HOSTILE_ORGANISATION,
        "url": f"{hostile.url}/feed/",
    }
    config["sources"] = [zoe, hostile_source, *extra_sources]
    path = tmp_path / "sources.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return CliWorld(path, tmp_path / "data")


def indexed(world: CliWorld) -> dict[str, Post]:
    ws = Workspace(config_path=world.config_path, data_dir=world.data_dir)
    try:
        request = SearchRequest(limit=1000, facets=[], date_histogram=None, highlight=False)
        return {post.id: post for post in ws.backend().scan(request)}
    finally:
        ws.close()


def zoe_posts(posts: dict[str, Post]) -> dict[str, tuple[Any, ...]]:
    """What blog-zoe says of each of its Posts: everything the hostile feed took over before."""
    return {
        post.id: (
            post.source,
            post.organisation,
            post.title,
            post.author,
            post.retention,
            post.capture,
            post.url,
        )
        for post in posts.values()
        if post.source == "blog-zoe"
    }


def capture_sources(world: CliWorld) -> dict[str, str]:
    """Record id of each capture -> the source its metadata record names (its provenance)."""
    return {
        record.concurrent_to: str((record.metadata_json() or {}).get("source"))
        for record in iter_records(world.data_dir / "warcs")
        if record.rec_type == "metadata" and record.concurrent_to
    }


def test_a_hostile_feed_cannot_take_over_another_sources_posts(
    demo_sources_readonly: DemoSources, hostile: HostileBlog, tmp_path: Path
) -> None:
    world = world_for(demo_sources_readonly, hostile, tmp_path, index_workers=2)
    world.ok("collect", "blog-zoe")
    world.ok("index")
    before = zoe_posts(indexed(world))
    assert len(before) > 20 and all(fields[4].category == "1.1" for fields in before.values())

    collected = world.ok("collect", "hostile-blog")
    assert "entries_outside_site 3" in collected, (
        "the operator is told of entries linking elsewhere"
    )
    world.ok("index")
    after = indexed(world)
    assert zoe_posts(after) == before

    hostile_posts = {
        post.id: post
        for post in after.values()
        if post.source == "hostile-blog" and post.kind == "post"
    }
    foreign = {post.url: post for post in hostile_posts.values() if is_foreign_record(post.id)}
    taken = [link for _, link, _ in hostile.items[:3]]
    assert sorted(foreign) == sorted([*taken, f"{hostile.url}/eigen/1"])
    provenance = capture_sources(world)
    for post in foreign.values():
        assert post.id.startswith("blog:foreign:hostile-blog:")
        assert post.organisation == HOSTILE_ORGANISATION and post.author == "Kaper"
        assert post.capture is not None and provenance[post.capture.record_id] == "hostile-blog"
    assert f"blog:{hostile.url}/eigen/2" in hostile_posts, (
        "a feed's own entries keep their plain ids"
    )

    world.ok("index", "--rebuild")
    rebuilt = indexed(world)
    assert zoe_posts(rebuilt) == before
    assert {post_id for post_id in rebuilt if is_foreign_record(post_id)} == {
        post_id for post_id in after if is_foreign_record(post_id)
    }


def test_collected_first_the_hostile_feed_still_takes_nothing(
    demo_sources_readonly: DemoSources, hostile: HostileBlog, tmp_path: Path
) -> None:
    world = world_for(demo_sources_readonly, hostile, tmp_path)
    world.ok("collect", "hostile-blog")
    world.ok("collect", "blog-zoe")
    world.ok("index")
    posts = indexed(world)
    for guid, link, _ in hostile.items[:3]:
        zoe = posts[f"blog:{guid}"]
        assert (zoe.source, zoe.url, zoe.retention.category) == ("blog-zoe", link, "1.1")
        assert zoe.author != "Kaper" and not zoe.title.startswith("Gekaapt")
    assert not [
        post
        for post in posts.values()
        if post.source == "hostile-blog"
        and not is_foreign_record(post.id)
        and "/eigen/" not in post.url
    ]


def test_two_sources_that_may_speak_for_one_blog_keep_both_captures(
    demo_sources_readonly: DemoSources, hostile: HostileBlog, tmp_path: Path
) -> None:
    mirror = {
        "name": "zoe-regionaal-archief",
        "type": "feed",
        "organisation": "Regionaal Archief",
        "url": demo_sources_readonly.urls["blog"].rstrip("/") + "/zoe/feed/",
    }
    world = world_for(demo_sources_readonly, hostile, tmp_path, mirror)
    world.ok("collect", "blog-zoe")
    world.ok("index")
    before = zoe_posts(indexed(world))
    world.ok("collect", "zoe-regionaal-archief")
    world.ok("index")
    posts = indexed(world)
    assert zoe_posts(posts) == before
    provenance = capture_sources(world)
    shared = [post for post in posts.values() if post.kind == "post" and post.source == "blog-zoe"]
    for post in shared:
        assert post.capture is not None and post.earlier_captures, post.id
        providers = {
            provenance[pointer.record_id] for pointer in [post.capture, *post.earlier_captures]
        }
        assert providers == {"blog-zoe", "zoe-regionaal-archief"}, post.id
    assert not [post for post in posts.values() if post.source == "zoe-regionaal-archief"]
