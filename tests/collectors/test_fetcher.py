"""The capture core: robots.txt, retries, Retry-After, size cap, redirects, one WARC per exchange."""

from __future__ import annotations

import gzip
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from archive import WarcWriter
from collectors.http import Fetcher, FetchError, RobotsDisallowed, SourceProfile
from collectors.runner import run_sources
from config.models import HttpSettings
from tests.fixtures.collectors import (
    BlogSite,
    LocalSite,
    Request,
    Response,
    archived_records,
    feed_config,
)

PROFILE = SourceProfile("test", "blog", "feed", "0.1.0", run_id=1)


@pytest.fixture
def fetcher(tmp_path: Path) -> Iterator[Fetcher]:
    with (
        WarcWriter(tmp_path / "warcs") as writer,
        Fetcher(
            HttpSettings(delay_seconds=0, retries=2, timeout_seconds=2, max_response_bytes=4096),
            writer,
            backoff_base=0.05,
        ) as fetcher,
    ):
        yield fetcher


def text(status: int, body: bytes = b"ok", *headers: tuple[str, str]) -> Response:
    return status, [("Content-Type", "text/plain"), *headers], body


def test_source_disallowed_by_robots_is_skipped_and_says_why(
    blog_site: BlogSite, tmp_path: Path
) -> None:
    blog_site.robots = "User-agent: archiveren\nDisallow: /feed/\n"
    [report] = run_sources(feed_config(blog_site.url + "/feed/"), tmp_path)
    assert report.outcome == "skipped"
    assert f"robots.txt at {blog_site.url}/robots.txt disallows /feed/" in report.errors[0]
    assert blog_site.requests_to("/feed/") == []
    assert [
        r.pointer.target_uri
        for r in archived_records(tmp_path / "warcs")
        if r.rec_type == "response"
    ] == [blog_site.url + "/robots.txt"]


def test_robots_can_be_overridden_per_source(
    blog_site: BlogSite, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blog_site.robots = "User-agent: *\nDisallow: /\n"
    [report] = run_sources(feed_config(blog_site.url + "/feed/", obey_robots=False), tmp_path)
    assert report.outcome == "ok" and report.counts["entry_pages"] == 3
    assert blog_site.requests_to("/robots.txt") == []
    assert "robots.txt is NOT obeyed" in caplog.text


def test_host_answering_429_with_retry_after_is_waited_for(
    local_site: LocalSite, fetcher: Fetcher
) -> None:
    def limited(request: Request) -> Response:
        return (
            text(429, b"slow down", ("Retry-After", "1"))
            if len(local_site.requests_to("/api")) == 1
            else text(200, b"done")
        )

    local_site.routes["/api"] = limited
    result = fetcher.fetch(local_site.url + "/api", profile=PROFILE, kind="api_page")
    assert result.status == 200 and result.body == b"done" and result.attempts == 2
    first, second = local_site.requests_to("/api")
    assert 1.0 <= second.at - first.at < 2.0
    statuses = [
        r.http_status
        for r in archived_after_close(fetcher)
        if r.rec_type == "response" and r.pointer.target_uri.endswith("/api")
    ]
    assert statuses == [429, 200]


def test_server_errors_are_retried_then_given_up_with_a_clear_error(
    local_site: LocalSite, fetcher: Fetcher
) -> None:
    local_site.routes["/down"] = lambda request: text(503, b"maintenance")
    with pytest.raises(FetchError, match=r"HTTP 503 .* after 3 attempts; gave up"):
        fetcher.fetch(local_site.url + "/down", profile=PROFILE, kind="page")
    assert len(local_site.requests_to("/down")) == 3


def test_oversized_response_is_cut_at_the_cap_and_marked_truncated(
    local_site: LocalSite, fetcher: Fetcher
) -> None:
    local_site.routes["/big"] = lambda request: text(200, b"x" * 10_000)
    result = fetcher.fetch(local_site.url + "/big", profile=PROFILE, kind="page")
    assert result.truncated == "length" and len(result.body) == 4096
    [record] = [
        r
        for r in archived_after_close(fetcher)
        if r.pointer.target_uri.endswith("/big") and r.rec_type == "response"
    ]
    assert dict(record.warc_headers).get("WARC-Truncated") == "length"


def test_gzip_body_is_archived_as_sent_and_handed_over_decoded(
    local_site: LocalSite, fetcher: Fetcher
) -> None:
    packed = gzip.compress(b"<rss>hallo</rss>")
    local_site.routes["/gz"] = lambda request: (
        200,
        [("Content-Type", "application/rss+xml"), ("Content-Encoding", "gzip")],
        packed,
    )
    result = fetcher.fetch(local_site.url + "/gz", profile=PROFILE, kind="feed")
    assert result.body == b"<rss>hallo</rss>" and not result.decode_error
    assert local_site.requests_to("/gz")[0].header("accept-encoding") == "gzip, deflate"


def test_truncated_gzip_keeps_what_decoded_and_says_so(
    local_site: LocalSite, fetcher: Fetcher
) -> None:
    packed = gzip.compress(b"<rss>" + b"hallo " * 500 + b"</rss>")
    local_site.routes["/cut"] = lambda request: (
        200,
        [("Content-Type", "application/rss+xml"), ("Content-Encoding", "gzip")],
        packed[: len(packed) // 2],
    )
    result = fetcher.fetch(local_site.url + "/cut", profile=PROFILE, kind="feed")
    assert result.status == 200 and result.body.startswith(b"<rss>hallo")
    assert "truncated" in result.decode_error


def test_each_redirect_hop_is_its_own_exchange(local_site: LocalSite, fetcher: Fetcher) -> None:
    local_site.routes["/old"] = lambda request: text(301, b"", ("Location", "/new"))
    local_site.routes["/new"] = lambda request: text(200, b"here")
    result = fetcher.fetch(local_site.url + "/old", profile=PROFILE, kind="page")
    assert result.url == local_site.url + "/new" and result.redirects == [local_site.url + "/old"]
    responses = [
        (r.pointer.target_uri, r.http_status)
        for r in archived_after_close(fetcher)
        if r.rec_type == "response"
    ]
    assert responses[-2:] == [(local_site.url + "/old", 301), (local_site.url + "/new", 200)]


def test_politeness_delay_spaces_requests_to_one_host(
    local_site: LocalSite, tmp_path: Path
) -> None:
    local_site.routes["/p"] = lambda request: text(200)
    settings = HttpSettings(delay_seconds=0.3, concurrency_per_host=2)
    with WarcWriter(tmp_path / "w") as writer, Fetcher(settings, writer) as fetcher:
        threads = [
            threading.Thread(
                target=fetcher.fetch,
                args=(local_site.url + "/p",),
                kwargs={"profile": PROFILE, "kind": "page"},
            )
            for _ in range(3)
        ]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    times = sorted(r.at for r in local_site.requests_to("/p"))
    assert all(b - a >= 0.2 for a, b in zip(times, times[1:], strict=False))
    assert times[-1] - started < 3.0


def test_robots_disallow_raises_before_any_request(local_site: LocalSite, fetcher: Fetcher) -> None:
    local_site.routes["/robots.txt"] = lambda request: text(
        200, b"User-agent: *\nDisallow: /private\n"
    )
    with pytest.raises(RobotsDisallowed, match="disallows /private/x"):
        fetcher.fetch(local_site.url + "/private/x", profile=PROFILE, kind="page")
    assert local_site.requests_to("/private/x") == []


def test_unreachable_robots_means_disallow_all(local_site: LocalSite, fetcher: Fetcher) -> None:
    local_site.routes["/robots.txt"] = lambda request: text(500, b"oops")
    with pytest.raises(RobotsDisallowed, match="RFC 9309"):
        fetcher.fetch(local_site.url + "/page", profile=PROFILE, kind="page")


def archived_after_close(fetcher: Fetcher) -> list:
    fetcher.writer.close()
    return archived_records(fetcher.writer.directory)
