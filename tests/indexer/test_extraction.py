"""Extraction workers: captures go out to worker processes and come back prepared, in the order
they went in, exactly as the indexing process would have made them, also when that process
runs other threads; workers that die leave their captures to the indexing process, and workers
whose indexer is killed do not linger."""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from config.models import Retention, XSource
from foundation.pointer import RecordPointer
from indexer.backends.tantivy_schema import prepare_document
from indexer.extraction import (
    WORKERS_FROM_BACKLOG_BYTES,
    CaptureExtraction,
    Extracted,
    extraction_workers,
)
from indexer.extractors.base import Capture

REPO = Path(__file__).resolve().parents[2]
SOURCE = XSource(
    name="x-bzk",
    type="x",
    accounts=["bzk"],
    bearer_token_env="X_TOKEN",
    retention=Retention(category="1.1", years=10),
)


def x_page(page: int, tweets: int = 3) -> Capture:
    """An API v2 timeline page as the X collector archives it."""
    data = [
        {
            "id": str(1_600_000_000_000_000_000 + page * 100 + n),
            "text": f"Pagina {page}, bericht {n}: #omgevingswet met @collega{n}",
            "author_id": "42",
            "created_at": f"2024-03-0{1 + n}T10:00:00.000Z",
            "lang": "nl",
            "entities": {
                "hashtags": [{"tag": "Omgevingswet"}],
                "mentions": [{"username": f"collega{n}"}],
            },
        }
        for n in range(tweets)
    ]
    body = json.dumps(
        {
            "data": data,
            "includes": {"users": [{"id": "42", "username": "bzk", "name": "Ministerie van BZK"}]},
        }
    )
    return Capture(
        pointer=RecordPointer(
            warc_file="test.warc.gz",
            offset=page * 1000,
            length=900,
            record_id=f"<urn:uuid:{page:032d}>",
        ),
        url=f"https://api.x.com/2/users/42/tweets?page={page}",
        captured_at=datetime(2024, 3, 10, tzinfo=UTC),
        content_type="application/json",
        http_status=200,
        http_headers=[("Content-Type", "application/json")],
        body=body.encode(),
        metadata={"collector": "x", "source": SOURCE.name, "platform": "x"},
    )


PAGES = [x_page(page) for page in range(40)]


def extracted_in_order(extraction: CaptureExtraction) -> list[tuple[Extracted, int]]:
    return list(extraction.run((capture, page) for page, capture in enumerate(PAGES)))


def as_comparable(
    results: list[tuple[Extracted, int]],
) -> list[tuple[int, list[tuple[str, bytes, object]], str]]:
    return [
        (page, [(p.id, p.stored, p.document) for p in extracted.prepared], extracted.error)
        for extracted, page in results
    ]


@pytest.fixture(scope="module")
def inline_results() -> list[tuple[Extracted, int]]:
    with CaptureExtraction({SOURCE.name: SOURCE}, prepare_document, workers=0) as extraction:
        return extracted_in_order(extraction)


def test_workers_give_what_the_indexing_process_gives_in_capture_order(
    inline_results: list[tuple[Extracted, int]],
) -> None:
    with CaptureExtraction({SOURCE.name: SOURCE}, prepare_document, workers=2) as extraction:
        from_workers = extracted_in_order(extraction)
    assert [page for _, page in from_workers] == list(range(len(PAGES)))
    assert as_comparable(from_workers) == as_comparable(inline_results)
    first = from_workers[0][0].prepared[0].post()
    assert first.retention.category == "1.1" and first.retention.keep_until is not None


def test_workers_started_beside_other_threads_give_the_same(
    inline_results: list[tuple[Extracted, int]],
) -> None:
    # An open tantivy index, a web server, the scheduler: the indexing process may run threads,
    # one of them holding a lock as the workers start; a fork would copy that lock held.
    held = threading.Lock()
    held.acquire()
    busy = threading.Thread(target=held.acquire, daemon=True)
    busy.start()
    try:
        with CaptureExtraction({SOURCE.name: SOURCE}, prepare_document, workers=2) as extraction:
            from_workers = extracted_in_order(extraction)
    finally:
        held.release()
    assert as_comparable(from_workers) == as_comparable(inline_results)


def test_killed_workers_leave_their_captures_to_the_indexing_process(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # More pages than the workers may have in hand at once, so that some wait when they die.
    pages = [(x_page(page), page) for page in range(400)]
    with CaptureExtraction({SOURCE.name: SOURCE}, prepare_document, workers=0) as extraction:
        inline = list(extraction.run(pages))
    results = []
    with (
        caplog.at_level(logging.WARNING, "archiveren.indexer"),
        CaptureExtraction({SOURCE.name: SOURCE}, prepare_document, workers=2) as extraction,
    ):
        stream = extraction.run(pages)
        results.append(next(stream))
        for pid in worker_pids():
            os.kill(pid, signal.SIGKILL)
        results.extend(stream)
    assert as_comparable(results) == as_comparable(inline)
    assert "extraction workers stopped" in caplog.text


def test_a_run_left_unfinished_leaves_no_results_to_the_next(
    inline_results: list[tuple[Extracted, int]],
) -> None:
    with CaptureExtraction({SOURCE.name: SOURCE}, prepare_document, workers=2) as extraction:
        abandoned = extraction.run((capture, page) for page, capture in enumerate(PAGES))
        next(abandoned)
        abandoned.close()  # chunks still in flight: their results must not answer the next run
        again = extracted_in_order(extraction)
    assert as_comparable(again) == as_comparable(inline_results)


def with_body(capture: Capture, body: bytes) -> Capture:
    return Capture(**{**capture.__dict__, "body": body})


def test_a_capture_the_extractor_cannot_read_costs_that_capture_only() -> None:
    beyond_time = with_body(
        PAGES[0], b'{"data": [{"id": "999999999999999999999999999999", "text": "x"}]}'
    )
    with CaptureExtraction({SOURCE.name: SOURCE}, prepare_document, workers=1) as extraction:
        results = list(
            extraction.run([(PAGES[1], "before"), (beyond_time, "broken"), (PAGES[2], "after")])
        )
    assert [tag for _, tag in results] == ["before", "broken", "after"]
    assert "OverflowError" in results[1][0].error and not results[1][0].prepared
    assert len(results[0][0].prepared) == len(results[2][0].prepared) == 3


def test_a_post_dated_near_the_end_of_the_calendar_is_kept_for_good() -> None:
    far_future = with_body(
        PAGES[0], b'{"data": [{"id": "1", "text": "x", "created_at": "9999-12-31T23:59:59Z"}]}'
    )
    with CaptureExtraction({SOURCE.name: SOURCE}, prepare_document, workers=0) as extraction:
        [(extracted, _)] = list(extraction.run([(far_future, 0)]))
    assert not extracted.error
    assert str(extracted.prepared[0].post().retention.keep_until) == "9999-12-31"


WORKERS_THEN_WAIT = """
import time
from indexer.extraction import CaptureExtraction
from indexer.backends.tantivy_schema import prepare_document
from tests.indexer.test_extraction import PAGES, SOURCE, worker_pids
if __name__ == "__main__":
    with CaptureExtraction({SOURCE.name: SOURCE}, prepare_document, workers=2) as extraction:
        stream = extraction.run((capture, n) for n, capture in enumerate(PAGES))
        next(stream)
        print(" ".join(str(pid) for pid in worker_pids()), flush=True)
        time.sleep(120)
"""


def test_workers_exit_when_their_indexer_is_killed(tmp_path: Path) -> None:
    script = tmp_path / "indexer_that_waits.py"
    script.write_text(WORKERS_THEN_WAIT, encoding="utf-8")
    indexer = subprocess.Popen(
        [sys.executable, str(script)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    try:
        assert indexer.stdout is not None
        workers = [int(pid) for pid in indexer.stdout.readline().split()]
        assert len(workers) == 2 and all(_alive(pid) for pid in workers)
    finally:
        indexer.kill()
        indexer.wait()
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(pid) for pid in workers), f"workers {workers} outlived their indexer"


def test_workers_start_only_for_a_backlog_that_repays_them(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    assert extraction_workers(None, WORKERS_FROM_BACKLOG_BYTES) == 2
    assert extraction_workers(None, WORKERS_FROM_BACKLOG_BYTES - 1) == 0
    assert extraction_workers(3, 0) == 3
    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    assert extraction_workers(None, 100 * WORKERS_FROM_BACKLOG_BYTES) == 0


def worker_pids() -> list[int]:
    """This process's extraction workers (children named by the pool, a fork server's children)."""
    return [
        child.pid
        for child in multiprocessing.active_children()
        if child.name == "archiveren-extraction" and child.pid
    ]


def _alive(pid: int) -> bool:
    """Running (a zombie, dead but not yet reaped by its parent, counts as gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"


def test_half_an_emoji_in_one_tweet_costs_no_post_of_its_page() -> None:
    page = x_page(99)
    body = page.body.replace(b"bericht 1:", b"bericht 1 \\ud83d:")  # a lone surrogate escape
    with CaptureExtraction({SOURCE.name: SOURCE}, prepare_document, workers=0) as extraction:
        [(extracted, _)] = list(extraction.run([(Capture(**{**page.__dict__, "body": body}), 0)]))
    assert extracted.error == ""
    texts = [prepared.post().text for prepared in extracted.prepared]
    assert len(texts) == 3 and "Pagina 99, bericht 1 \ufffd: #omgevingswet met @collega1" in texts
