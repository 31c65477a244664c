"""`archiveren profile check` shows the operator, field by field, what a site profile reads
from a page (a file, a live URL, or the archive's capture of it), and says which page type
would be used, or that none would and why."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fixtures.command_line import run_archiveren

PAGES = Path(__file__).resolve().parents[1] / "collectors" / "network" / "pages"
NING_PAGE = PAGES / "ning_blog_plain_byline_nl.html"
NING_URL = "http://ambtenaar20.ning.com/profiles/blogs/open-data-bij-de-gemeente"


@pytest.fixture
def ning_server() -> Iterator[str]:
    """The Ning page served at a /profiles/blogs/ address on loopback."""
    body = NING_PAGE.read_bytes()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the standard library's name
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/profiles/blogs/open-data-bij-de-gemeente"
    server.shutdown()


def test_a_file_read_with_its_profile_shows_every_field_and_the_comments(tmp_path: Path) -> None:
    result = run_archiveren(
        tmp_path / "none.yaml",
        tmp_path / "data",
        "profile",
        "check",
        str(NING_PAGE),
        "--profile",
        "ning",
        "--url",
        NING_URL,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "✓ blog_post: the URL matches" in out
    assert "author      Ingrid Verhoeven" in out
    assert "tags        open data, gemeenten" in out
    assert "comments   3" in out and "Kees Bakker · 2014-02-20T15:02:00+00:00" in out
    assert "(approximate)" in out, "the relative date of the last comment"
    assert "the page is read as blog_post" in out


def test_a_profile_that_does_not_read_the_page_says_why_and_exits_1(tmp_path: Path) -> None:
    result = run_archiveren(
        tmp_path / "none.yaml",
        tmp_path / "data",
        "profile",
        "check",
        str(NING_PAGE),
        "--profile",
        "pbworks",
    )
    assert result.returncode == 1
    assert "✗ wiki_page: the URL does not match '/w/page/'" in result.stdout
    assert "no page type of this profile reads the page" in result.stdout
    assert "Traceback" not in result.stderr


def test_a_live_url_is_fetched_once_and_read(ning_server: str, tmp_path: Path) -> None:
    result = run_archiveren(
        tmp_path / "none.yaml",
        tmp_path / "data",
        "profile",
        "check",
        ning_server,
        "--profile",
        "ning",
        "--live",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "fetched now:" in result.stdout and "✓ blog_post" in result.stdout


def test_a_missing_file_or_unknown_profile_is_a_clear_error(tmp_path: Path) -> None:
    missing = run_archiveren(
        tmp_path / "n.yaml", tmp_path / "d", "profile", "check", "nergens.html"
    )
    assert missing.returncode != 0 and "nergens.html: no such file" in missing.stderr
    unknown = run_archiveren(
        tmp_path / "n.yaml", tmp_path / "d", "profile", "check", str(NING_PAGE), "--profile", "geen"
    )
    assert unknown.returncode != 0 and "geen" in unknown.stderr
    assert "Traceback" not in missing.stderr + unknown.stderr
