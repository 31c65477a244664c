"""Extraction workers: captures go out to worker processes and come back prepared, in the order
they went in, exactly as the indexing process would have made them; workers that die leave their
captures to the indexing process, and workers whose indexer is killed do not linger. Each of
that holds for workers forked from the indexing process and for workers from a fork server;
which of the two start is up to how many threads the indexing process runs."""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest

import indexer.extraction
from config.models import Retention, XSource
from foundation.pointer import RecordPointer
from indexer.backends.tantivy_schema import prepare_document
from indexer.extraction import CaptureExtraction, Extracted, extraction_workers
from indexer.extractors.base import Capture

REPO = Path(__file__).resolve().parents[2]
SOURCE = XSource(name="x-bzk", type="x", accounts=["bzk"], bearer_token_env="X_TOKEN", retention=Retention(category="1.1", years=10))


def x_page(page: int, tweets: int = 3) -> Capture:
    """An API v2 timeline page as the X collector archives it."""
    data = [
        {
            "id": str(1_600_000_000_000_000_000 + page * 100 + n),
            "text": f"Pagina {page}, bericht {n}: #omgevingswet met @collega{n}",
            "author_id": "42",
            "created_at": f"2024-03-0{1 + n}T10:00:00.000Z",
            "lang": "nl",
            "entities": {"hashtags": [{"tag": "Omgevingswet"}], "mentions": [{"username": f"collega{n}"}]},
        }
        for n in range(tweets)
    ]
    body = json.dumps({"data": data, "includes": {"users": [{"id": "42", "username": "bzk", "name": "Ministerie van BZK"}]}})
    return Capture(
        pointer=RecordPointer(warc_file="test.warc.gz", offset=page * 1000, length=900, record_id=f"<urn:uuid:{page:032d}>"),
        url=f"https://api.x.com/2/users/42/tweets?page={page}",
        captured_at=datetime(2024, 3, 10, tzinfo=UTC),
        content_type="application/json",
        http_status=200,
        http_headers=[("Content-Type", "application/json")],
        body=body.encode(),
        metadata={"collector": "x", "source": SOURCE.name, "platform": "x"},
    )


PAGES = [x_page(page) for page in range(40)]
START_METHODS = ["fork", "forkserver"]


def extracted_in_order(extraction: CaptureExtraction) -> list[tuple[Extracted, int]]:
    return list(extraction.run((capture, page) for page, capture in enumerate(PAGES)))


def as_comparable(results: list[tuple[Extracted, int]]) -> list[tuple[int, list[tuple[str, bytes, object]], str]]:
    return [(page, [(p.id, p.stored, p.document) for p in extracted.prepared], extracted.error) for extracted, page in results]


@pytest.fixture(scope="module")
def inline_results() -> list[tuple[Extracted, int]]:
    with CaptureExtraction({SOURCE.name: SOURCE}, prepare_document, workers=0) as extraction:
        return extracted_in_order(extraction)


@pytest.mark.parametrize("start_method", START_METHODS)
def test_workers_give_what_the_indexing_process_gives_in_capture_order(inline_results: list[tuple[Extracted, int]], start_method: str) -> None:
    with CaptureExtraction({SOURCE.name: SOURCE}, prepare_document, workers=2, start_method=start_method, extract_while_starting=False) as extraction:
        from_workers = extracted_in_order(extraction)
    assert [page for _, page in from_workers] == list(range(len(PAGES)))
    assert as_comparable(from_workers) == as_comparable(inline_results)
    first = from_workers[0][0].prepared[0].post()
    assert first.retention.category == "1.1" and first.retention.keep_until is not None


def test_the_indexing_process_extracts_while_workers_start_from_a_fork_server_then_hands_over(
    inline_results: list[tuple[Extracted, int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    may_start = threading.Event()
    start_every_worker = indexer.extraction._start_every_worker

    def held_start(pool: ProcessPoolExecutor, workers: int) -> None:
        may_start.wait(timeout=20)  # a run that waits for the workers fails below, not hangs
        start_every_worker(pool, workers)

    monkeypatch.setattr(indexer.extraction, "_start_every_worker", held_start)
    with CaptureExtraction({SOURCE.name: SOURCE}, prepare_document, workers=2, start_method="forkserver") as extraction:
        stream = extraction.run((capture, page) for page, capture in enumerate(PAGES))
        while_starting = [next(stream) for _ in range(5)]
        assert extraction._pool is not None and not extraction._pool._processes
        may_start.set()
        extraction._starting.join()  # type: ignore[union-attr]
        results = while_starting + list(stream)
        handed_over = extraction._pool._queue_count - 2  # type: ignore[attr-defined]  # beyond the 2 that started the workers
    assert handed_over > 0
    assert [page for _, page in results] == list(range(len(PAGES)))
    assert as_comparable(results) == as_comparable(inline_results)


@pytest.mark.parametrize("start_method", START_METHODS)
def test_workers_run_below_the_indexing_process_priority(start_method: str) -> None:
    with CaptureExtraction({SOURCE.name: SOURCE}, prepare_document, workers=1, start_method=start_method, extract_while_starting=False) as extraction:
        [worker] = list(extraction._pool._processes)  # type: ignore[union-attr]
        assert os.getpriority(os.PRIO_PROCESS, worker) > os.getpriority(os.PRIO_PROCESS, 0)


@pytest.mark.parametrize("start_method", START_METHODS)
def test_killed_workers_leave_their_captures_to_the_indexing_process(caplog: pytest.LogCaptureFixture, start_method: str) -> None:
    # More pages than the workers may have in hand at once, so that some wait when they die.
    pages = [(x_page(page), page) for page in range(400)]
    with CaptureExtraction({SOURCE.name: SOURCE}, prepare_document, workers=0) as extraction:
        inline = list(extraction.run(pages))
    results = []
    with caplog.at_level(logging.WARNING, "archiveren.indexer"), CaptureExtraction({SOURCE.name: SOURCE}, prepare_document, workers=2, start_method=start_method, extract_while_starting=False) as extraction:
        stream = extraction.run(pages)
        results.append(next(stream))
        for pid in list(extraction._pool._processes):  # type: ignore[union-attr]
            os.kill(pid, signal.SIGKILL)
        results.extend(stream)
    assert as_comparable(results) == as_comparable(inline)
    assert "extraction workers stopped" in caplog.text


def with_body(capture: Capture, body: bytes) -> Capture:
    return Capture(**{**capture.__dict__, "body": body})


@pytest.mark.parametrize("start_method", START_METHODS)
def test_a_capture_the_extractor_cannot_read_costs_that_capture_only(start_method: str) -> None:
    beyond_time = with_body(PAGES[0], b'{"data": [{"id": "999999999999999999999999999999", "text": "x"}]}')
    with CaptureExtraction({SOURCE.name: SOURCE}, prepare_document, workers=1, start_method=start_method, extract_while_starting=False) as extraction:
        results = list(extraction.run([(PAGES[1], "before"), (beyond_time, "broken"), (PAGES[2], "after")]))
    assert [tag for _, tag in results] == ["before", "broken", "after"]
    assert "OverflowError" in results[1][0].error and not results[1][0].prepared
    assert len(results[0][0].prepared) == len(results[2][0].prepared) == 3


def test_a_post_dated_near_the_end_of_the_calendar_is_kept_for_good() -> None:
    far_future = with_body(PAGES[0], b'{"data": [{"id": "1", "text": "x", "created_at": "9999-12-31T23:59:59Z"}]}')
    with CaptureExtraction({SOURCE.name: SOURCE}, prepare_document, workers=0) as extraction:
        [(extracted, _)] = list(extraction.run([(far_future, 0)]))
    assert not extracted.error
    assert str(extracted.prepared[0].post().retention.keep_until) == "9999-12-31"


WORKERS_THEN_WAIT = """
import sys, time
from indexer.extraction import CaptureExtraction
from indexer.backends.tantivy_schema import prepare_document
from tests.indexer_search.test_extraction import PAGES, SOURCE
if __name__ == "__main__":
    with CaptureExtraction({SOURCE.name: SOURCE}, prepare_document, workers=2, start_method=sys.argv[1], extract_while_starting=False) as extraction:
        next(extraction.run((capture, n) for n, capture in enumerate(PAGES)))
        print(" ".join(str(pid) for pid in extraction._pool._processes), flush=True)
        time.sleep(120)
"""


@pytest.mark.parametrize("start_method", START_METHODS)
def test_workers_exit_when_their_indexer_is_killed(tmp_path: Path, start_method: str) -> None:
    script = tmp_path / "indexer_that_waits.py"
    script.write_text(WORKERS_THEN_WAIT, encoding="utf-8")
    indexer = subprocess.Popen([sys.executable, str(script), start_method], cwd=REPO, stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(REPO)})
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


START_METHOD_BEFORE_AND_AFTER = """
import sys, threading
from pathlib import Path
from indexer.extraction import worker_start_method
before = worker_start_method()
if sys.argv[1] == "a thread":
    threading.Thread(target=threading.Event().wait, daemon=True).start()
elif sys.argv[1] == "a tantivy index":
    from indexer.backends.tantivy_backend import TantivyBackend
    TantivyBackend(Path(sys.argv[2]))
print(before, worker_start_method())
"""


@pytest.mark.parametrize("opened", ["a thread", "a tantivy index"])
def test_workers_are_forked_only_from_a_process_without_other_threads(tmp_path: Path, opened: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", START_METHOD_BEFORE_AND_AFTER, opened, str(tmp_path / "index")],
        cwd=REPO, capture_output=True, text=True, timeout=60, env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["fork", "forkserver"]


def test_forked_workers_pay_from_a_smaller_backlog_than_workers_from_a_fork_server(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    half_a_megabyte = 512 * 1024
    monkeypatch.setattr(indexer.extraction, "worker_start_method", lambda: "fork")
    assert extraction_workers(None, half_a_megabyte) == 2
    assert extraction_workers(None, 100 * 1024) == 0
    monkeypatch.setattr(indexer.extraction, "worker_start_method", lambda: "forkserver")
    assert extraction_workers(None, half_a_megabyte) == 0
    assert extraction_workers(None, 2 * 1024 * 1024) == 2
    assert extraction_workers(3, 0) == 3


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
