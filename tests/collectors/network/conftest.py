"""Fixtures for the network collector and extractor tests: a small Ning-style site served over
real HTTP on 127.0.0.1 (gzip on the wire, ETag and Last-Modified with 304 answers, a robots.txt
that closes /private/), a config that points a network source at it, and a helper that reads a
run's WARCs back into the Captures the indexer would hand the extractor."""

from __future__ import annotations

import gzip
import hashlib
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from archive import ArchivedRecord, iter_records
from config.models import ArchiverenConfig
from indexer.capture_reader import capture_from_records
from indexer.extractors.base import Capture

PAGES = Path(__file__).parent / "pages"
LAST_MODIFIED = "Thu, 20 Feb 2014 15:16:00 GMT"

NING_PAGES = {
    "/": "ning_home.html",
    "/profiles/blogs/omgevingswet-in-de-praktijk": "ning_blog.html",
    "/profiles/blogs/omgevingswet-in-de-praktijk?commentPage=1": "ning_blog.html",
    "/profiles/blogs/omgevingswet-in-de-praktijk?commentPage=2": "ning_blog_p2.html",
    "/profiles/blogs/nieuwe-layout": "ning_changed.html",
    "/forum/topics/open-data-vragen?xg_source=activity": "ning_discussion.html",
    "/profile/JanJansen": "ning_member.html",
    "/private/ledenlijst": "ning_member.html",
}
ROBOTS = b"User-agent: *\nDisallow: /private/\n"


@dataclass
class LocalSite:
    """A site on 127.0.0.1: ``pages`` maps path?query to bytes; ``requests`` logs what came in."""

    pages: dict[str, bytes]
    base_url: str = ""
    requests: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    on_request: Callable[[str], None] | None = None

    def url(self, path: str) -> str:
        return self.base_url + path

    def answered(self, status: int) -> list[str]:
        with self.lock:
            return [r["path"] for r in self.requests if r["status"] == status]


def _handler(site: LocalSite) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            if site.on_request is not None:
                site.on_request(self.path)
            if self.path == "/robots.txt":
                body, content_type = ROBOTS, "text/plain"
            elif self.path in site.pages:
                body, content_type = site.pages[self.path], "text/html; charset=utf-8"
            else:
                self._answer(404, b"not found", "text/plain", {})
                return
            etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
            if self.headers.get("If-None-Match") == etag:
                self._answer(304, b"", None, {"ETag": etag})
                return
            extra = {"ETag": etag, "Last-Modified": LAST_MODIFIED}
            if "gzip" in (self.headers.get("Accept-Encoding") or ""):
                body = gzip.compress(body, mtime=0)
                extra["Content-Encoding"] = "gzip"
            self._answer(200, body, content_type, extra)

        def _answer(
            self, status: int, body: bytes, content_type: str | None, headers: dict[str, str]
        ) -> None:
            with site.lock:
                site.requests.append(
                    {"path": self.path, "status": status, "headers": dict(self.headers)}
                )
            self.send_response(status)
            if content_type:
                self.send_header("Content-Type", content_type)
            for name, value in headers.items():
                self.send_header(name, value)
            if status != 304:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if status != 304:
                self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            return

    return Handler


def _serve_ning() -> Iterator[LocalSite]:
    site = LocalSite(pages={path: (PAGES / name).read_bytes() for path, name in NING_PAGES.items()})
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(site))
    site.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield site
    server.shutdown()
    server.server_close()


@pytest.fixture
def ning_site() -> Iterator[LocalSite]:
    yield from _serve_ning()


@pytest.fixture(scope="module")
def ning_site_module() -> Iterator[LocalSite]:
    """The same site shared by a module's tests that only read what one crawl archived."""
    yield from _serve_ning()


def network_config(site: LocalSite, **source: Any) -> ArchiverenConfig:
    """A config with one network source on ``site``, no politeness delay, one retry."""
    settings = {
        "name": "a20",
        "type": "network",
        "start_urls": [site.url("/")],
        "profile": "ning",
        "delay_seconds": 0,
        "max_depth": 3,
    }
    settings.update(source)
    return ArchiverenConfig.model_validate(
        {
            "organisation": "BZK",
            "http": {"retries": 1, "timeout_seconds": 10},
            "sources": [settings],
        }
    )


def captures(data_dir: Path, config: ArchiverenConfig) -> list[Capture]:
    """Every response in the run's WARCs with its metadata, as the indexer pairs them."""
    archive_dir = data_dir / "warcs"
    sources = {s.name: s for s in config.sources}
    result = []
    for path in sorted(archive_dir.glob("*.warc.gz")):
        pending: dict[str, ArchivedRecord] = {}
        for record in iter_records(path, archive_dir=archive_dir):
            if record.rec_type == "response":
                pending[record.pointer.record_id] = record
            elif record.rec_type == "metadata" and record.concurrent_to in pending:
                captured = pending.pop(record.concurrent_to)
                metadata = record.metadata_json() or {}
                result.append(
                    capture_from_records(
                        captured, metadata, sources.get(metadata.get("source")), config.organisation
                    )
                )
    return result


def records(data_dir: Path) -> list[ArchivedRecord]:
    archive_dir = data_dir / "warcs"
    return [
        r
        for path in sorted(archive_dir.glob("*.warc.gz"))
        for r in iter_records(path, archive_dir=archive_dir)
    ]
