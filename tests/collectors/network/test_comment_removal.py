"""A comment removed from a network-site thread, as the crawl notices it: over real HTTP on a
site that answers 304 for unchanged pages (whose comments from last time still count), the
comment a page recaptured whole no longer shows is archived as ``comments_missing`` evidence
naming it and the page capture that no longer shows it, and the extractor makes its tombstone.
The ledger's rule alone: a failed page or a comment page not fetched decides nothing and
forgets nothing; a thread read by another profile is only learnt anew."""

from __future__ import annotations

import json
from pathlib import Path

from archive import ArchivedRecord, iter_records
from collectors.network.comments import CommentLedger
from collectors.network.job import ThreadComments
from collectors.runner import run_sources
from config.models import ArchiverenConfig
from foundation.pointer import RecordPointer
from indexer.capture_reader import capture_from_records
from indexer.extractors.base import Capture
from indexer.extractors.network import extract_posts
from platforms.profile import load_profile
from platforms.url_rules import page_key
from tests.collectors.network.conftest import LocalSite, captures, network_config

BLOG = "/profiles/blogs/omgevingswet-in-de-praktijk"
REMOVED = "2520282:Comment:1002"


def _without_comment(page: bytes, native_id: str) -> bytes:
    start = page.index(
        f'<dl class="comment vcard xg_lightborder" id="comment-{native_id}">'.encode()
    )
    end = page.index(b"</dl>", start) + len(b"</dl>")
    return page[:start] + page[end:]


def _evidence(data_dir: Path, config: ArchiverenConfig) -> list[Capture]:
    """The ``comments_missing`` captures (resource + metadata records) in the run's WARCs."""
    archive_dir = data_dir / "warcs"
    found = []
    for path in sorted(archive_dir.glob("*.warc.gz")):
        pending: dict[str, ArchivedRecord] = {}
        for record in iter_records(path, archive_dir=archive_dir):
            if record.rec_type == "resource":
                pending[record.pointer.record_id] = record
            elif record.rec_type == "metadata" and record.concurrent_to in pending:
                metadata = record.metadata_json() or {}
                capture = capture_from_records(
                    pending.pop(record.concurrent_to), metadata, None, config.organisation
                )
                if capture.capture_kind == "comments_missing":
                    found.append(capture)
    return found


def test_a_comment_gone_from_a_page_recaptured_whole_is_archived_as_missing(
    ning_site: LocalSite, tmp_path: Path
) -> None:
    config = network_config(ning_site, start_urls=[ning_site.url(BLOG)], max_depth=0)
    [first] = run_sources(config, tmp_path)
    assert first.outcome == "ok", first.errors
    [again] = run_sources(config, tmp_path)
    assert again.counts["not_modified"] == 3 and not again.counts["comments_missing"]

    for path in (BLOG, f"{BLOG}?commentPage=1"):
        ning_site.pages[path] = _without_comment(ning_site.pages[path], REMOVED)
    [third] = run_sources(config, tmp_path)
    assert third.outcome == "ok", third.errors
    assert third.counts["comments_missing"] == 1
    assert third.counts["not_modified"] == 1, "page 2 answered 304: its comments still count"

    [evidence] = _evidence(tmp_path, config)
    body = json.loads(evidence.body)
    thread = page_key(ning_site.url(BLOG), load_profile("ning"))
    assert body["thread"] == thread
    [missing] = body["missing"]
    assert missing["key"] == REMOVED
    page = RecordPointer.model_validate(missing["evidence"])
    assert page.target_uri == missing["last_shown_on"] == ning_site.url(BLOG)
    assert {p["status"] for p in body["pages"]} == {200, 304}

    [tombstone_post] = list(extract_posts(evidence))
    assert tombstone_post.id == f"network:{thread}#comment-{REMOVED}"
    assert tombstone_post.versions_only and tombstone_post.source == "a20"
    stone = tombstone_post.tombstone
    assert stone is not None and stone.how == "missing_from_page" and stone.status == 200
    assert stone.evidence == page and stone.missing_since.isoformat().startswith(
        page.capture_date[:19]
    )
    comments = {p.id for c in captures(tmp_path, config) for p in extract_posts(c)}
    assert tombstone_post.id in comments, "the extractor names the comment the same way"

    [fourth] = run_sources(config, tmp_path)
    assert not fourth.counts["comments_missing"], "a comment is found missing once"


PROFILE = load_profile("ning")
P1 = "http://h/forum/topics/t"
P2 = "http://h/forum/topics/t?page=2"
THREAD = page_key(P1, PROFILE)


def _ledger(before: dict[str, str], digest: str = "d") -> CommentLedger:
    return CommentLedger(PROFILE, {THREAD: ThreadComments(before, "d")}, digest)


def test_the_ledger_decides_only_on_a_whole_thread() -> None:
    before = {"a": P1, "b": P1, "c": P2}
    whole = _ledger(before)
    whole.shown(P1, ["a", "c"], [P2], status=200, capture=None)
    whole.shown(P2, [], [P1], status=200, capture=None)
    found, known = whole.decide(complete=True)
    assert [f.missing for f in found] == [{"b": P1}], "c moved to page 1: only b is missing"
    assert known[THREAD].comments == {"a": P1, "c": P1}

    failed = _ledger(before)
    failed.shown(P1, ["a", "c", "d"], [P2], status=200, capture=None)
    failed.failed(P2)
    found, known = failed.decide(complete=True)
    assert not found and set(known[THREAD].comments) == {"a", "b", "c", "d"}

    unfetched = _ledger(before)
    unfetched.shown(P1, ["a"], [P2], status=200, capture=None)
    assert unfetched.decide(complete=True)[0] == []

    stopped = _ledger(before)
    stopped.shown(P1, ["a"], [P2], status=200, capture=None)
    stopped.shown(P2, [], [P1], status=200, capture=None)
    assert stopped.decide(complete=False)[0] == []

    new_profile = _ledger(before, digest="e")
    new_profile.shown(P1, ["x"], [], status=200, capture=None)
    found, known = new_profile.decide(complete=True)
    assert not found and known[THREAD] == ThreadComments({"x": P1}, "e")
