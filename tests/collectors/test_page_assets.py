"""A blog post's page is archived with what it loads to look as it does: its stylesheets, the
stylesheets, images and fonts they name, and its images, each its own response record naming
the page; within a page's limits, with every file not archived counted, never dropped."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from collectors.runner import run_sources
from tests.fixtures.collectors import LocalSite, archived_records, feed_config

CSS = b'@import "basis.css";\n.kop { background: url(kop.png) }\n'
BASIS = b'@font-face { font-family: Thema; src: url(/fonts/thema.woff2) format("woff2") }\n'


def page(number: int) -> bytes:
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>Bericht {number}</title>'
        '<link rel="stylesheet" href="/thema/style.css"></head><body><h1 class="kop">Bericht</h1>'
        f'<img src="/foto{number}.png"><img src="/weg.png"></body></html>'
    ).encode()


def feed(site_url: str, posts: int) -> bytes:
    items = "".join(
        f"<item><title>Bericht {n}</title><link>{site_url}/bericht/{n}/</link>"
        f"<guid>{site_url}/?p={n}</guid><description>tekst {n}</description></item>"
        for n in range(1, posts + 1)
    )
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Blog</title>'
        f"<link>{site_url}/</link><description>d</description>{items}</channel></rss>"
    ).encode()


@pytest.fixture
def themed_blog() -> Iterator[LocalSite]:
    site = LocalSite()
    site.routes["/feed/"] = lambda r: (
        200,
        [("Content-Type", "application/rss+xml")],
        feed(site.url, 2),
    )
    for n in (1, 2):
        site.routes[f"/bericht/{n}/"] = lambda r, n=n: (
            200,
            [("Content-Type", "text/html")],
            page(n),
        )
        site.routes[f"/foto{n}.png"] = lambda r, n=n: (
            200,
            [("Content-Type", "image/png")],
            b"PNG%d" % n,
        )
    site.routes["/thema/style.css"] = lambda r: (200, [("Content-Type", "text/css")], CSS)
    site.routes["/thema/basis.css"] = lambda r: (200, [("Content-Type", "text/css")], BASIS)
    site.routes["/thema/kop.png"] = lambda r: (200, [("Content-Type", "image/png")], b"PNGkop")
    site.routes["/fonts/thema.woff2"] = lambda r: (200, [("Content-Type", "font/woff2")], b"wOF2")
    yield site
    site.close()


def assets(archive_dir: Path) -> dict[str, tuple[str, str]]:
    """URL -> (record type, the page that loaded it) of every page_asset capture."""
    records = archived_records(archive_dir)
    context = {r.concurrent_to: r.metadata_json() for r in records if r.rec_type == "metadata"}
    found = {}
    for record in records:
        meta = context.get(record.pointer.record_id, {})
        if meta.get("capture_kind") == "page_asset":
            found[record.pointer.target_uri] = (record.rec_type, meta["extra"]["page_url"])
    return found


def test_a_page_is_archived_with_its_stylesheets_and_the_images_and_fonts_they_name(
    themed_blog: LocalSite, tmp_path: Path
) -> None:
    [report] = run_sources(feed_config(themed_blog.url + "/feed/"), tmp_path)
    archived = assets(tmp_path / "warcs")
    first_page = themed_blog.url + "/bericht/1/"
    for path in ("/thema/style.css", "/thema/basis.css", "/thema/kop.png", "/fonts/thema.woff2"):
        assert archived[themed_blog.url + path] == ("response", first_page), path
    assert archived[themed_blog.url + "/foto2.png"] == ("response", themed_blog.url + "/bericht/2/")
    assert report.counts["page_assets"] == 6


def test_a_file_a_page_loads_that_cannot_be_fetched_is_counted_and_named(
    themed_blog: LocalSite, tmp_path: Path
) -> None:
    [report] = run_sources(feed_config(themed_blog.url + "/feed/"), tmp_path)
    assert report.counts["page_assets_failed"] == 1, "/weg.png, once for both pages"
    assert report.outcome == "partial"
    assert any("/weg.png" in error and "404" in error for error in report.errors), report.errors


def test_files_beyond_a_pages_limit_are_counted_as_skipped(
    themed_blog: LocalSite, tmp_path: Path
) -> None:
    [report] = run_sources(
        feed_config(themed_blog.url + "/feed/", page_assets_max_files=2), tmp_path
    )
    archived = assets(tmp_path / "warcs")
    assert themed_blog.url + "/thema/style.css" in archived, "stylesheets come first"
    assert themed_blog.url + "/thema/basis.css" in archived, "and what they import"
    assert report.counts["page_assets_skipped"] >= 4
    assert report.counts["page_assets"] + report.counts["page_assets_failed"] == 4


def test_a_shared_stylesheet_is_fetched_once_a_run_and_kept_as_a_revisit_by_the_next(
    themed_blog: LocalSite, tmp_path: Path
) -> None:
    config = feed_config(themed_blog.url + "/feed/")
    run_sources(config, tmp_path)
    assert len(themed_blog.requests_to("/thema/style.css")) == 1
    themed_blog.routes["/feed/"] = lambda r: (
        200,
        [("Content-Type", "application/rss+xml")],
        feed(themed_blog.url, 2).replace(b"tekst 2", b"tekst 2, bijgewerkt"),
    )
    [again] = run_sources(config, tmp_path)
    assert again.counts["entries_changed"] == 1
    records = archived_records(tmp_path / "warcs")
    css = [
        r.rec_type
        for r in records
        if r.pointer.target_uri.endswith("/thema/style.css")
        and r.rec_type in ("response", "revisit")
    ]
    assert css == ["response", "revisit"]


def test_page_assets_can_be_switched_off(themed_blog: LocalSite, tmp_path: Path) -> None:
    [report] = run_sources(
        feed_config(themed_blog.url + "/feed/", capture_page_assets=False), tmp_path
    )
    assert assets(tmp_path / "warcs") == {}
    assert not themed_blog.requests_to("/thema/style.css")
    assert report.outcome == "ok"
