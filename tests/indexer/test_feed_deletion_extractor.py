"""The feed extractor's deletion probes: a permalink the collector asked for after its entry left
the feed, answered 404 or 410, is the entry's tombstone (a ``versions_only`` Post under the id
its entry page gives it, the answer as evidence); a 200, a 503 or a 429 is nothing, never an
ordinary Post. An ordinary entry page that answered 404 still gives the entry's Post from its
feed fields. The captures are real WARC records, read back the way the indexer reads them."""

from __future__ import annotations

from pathlib import Path

import pytest

from archive import CaptureMetadata, HttpExchange, WarcWriter
from foundation.post import Post
from indexer.extractors.base import Capture
from indexer.extractors.feed import extract_posts
from tests.fixtures.captures import posts_from, read_captures

SITE = "https://blog.example.nl"
LINK = f"{SITE}/2024/03/open-data-in-de-gemeente/"
ENTRY = {
    "native_id": f"{SITE}/?p=42",
    "link": LINK,
    "published": "2024-03-05T09:00:00+00:00",
    "updated": "2024-03-05T09:00:00+00:00",
}


def archived(tmp_path: Path, status: int, *, probe: bool) -> Capture:
    """The capture of the permalink answered ``status``, as a deletion probe or an entry page."""
    entry = (
        ENTRY
        if probe
        else {**ENTRY, "title": "Open data in de gemeente", "summary": "<p>Kort.</p>"}
    )
    extra = {"feed_url": f"{SITE}/feed/", "entry": entry}
    with WarcWriter(tmp_path, prefix="probe") as writer:
        writer.write_exchange(
            HttpExchange(
                url=LINK,
                status=status,
                reason="",
                response_headers=[("Content-Type", "text/html; charset=UTF-8")],
                body=b"<!DOCTYPE html><html><body><h1>Niet gevonden</h1></body></html>",
            ),
            CaptureMetadata(
                source="blog-demo",
                platform="blog",
                collector="feed",
                collector_version="test",
                capture_kind="entry_page",
                extra={"endpoint": "deletion_probe", **extra} if probe else extra,
            ),
        )
    [capture] = read_captures(tmp_path)
    return capture


@pytest.mark.parametrize("status", [404, 410])
def test_a_probe_answered_gone_is_the_entrys_tombstone(tmp_path: Path, status: int) -> None:
    page = archived(tmp_path / "page", 200, probe=False)
    [entry_post] = extract_posts(page)
    probe = archived(tmp_path / "probe", status, probe=True)
    [gone] = extract_posts(probe)
    assert gone.id == entry_post.id == f"blog:{ENTRY['native_id']}"
    assert gone.versions_only and gone.platform == "blog" and gone.source == "blog-demo"
    assert gone.organisation == probe.organisation and gone.capture == probe.pointer
    assert gone.collected_at == probe.captured_at
    assert gone.tombstone is not None and gone.tombstone.how == "gone_response"
    assert gone.tombstone.status == status and gone.tombstone.evidence == probe.pointer
    assert gone.tombstone.missing_since == probe.captured_at
    assert not gone.text and not gone.title


@pytest.mark.parametrize("status", [200, 301, 401, 429, 500, 503])
def test_any_other_answer_to_a_probe_is_nothing(tmp_path: Path, status: int) -> None:
    assert list(extract_posts(archived(tmp_path, status, probe=True))) == []


def test_an_ordinary_entry_page_answered_404_still_gives_the_entrys_post(tmp_path: Path) -> None:
    [post] = extract_posts(archived(tmp_path, 404, probe=False))
    assert isinstance(post, Post) and not post.versions_only and post.tombstone is None
    assert post.title == "Open data in de gemeente" and post.text == "Kort."


def test_the_tombstone_joins_the_entrys_post(tmp_path: Path) -> None:
    page = archived(tmp_path / "page", 200, probe=False)
    probe = archived(tmp_path / "probe", 404, probe=True)
    post = posts_from([page, probe])[f"blog:{ENTRY['native_id']}"]
    assert post.deleted and post.tombstone and post.tombstone.evidence == probe.pointer
    assert post.title == "Open data in de gemeente"
