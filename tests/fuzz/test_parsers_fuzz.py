"""Hostile and broken content through every parser that reads what sources send: the feed
parser, the HTML helpers, and each platform's extractor (feeds, X and Mastodon API JSON, network
pages). Real captures are the seeds; hypothesis truncates them, flips bytes, splices in markup or
swaps JSON values for arbitrary ones. Each parser returns (valid Posts, for extractors) or raises
an ArchiverenError — never another exception, never a hang."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from collectors.html_links import feed_links
from foundation.css_urls import css_urls, rewrite_css_urls
from foundation.errors import ArchiverenError
from foundation.page_resources import page_resources, rewrite_page
from foundation.post import Post
from indexer.extractors import extractor_for
from indexer.extractors.base import Capture
from indexer.extractors.html_text import main_text, page_title
from indexer.extractors.wordpress_comments import wordpress_comments
from platforms.feed_entries import parse_feed
from tests.fuzz.conftest import FUZZ, corpus_files, seeded

HOSTILE_SNIPPETS = [
    b"<![CDATA[",
    b"<!DOCTYPE x [<!ENTITY a '&a;&a;&a;&a;'>]>",
    b"<script>alert(1)</script>",
    b"\x00",
    b"\xff\xfe",
    b"<" * 200,
    b"<div>" * 300,
    b"&#x110000;",
    b"<?xml version='1.0' encoding='nonsense'?>",
    b'{"data":',
    b"null",
    b"\xe2\x80\xae",
]

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)


@st.composite
def mutated(draw: st.DrawFn, seed: bytes) -> bytes:
    """``seed`` truncated, with bytes flipped, or with hostile markup spliced in."""
    how = draw(st.sampled_from(["truncate", "flip", "splice", "random"]))
    if how == "random":
        return draw(st.binary(max_size=2048))
    cut = draw(st.integers(0, max(len(seed), 1)))
    if how == "truncate":
        return seed[:cut]
    if how == "flip":
        data = bytearray(seed)
        for _ in range(draw(st.integers(1, 8))):
            if data:
                data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
        return bytes(data)
    return seed[:cut] + draw(st.sampled_from(HOSTILE_SNIPPETS)) + seed[cut:]


def _replace_somewhere(value: Any, path: list[int], new: Any) -> Any:
    """``value`` with one nested item (chosen by ``path``) replaced by ``new``."""
    if not path or not isinstance(value, (dict, list)) or not value:
        return new
    keys = list(value) if isinstance(value, dict) else list(range(len(value)))
    key = keys[path[0] % len(keys)]
    copy = dict(value) if isinstance(value, dict) else list(value)
    copy[key] = _replace_somewhere(value[key], path[1:], new)
    return copy


@st.composite
def mutated_json(draw: st.DrawFn, seed: bytes) -> bytes:
    """A real API page with one value anywhere in it swapped for an arbitrary JSON value."""
    try:
        document = json.loads(seed)
    except ValueError:
        return draw(mutated(seed))
    path = draw(st.lists(st.integers(0, 50), max_size=6))
    return json.dumps(_replace_somewhere(document, path, draw(JSON_VALUES))).encode()


def extract_or_refuse(capture: Capture) -> None:
    extractor = extractor_for(str(capture.metadata.get("collector")))
    assert extractor is not None
    try:
        posts = list(extractor(capture))
    except ArchiverenError:
        return
    for post in posts:
        Post.model_validate(post.model_dump())


@pytest.mark.parametrize("collector", ["feed", "x", "mastodon", "network", "pleio"])
@pytest.mark.timeout(300)
def test_extractors_survive_mutated_captures(
    collector: str, seed_captures: dict[str, list[Capture]]
) -> None:
    seeds = seed_captures[collector]
    json_bodies = collector in ("x", "mastodon", "pleio")

    @FUZZ
    @given(st.data())
    def check(data: st.DataObject) -> None:
        seed = data.draw(st.sampled_from(seeds))
        body = data.draw(mutated_json(seed.body) if json_bodies else mutated(seed.body))
        extract_or_refuse(dataclasses.replace(seed, body=body))

    check()


FEED_SEEDS = [p.read_bytes() for p in corpus_files("feedparser/tests", "**/*.xml")[::40]]
FEED_SEEDED = seeded(FEED_SEEDS, "feedparser/tests")


@FEED_SEEDED
@pytest.mark.timeout(300)
@FUZZ
@given(st.data())
def test_feed_parser_reads_any_bytes_as_a_feed_or_not(data: st.DataObject) -> None:
    body = data.draw(mutated(data.draw(st.sampled_from(FEED_SEEDS))))
    try:
        parsed = parse_feed(body, "http://127.0.0.1/feed", [("Content-Type", "application/xml")])
    except ArchiverenError:
        return
    assert isinstance(parsed.is_feed, bool)


@FEED_SEEDED
@pytest.mark.timeout(300)
@FUZZ
@given(st.data())
def test_html_helpers_read_any_bytes(data: st.DataObject) -> None:
    html = data.draw(
        mutated(data.draw(st.sampled_from(FEED_SEEDS + [b"<html><body><p>x</p></body></html>"])))
    )
    base = "http://127.0.0.1/page"
    for read in (
        lambda: main_text(html, base),
        lambda: page_title(html),
        lambda: wordpress_comments(html, base, datetime(2024, 1, 1, tzinfo=UTC)),
        lambda: feed_links(html, base),
        lambda: page_resources(html, base),
        lambda: rewrite_page(html, base, lambda url: "/archived/T/1/" + url),
    ):
        try:
            read()
        except ArchiverenError:
            pass


CSS_PIECES = st.sampled_from(
    [
        "url(",
        "url('",
        'url("',
        ")",
        "@import ",
        '"',
        "'",
        "\\",
        "/*",
        "*/",
        "{",
        "}",
        "image-set(",
        "a.png",
        "\x00",
        ";",
        " ",
        "\n",
    ]
)


@pytest.mark.timeout(300)
@FUZZ
@given(st.lists(CSS_PIECES | st.text(max_size=8), max_size=40))
def test_stylesheets_of_any_text_give_urls_and_rewrite_without_error(pieces: list[str]) -> None:
    css = "".join(pieces)
    for url in css_urls(css, "http://127.0.0.1/thema/style.css"):
        assert url.startswith(("http://", "https://"))
    rewritten = rewrite_css_urls(css, lambda url: "/archived/T/1/" + url)
    # every reference now leads into the archive: none escaped its string to name another
    for url in css_urls(rewritten, "http://127.0.0.1/thema/style.css"):
        assert url.startswith("http://127.0.0.1/archived/T/1/"), (css, rewritten, url)


PAGE_PIECES = st.sampled_from(
    [
        '<link rel="stylesheet" href="',
        '<img src="',
        '<img srcset="',
        "<style>p{background:url(",
        "</style>",
        '<p style="background:url(',
        '<base href="',
        '<script src="',
        '">',
        ", ",
        " 2x",
        "a.png",
        "/b.css",
        "https://elders.test/c.js",
        "data:image/png;base64,AA",
        ")",
        '"',
        "<",
        ">",
    ]
)


@pytest.mark.timeout(300)
@FUZZ
@given(st.lists(PAGE_PIECES | st.text(max_size=6), max_size=30))
def test_a_rewritten_page_of_any_markup_loads_only_from_the_archive(pieces: list[str]) -> None:
    html = "".join(pieces).encode()
    rewritten = rewrite_page(html, "http://127.0.0.1/p/", lambda url: "/archived/T/1/" + url)
    for resource in page_resources(rewritten, "http://127.0.0.1/p/"):
        assert resource.url.startswith("http://127.0.0.1/archived/T/1/"), (html, resource)
