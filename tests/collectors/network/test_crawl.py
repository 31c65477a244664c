"""The network collector crawls a Ning-style site over real HTTP into WARCs: as it came over the
wire, within robots.txt and the source's limits, conditionally on re-crawls, and as often as a
process likes."""

from __future__ import annotations

import contextlib
import hashlib
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from collectors.network.job import CrawlJob, CrawlOutcome
from collectors.runner import run_sources
from config.models import ArchiverenConfig, NetworkSource
from tests.collectors.network.conftest import LocalSite, captures, network_config, records


def test_crawl_archives_every_allowed_page_as_it_came_over_the_wire(
    ning_site: LocalSite, tmp_path: Path
) -> None:
    config = network_config(ning_site)
    [report] = run_sources(config, tmp_path)

    # the one page in a changed layout makes the run partial, and is the only problem
    assert report.outcome == "partial", report.errors
    assert [e.split(": ", 1)[0] for e in report.errors] == [
        ning_site.url("/profiles/blogs/nieuwe-layout")
    ]
    archived = {
        c.url
        for c in captures(tmp_path, config)
        if c.capture_kind == "page" and c.http_status == 200
    }
    assert archived == {
        ning_site.url("/"),
        ning_site.url("/profiles/blogs/omgevingswet-in-de-praktijk"),
        ning_site.url("/profiles/blogs/omgevingswet-in-de-praktijk?commentPage=2"),
        ning_site.url("/profiles/blogs/omgevingswet-in-de-praktijk?commentPage=1"),
        ning_site.url("/profiles/blogs/nieuwe-layout"),
        ning_site.url("/forum/topics/open-data-vragen?xg_source=activity"),
        ning_site.url("/profile/JanJansen"),
    }
    blog = next(
        r
        for r in records(tmp_path)
        if r.rec_type == "response"
        and r.pointer.target_uri.endswith("/omgevingswet-in-de-praktijk")
    )
    assert blog.http_header("Content-Encoding") == "gzip"
    assert blog.raw_payload()[:2] == b"\x1f\x8b", (
        "the body must be archived before Scrapy decompresses it"
    )
    assert b"Reactie van" in blog.payload()


def test_robots_txt_is_archived_and_obeyed(ning_site: LocalSite, tmp_path: Path) -> None:
    config = network_config(ning_site)
    [report] = run_sources(config, tmp_path)

    kinds = {c.url: c.capture_kind for c in captures(tmp_path, config)}
    assert kinds[ning_site.url("/robots.txt")] == "robots"
    assert "/private/ledenlijst" not in [r["path"] for r in ning_site.requests]
    assert report.counts["skipped_robots"] == 1


def test_request_records_carry_the_headers_scrapy_sent(
    ning_site: LocalSite, tmp_path: Path
) -> None:
    run_sources(network_config(ning_site), tmp_path)

    request = next(
        r
        for r in records(tmp_path)
        if r.rec_type == "request" and r.pointer.target_uri == ning_site.url("/")
    )
    head = request.block().decode("latin-1")
    assert head.startswith("GET / HTTP/1.1\r\n")
    assert "Host: 127.0.0.1:" in head
    assert "archiveren/" in head and "archief@example.org" in head
    assert "Accept-Encoding: gzip" in head


def test_depth_limit_counts_links_but_not_the_pages_of_a_comment_list(
    ning_site: LocalSite, tmp_path: Path
) -> None:
    config = network_config(ning_site, max_depth=1)
    run_sources(config, tmp_path)

    fetched = {
        c.url.removeprefix(ning_site.base_url)
        for c in captures(tmp_path, config)
        if c.capture_kind == "page"
    }
    assert "/profiles/blogs/omgevingswet-in-de-praktijk?commentPage=2" in fetched
    assert "/profile/AnnekeDeWit" not in fetched, (
        "a commenter's profile is two links from the start"
    )


def test_page_limit_bounds_the_crawl(ning_site: LocalSite, tmp_path: Path) -> None:
    config = network_config(ning_site, max_pages=3)
    [report] = run_sources(config, tmp_path)

    pages = [c for c in captures(tmp_path, config) if c.capture_kind == "page"]
    assert len(pages) == 3
    assert report.counts["pages"] + report.counts["http_errors"] == 3


def test_unchanged_recrawl_costs_a_304_per_page_and_writes_no_payload(
    ning_site: LocalSite, tmp_path: Path
) -> None:
    config = network_config(ning_site)
    [first] = run_sources(config, tmp_path)
    payloads_before = len(
        [r for r in records(tmp_path) if r.rec_type == "response" and r.http_status == 200]
    )

    [second] = run_sources(config, tmp_path)

    payloads_after = len(
        [r for r in records(tmp_path) if r.rec_type == "response" and r.http_status == 200]
    )
    # the unchanged page in a changed layout is still unreadable: the re-crawl says so again
    assert second.outcome == "partial" and second.errors == first.errors
    assert second.counts["profile_mismatch"] == first.counts["profile_mismatch"] == 1
    assert second.counts["not_modified"] == first.counts["pages"]
    assert second.counts["pages"] == first.counts["pages"], (
        "the links of unchanged pages are still followed"
    )
    # robots.txt is fetched again each run; it is unchanged, so it becomes a revisit
    assert payloads_after == payloads_before
    assert second.counts["captures"] == 0


def test_two_runs_in_one_process_both_crawl(ning_site: LocalSite, tmp_path: Path) -> None:
    config = network_config(ning_site)
    [first] = run_sources(config, tmp_path / "one")
    [second] = run_sources(config, tmp_path / "two")

    assert first.outcome == second.outcome == "partial"  # the changed layout, both times
    assert first.counts["pages"] == second.counts["pages"] == 7
    assert first.counts["http_errors"] == second.counts["http_errors"] > 0
    assert len(captures(tmp_path / "two", config)) == len(captures(tmp_path / "one", config))


def test_page_that_does_not_match_its_profile_is_reported(
    ning_site: LocalSite, tmp_path: Path
) -> None:
    [report] = run_sources(network_config(ning_site), tmp_path)

    assert report.counts["profile_mismatch"] == 1 and report.outcome == "partial"


def test_stop_request_ends_the_crawl_gracefully_as_a_partial_run(
    ning_site: LocalSite, tmp_path: Path
) -> None:
    stop = threading.Event()
    ning_site.on_request = lambda path: stop.set() if path == "/" else None
    config = network_config(ning_site, delay_seconds=1)
    [report] = run_sources(config, tmp_path, stop=stop)

    assert report.outcome == "partial"
    assert any("stopped" in error for error in report.errors)
    assert 1 <= report.counts["pages"] < 7
    assert captures(tmp_path, config), (
        "what was fetched before the stop is archived in a closed WARC"
    )


def test_a_crawl_child_sent_sigterm_again_and_again_still_closes_its_warc_and_reports(
    ning_site: LocalSite, tmp_path: Path
) -> None:
    """A stop can reach the child at any moment, also after Scrapy's reactor has stopped and
    Twisted has put the default handlers back: the WARC is closed and the outcome written."""
    job_path, outcome_path = tmp_path / "job.json", tmp_path / "outcome.json"
    crawl_job(ning_site, tmp_path / "warcs").save(job_path)
    child = subprocess.Popen(
        [sys.executable, "-m", "collectors.network.crawl", str(job_path), str(outcome_path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    def barrage(path: str) -> None:
        if path != "/":
            return
        ning_site.on_request = None

        def keep_sending() -> None:
            while child.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    child.send_signal(signal.SIGTERM)
                time.sleep(0.002)

        threading.Thread(target=keep_sending, daemon=True).start()

    ning_site.on_request = barrage
    assert child.wait(60) == 0
    outcome = CrawlOutcome.load(outcome_path)
    assert outcome.stopped and outcome.closed_files
    assert not list((tmp_path / "warcs").glob("*.open"))
    for closed in outcome.closed_files:
        assert hashlib.sha256(Path(closed.path).read_bytes()).hexdigest() == closed.sha256


def crawl_job(site: LocalSite, archive_dir: Path) -> CrawlJob:
    return CrawlJob(
        source="a20",
        start_urls=[site.url("/")],
        allow=[],
        deny=[],
        max_depth=3,
        max_pages=100,
        profile="ning",
        platform="ning",
        obey_robots=True,
        delay_seconds=0.05,
        concurrency_per_host=1,
        timeout_seconds=10,
        max_response_bytes=10_000_000,
        retries=0,
        user_agent="archiveren-test",
        archive_dir=str(archive_dir),
        archive_prefix="test",
        rollover_bytes=100_000_000,
        operator="test",
        collector_version="test",
    )


def _source(site: LocalSite, start: str, **settings: Any) -> ArchiverenConfig:
    source = {"name": "a20", "type": "network", "profile": "ning", "delay_seconds": 0}
    source.update(settings, start_urls=[site.url(start)])
    return ArchiverenConfig.model_validate({"organisation": "BZK", "sources": [source]})


def test_a_start_url_that_names_one_page_stays_on_that_page_and_its_comment_pages(
    ning_site: LocalSite, tmp_path: Path
) -> None:
    blog = "/profiles/blogs/omgevingswet-in-de-praktijk"
    config = _source(ning_site, blog)
    [report] = run_sources(config, tmp_path)

    assert report.outcome == "ok", report.errors
    # every page of its comment list is the same page; robots.txt is asked for each crawl
    assert set(ning_site.answered(200)) == {
        blog,
        f"{blog}?commentPage=1",
        f"{blog}?commentPage=2",
        "/robots.txt",
    }


def test_a_page_source_told_to_crawl_the_site_follows_its_links(
    ning_site: LocalSite, tmp_path: Path
) -> None:
    blog = "/profiles/blogs/omgevingswet-in-de-praktijk"
    run_sources(_source(ning_site, blog, crawl="site", max_depth=1), tmp_path)

    assert "/profile/JanJansen" in ning_site.answered(200)


@pytest.mark.parametrize(
    ("start", "settings", "crawls_site"),
    [
        ("/", {}, True),
        ("", {}, True),
        ("/?lang=nl", {}, True),
        ("/w/page/2153/Handboek", {}, False),
        ("/w/page/2153/Handboek", {"max_depth": 2}, True),
        ("/w/page/2153/Handboek", {"crawl": "site"}, True),
        ("/", {"crawl": "page"}, False),
    ],
)
def test_which_sources_crawl_their_site(
    ning_site: LocalSite, start: str, settings: dict[str, Any], crawls_site: bool
) -> None:
    [source] = _source(ning_site, start, **settings).sources
    assert isinstance(source, NetworkSource) and source.crawls_site is crawls_site
