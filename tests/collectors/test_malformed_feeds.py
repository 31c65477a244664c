"""Malformed feeds are archived as captured, logged with the reason, and never stop the run."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from catalogue.store import Catalogue
from collectors.runner import run_sources
from config.models import ArchiverenConfig
from tests.fixtures.collectors import BlogSite, LocalSite, archived_records

ITEMS = "".join(
    f"<item><title>Bericht {i}</title><link>http://127.0.0.1:1/p{i}</link><guid>p{i}</guid><description>Tekst {i} café</description></item>"
    for i in range(1, 4)
)
GOOD = f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Blog</title>{ITEMS}</channel></rss>'.encode()
BROKEN = {
    "/bozo/feed.xml": (
        GOOD.replace(b"</channel></rss>", b"<item><title>open"),
        "application/rss+xml",
        "",
    ),
    "/wrong-encoding/feed.xml": (
        GOOD.decode().encode("latin-1"),
        "application/rss+xml; charset=utf-8",
        "",
    ),
    "/html-instead/feed.xml": (
        b"<!DOCTYPE html><html><body><h1>Onderhoud</h1></body></html>",
        "text/html",
        "",
    ),
    "/truncated-gzip/feed.xml": (gzip.compress(GOOD)[:-60], "application/rss+xml", "gzip"),
}


def test_malformed_feeds_are_archived_logged_and_the_run_goes_on(
    local_site: LocalSite, blog_site: BlogSite, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    for path, (body, content_type, encoding) in BROKEN.items():
        headers = [("Content-Type", content_type)] + (
            [("Content-Encoding", encoding)] if encoding else []
        )
        local_site.routes[path] = lambda request, body=body, headers=headers: (200, headers, body)
    sources = [
        {
            "name": path.split("/")[1],
            "type": "feed",
            "url": local_site.url + path,
            "capture_pages": False,
            "backfill_depth": 0,
        }
        for path in BROKEN
    ]
    sources.insert(1, {"name": "unreachable", "type": "feed", "url": "http://127.0.0.1:9/feed.xml"})
    sources.append({"name": "good", "type": "feed", "url": blog_site.url + "/feed/"})
    config = ArchiverenConfig.model_validate(
        {"http": {"delay_seconds": 0, "retries": 1, "timeout_seconds": 2}, "sources": sources}
    )

    reports = {r.source: r for r in run_sources(config, tmp_path, backoff_base=0.01)}

    assert list(reports) == [s["name"] for s in sources], "every source ran, in order"
    assert reports["good"].outcome == "ok" and reports["good"].counts["entry_pages"] == 3
    assert (
        reports["unreachable"].outcome == "failed"
        and "after 2 attempts" in reports["unreachable"].errors[0]
    )
    for name in ("bozo", "wrong-encoding", "truncated-gzip"):
        assert reports[name].outcome == "ok" and reports[name].counts["malformed"] == 1, name
    assert (
        reports["html-instead"].outcome == "failed"
        and "neither a feed nor a page announcing one" in reports["html-instead"].errors[0]
    )
    assert (
        "truncated" in caplog.text
        and "SAXParseException" in caplog.text
        and "CharacterEncodingOverride" in caplog.text
    )
    archived = {
        r.pointer.target_uri
        for r in archived_records(tmp_path / "warcs")
        if r.rec_type == "response"
    }
    assert {local_site.url + path for path in BROKEN} <= archived
    catalogue = Catalogue.open(tmp_path)
    runs = {run.source: run for run in catalogue.runs(limit=10)}
    assert runs["unreachable"].outcome == "failed" and runs["unreachable"].errors
    assert runs["good"].outcome == "ok"
    catalogue.close()
