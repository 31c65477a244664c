"""A small blog on loopback whose pages can be made slow, and helpers to run `archiveren schedule`."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest


class SlowBlog(ThreadingHTTPServer):
    daemon_threads = True
    page_delay = 0.0
    items = 4
    requests = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class BlogHandler(BaseHTTPRequestHandler):
    server: SlowBlog

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self.server.requests += 1
        if self.path.startswith("/feed/"):
            items = "".join(
                f"<item><title>Bericht {n}</title><link>{self.server.url}/p/{n}/</link><guid>{self.server.url}/p/{n}/</guid>"
                f"<pubDate>{format_datetime(datetime(2024, 1, n + 1, tzinfo=UTC))}</pubDate><description>Over samenwerken {n}</description></item>"
                for n in range(self.server.items)
            )
            body = f'<?xml version="1.0"?><rss version="2.0"><channel><title>Blog</title><link>{self.server.url}/</link><description>d</description>{items}</channel></rss>'.encode()
            content_type = "application/rss+xml"
        elif self.path.startswith("/p/"):
            time.sleep(self.server.page_delay)
            body = f"<html><body><article><h1>Bericht</h1><p>{self.path} over de Omgevingswet.</p></article></body></html>".encode()
            content_type = "text/html; charset=utf-8"
        elif self.path == "/robots.txt":
            body, content_type = b"User-agent: *\nAllow: /\n", "text/plain"
        else:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def slow_blog() -> Iterator[SlowBlog]:
    server = SlowBlog(("127.0.0.1", 0), BlogHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def feed_source(name: str, url: str, interval: int | None = 1, enabled: bool = True) -> str:
    schedule = f"    schedule: {{interval_seconds: {interval}}}\n" if interval else ""
    return f"  - name: {name}\n    type: feed\n    url: {url}/feed/\n    backfill_depth: 0\n    enabled: {str(enabled).lower()}\n{schedule}"


def write_config(
    path: Path, sources: str, extra: str = "", database_url: str | None = None
) -> Path:
    """A config with ``sources``; ``database_url`` puts the catalogue on PostgreSQL."""
    catalogue = f"database_url: {database_url}\n" if database_url else ""
    path.write_text(
        f"{catalogue}http: {{delay_seconds: 0, retries: 0, timeout_seconds: 5}}\nscheduler: {{verify_cron: null, misfire_grace_seconds: 5{extra}}}\nsources:\n{sources}",
        encoding="utf-8",
    )
    return path


def start_scheduler(
    config: Path,
    data_dir: Path,
    log_path: Path,
    *,
    verbose: bool = True,
    host_name: str | None = None,
) -> subprocess.Popen[bytes]:
    """`archiveren schedule` as a process; ``host_name`` makes it stand for that collector host
    (ARCHIVEREN_HOST_NAME: its WARC names, runs and locks say so)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARCHIVEREN_")}
    if host_name:
        env["ARCHIVEREN_HOST_NAME"] = host_name
    handle = log_path.open("ab")
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "archiveren",
            *(["-v"] if verbose else []),
            "--config",
            str(config),
            "--data-dir",
            str(data_dir),
            "schedule",
        ],
        stdout=handle,
        stderr=subprocess.STDOUT,
        env=env,
    )


def stop(process: subprocess.Popen[bytes], timeout: float = 30) -> int:
    process.terminate()
    return process.wait(timeout=timeout)
