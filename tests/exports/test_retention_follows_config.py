"""A change of a source's retention in the config reaches its indexed Posts on the next plain
`archiveren index`, without a rebuild and without touching other sources; `retention report`
has column headers and a --json form."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.fixtures.command_line import run_archiveren

FEED = (
    '<?xml version="1.0"?><rss version="2.0"><channel><title>Blog</title>'
    "<link>http://127.0.0.1/</link><description>d</description>"
    "<item><title>Oud bericht</title><link>{base}/{name}/p/oud/</link><guid>{base}/{name}/p/oud/</guid>"
    "<pubDate>Mon, 06 Jan 2020 10:00:00 GMT</pubDate><description>Over samenwerken</description>"
    "</item></channel></rss>"
)

PAGE = "<html><body><article><h1>Oud bericht</h1><p>Over samenwerken.</p></article></body></html>"


class TwoFeeds(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        name, _, rest = self.path.strip("/").partition("/")
        base = f"http://127.0.0.1:{self.server.server_address[1]}"
        if name not in ("een", "twee") or rest not in ("feed", "p/oud"):
            self.send_error(404)
            return
        if rest == "feed":
            body, kind = FEED.format(name=name, base=base).encode(), "application/rss+xml"
        else:
            body, kind = PAGE.encode(), "text/html; charset=utf-8"
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def blogs() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), TwoFeeds)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def write_config(path: Path, base: str, years_een: str) -> Path:
    path.write_text(
        "http: {delay_seconds: 0, retries: 0, timeout_seconds: 5}\n"
        "sources:\n"
        f"  - {{name: een, type: feed, url: '{base}/een/feed/', backfill_depth: 0,"
        f" retention: {{category: '1.1', years: {years_een}}}}}\n"
        f"  - {{name: twee, type: feed, url: '{base}/twee/feed/', backfill_depth: 0,"
        " retention: {category: '9.9', years: null}}\n",
        encoding="utf-8",
    )
    return path


def report(config: Path, data: Path) -> dict[str, object]:
    done = run_archiveren(config, data, "retention", "report", "--json")
    assert done.returncode == 0, done.stdout + done.stderr
    return dict(json.loads(done.stdout))


def test_a_changed_retention_reaches_the_report_after_a_plain_index(
    blogs: str, tmp_path: Path
) -> None:
    config = write_config(tmp_path / "sources.yaml", blogs, years_een="null")
    data = tmp_path / "data"
    for command in ("collect", "index"):
        done = run_archiveren(config, data, command)
        assert done.returncode == 0, done.stdout + done.stderr
    assert report(config, data) == {"count": 0, "due": []}

    write_config(config, blogs, years_een="2")  # published 2020: past its date since 2022
    index = run_archiveren(config, data, "index")
    assert index.returncode == 0, index.stdout + index.stderr
    assert "retention_updated 1" in index.stdout, index.stdout
    due = report(config, data)
    assert due["count"] == 1, due
    [post] = due["due"]  # type: ignore[misc]  # a list from the JSON document
    assert post["source"] == "een" and post["category"] == "1.1"
    assert post["keep_until"] == "2022-01-06"

    table = run_archiveren(config, data, "retention", "report")
    lines = table.stdout.splitlines()
    assert lines[0].split()[:4] == ["keep", "until", "category", "source"], lines
    assert "een" in lines[1] and lines[-1].startswith("1 records past"), lines

    again = run_archiveren(config, data, "index")
    assert "retention_updated" not in again.stdout, "an unchanged rule updates nothing"

    write_config(config, blogs, years_een="null")
    run_archiveren(config, data, "index")
    assert report(config, data)["count"] == 0
