"""Every feed of feedparser's own test corpus, served over local HTTP with the headers its test
comments ask for, goes through collect -> WARC -> extract without a crash; for the well-formed
ones the extracted titles and links are what feedparser itself reads from the same URL (a title
feedparser read as HTML, as its text: Posts hold text, read once)."""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import feedparser
import pytest

from archive import WarcWriter
from collectors.base import CollectContext
from collectors.feeds import FeedCollector
from collectors.http import Fetcher
from indexer.extractors.feed import extract_posts
from indexer.extractors.html_text import fragment_text
from tests.fixtures.collectors import LocalSite, Request, Response, captures_in, feed_config
from tests.fixtures.material import material

FEEDS = material("feedparser/tests")  # ../shared, else feedparser's sdist from PyPI, else skip
pytestmark = FEEDS.mark
CORPUS = FEEDS.root or Path("feedparser-tests-missing")
FILES = [p for p in FEEDS.files("**/*") if p.suffix in (".xml", ".json")]


def _groups(size: int = 200) -> dict[str, list[Path]]:
    """The corpus by folder, in slices of at most ``size`` files so each test stays short."""
    folders: dict[str, list[Path]] = defaultdict(list)
    for path in FILES:
        parts = path.relative_to(CORPUS).parts
        folders[
            "/".join(parts[:2]) if parts[0] == "wellformed" and len(parts) > 2 else parts[0]
        ].append(path)
    groups: dict[str, list[Path]] = {}
    for folder, paths in folders.items():
        for start in range(0, len(paths), size):
            groups[f"{folder}[{start // size}]" if len(paths) > size else folder] = paths[
                start : start + size
            ]
    return groups


GROUPS = _groups()


def served_headers(path: Path) -> list[tuple[str, str]]:
    """The HTTP headers a corpus file's test comment asks the server to send."""
    headers = [
        ("Content-Type", "application/json" if path.suffix == ".json" else "application/xml")
    ]
    for line in path.read_bytes().splitlines()[:12]:
        text = line.decode("latin-1").strip()
        if text.startswith("Header:") and ":" in text[7:]:
            name, value = text[7:].strip().split(":", 1)
            if name.strip().lower() == "content-type":
                headers = [h for h in headers if h[0] != "Content-Type"]
            headers.append((name.strip(), value.strip()))
    return headers


@pytest.fixture(scope="module")
def corpus_site() -> Iterator[LocalSite]:
    site = LocalSite()
    for path in FILES:
        body, headers = path.read_bytes(), served_headers(path)

        def serve(
            request: Request, body: bytes = body, headers: list[tuple[str, str]] = headers
        ) -> Response:
            return 200, headers, body

        site.routes["/" + path.relative_to(CORPUS).as_posix()] = serve
    yield site
    site.close()


@pytest.fixture
def no_internet(monkeypatch: pytest.MonkeyPatch) -> None:
    """Corpus feeds link to example.com and friends: any request off 127.0.0.1 goes to a dead
    proxy and fails at once, so a test can never reach the internet."""
    for name in (
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "http_proxy",
        "https_proxy",
        "all_proxy",
    ):
        monkeypatch.setenv(name, "http://127.0.0.1:9")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    monkeypatch.setenv("no_proxy", "127.0.0.1")


def title_text(entry: feedparser.FeedParserDict) -> str:
    title = entry.get("title", "")
    html = (entry.get("title_detail") or {}).get("type") in ("text/html", "application/xhtml+xml")
    return fragment_text(title) if html else title


def test_the_corpus_is_there() -> None:
    assert len(FILES) > 2000, f"feedparser corpus not found at {CORPUS}"


@pytest.mark.parametrize(
    "group",
    sorted(GROUPS) or [pytest.param("none", marks=FEEDS.mark)],  # skip with its reason
)
def test_corpus_feeds_collect_and_extract_like_feedparser(
    group: str, corpus_site: LocalSite, tmp_path: Path, no_internet: None
) -> None:
    paths = GROUPS[group]
    urls = {corpus_site.url + "/" + p.relative_to(CORPUS).as_posix(): p for p in paths}
    config = feed_config("http://unused.invalid/", capture_pages=False, backfill_depth=0)
    outcomes: dict[str, str] = {}
    with WarcWriter(tmp_path / "warcs") as writer, Fetcher(config.http, writer) as fetcher:
        for url in urls:
            source = config.sources[0].model_copy(update={"url": url, "name": "corpus"})
            context = CollectContext(
                config=config,
                fetcher=fetcher,
                writer=writer,
                state={},
                run_id=None,
                log=logging.getLogger("test.corpus"),
                stop=threading.Event(),
            )
            outcomes[url] = FeedCollector(source, context).run().outcome
    assert set(outcomes.values()) <= {"ok", "failed", "partial"}
    posts_by_url: dict[str, list] = defaultdict(list)
    for capture in captures_in(tmp_path / "warcs", config):
        if capture.capture_kind == "robots":
            continue
        assert capture.url in urls, capture.url
        posts_by_url[capture.url].extend(extract_posts(capture))
    assert set(posts_by_url) == set(urls), "every feed was archived"
    compared = 0
    for url, path in urls.items():
        if not group.startswith("wellformed"):
            continue
        expected = feedparser.parse(url)
        if expected.bozo:
            continue
        posts = posts_by_url[url]
        assert [p.title for p in posts] == [title_text(e) for e in expected.entries], path
        assert [p.url for p in posts if p.url != url] == [
            e.link for e in expected.entries if e.get("link")
        ], path
        compared += 1
    if group.startswith("wellformed"):
        assert compared > 0.9 * len(paths)
