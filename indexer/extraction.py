"""Captures to prepared Posts: the extractor for each capture, the source's retention rule, and
the backend's document, run for a stream of captures in worker processes or in this one.

Extraction and document building are pure Python and take most of an indexing run's time, so
on a large backlog they run in ``workers`` processes while this process reads the WARCs and
writes the index. Results come back in the order the captures went in, so the newest capture of
a Post still wins and the pipeline's watermarks stay exact. Workers are forks of this process
while it runs no other thread, else they start from a fork server (never a fork of a process
whose threads may hold locks); they exit when this process is gone.
"""

from __future__ import annotations

import itertools
import logging
import multiprocessing
import os
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from datetime import MAXYEAR, UTC, date, datetime
from functools import lru_cache
from typing import Any, Generic, Literal, TypeVar

from foundation.post import Post, Retention
from indexer.extractors import extractor_for
from indexer.extractors.base import Capture
from indexer.prepared import DocumentPreparer, PreparedPost
from platforms.ownership import claimed_sites

T = TypeVar("T")
StartMethod = Literal["fork", "forkserver"]
log = logging.getLogger("archiveren.indexer")

CHUNK_CAPTURES = 8
"""Captures sent to a worker at a time; enough to make the hand-over cheap per capture."""
CHUNK_BYTES = 4 * 1024 * 1024
"""...unless their bodies pass this size first, which keeps the data in flight bounded."""
CHUNKS_IN_FLIGHT_PER_WORKER = 3
PARENT_CHECK_SECONDS = 1.0
WORKER_CHECK_SECONDS = 1.0
WORKER_NICENESS = 5
"""Workers run below the indexing process's priority: its writes come first and extraction takes
the CPU left over, so batches do not queue up for the writer (nor does an operator's search in
the web UI wait for extraction)."""
WORKERS_FROM_BACKLOG_BYTES: dict[StartMethod, int] = {"fork": 384 * 1024, "forkserver": 1024 * 1024}
"""Below this much unindexed WARC data, starting extraction workers costs more than it saves.
Forked workers pay from about 2,000 tweets (3,000 tweets, 0.5 MB: 0.21 s against 0.25 s
without workers; 1,000 tweets, 0.2 MB: 0.12 s against 0.10 s); workers from a fork server
only from a few MB (10,000 tweets, 1.8 MB: 7.2-9.4k Posts/s, 5.6-6.5k without)."""


_Sent = tuple[list[tuple[str, bytes, Any]], str]
"""An Extracted as it crosses back from a worker: plain tuples pickle several times faster."""


@dataclass
class Extracted:
    """What one capture gave: its Posts, prepared, or why it gave none."""

    prepared: list[PreparedPost] = field(default_factory=list)
    error: str = ""


def extract_capture(
    capture: Capture,
    source: Any,
    prepare: DocumentPreparer,
    sites: dict[str, tuple[str, ...]] | None = None,
) -> Extracted:
    """Run the capture's extractor, apply the source's retention rule, prepare each Post. An
    extractor that fails (a bug, hostile input) costs this capture its Posts, nothing more.
    ``sites``: what each configured source speaks for (platforms.ownership.claimed_sites)."""
    extractor = extractor_for(str(capture.metadata.get("collector", "")))
    if extractor is None:
        return Extracted()
    if sites:
        capture = replace(capture, claimed_sites=sites)
    try:
        return Extracted(
            prepared=[prepare(with_retention(post, source)) for post in extractor(capture)]
        )
    except Exception as exc:
        return Extracted(error=f"{exc.__class__.__name__}: {exc}")


def with_retention(post: Post, source: Any) -> Post:
    """``post`` with its source's selectielijst category and keep-until date, unless the
    extractor already set one."""
    if source is None or post.retention.keep_until is not None:
        return post
    rule = source.retention
    anchor = post.published_at or post.collected_at or datetime.now(UTC)
    post.retention = _retention(
        rule.category or post.retention.category,
        anchor.date(),
        rule.years,
        post.retention.legal_hold,
    )
    return post


@lru_cache(maxsize=16384)
def _retention(category: str, day: date, years: int | None, legal_hold: bool) -> Retention:
    """One shared Retention (it is frozen) for all Posts of a day under one rule."""
    keep_until = _years_after(day, years) if years is not None else None
    return Retention(category=category, keep_until=keep_until, legal_hold=legal_hold)


def _years_after(day: date, years: int) -> date:
    year = day.year + years
    if year > MAXYEAR:  # a date from a broken clock or a hostile page: keep it for good
        return date.max
    try:
        return day.replace(year=year)
    except ValueError:  # 29 February
        return day.replace(year=year, day=28)


def worker_start_method() -> StartMethod:
    """How to start extraction workers: "fork" while this process runs no thread but the one
    asking, so that the workers are copies of it, up in milliseconds with everything imported;
    else "forkserver", because a fork of a process whose other threads (tantivy's, a web
    server's) may hold locks can deadlock, and a fork server is a clean process that imports
    what the workers need first (0.2-0.3 s). Threads are counted in /proc; without it, fork
    server."""
    try:
        threads = len(os.listdir("/proc/self/task"))
    except OSError:
        return "forkserver"
    return "fork" if threads == 1 else "forkserver"


def extraction_workers(setting: int | None, backlog_bytes: int) -> int:
    """How many extraction processes to start: as configured, else one per core for a backlog
    big enough to repay starting them the way they would start now, else none (extract in this
    process)."""
    if setting is not None:
        return setting
    cores = os.cpu_count() or 1
    threshold = WORKERS_FROM_BACKLOG_BYTES[worker_start_method()]
    return cores if cores > 1 and backlog_bytes >= threshold else 0


class CaptureExtraction:
    """``extract_capture`` over a stream of captures, in order; in ``workers`` processes, or in
    this one when ``workers`` is 0. Use as a context manager: leaving it stops the workers.

    Workers start as ``start_method`` says, by default ``worker_start_method()`` at the moment
    of entering: enter before this process starts threads (opens a tantivy index, say) and they
    are forked at once. From a fork server they take a few tenths of a second (it imports the
    extractors, then forks each); meanwhile this process extracts the first captures itself,
    unless ``extract_while_starting`` is off (tests use that to pin the workers' path)."""

    def __init__(
        self,
        sources: dict[str, Any],
        prepare: DocumentPreparer,
        workers: int,
        *,
        start_method: StartMethod | None = None,
        extract_while_starting: bool = True,
    ) -> None:
        self.sources = sources
        self.sites = claimed_sites(sources.values())
        self.prepare = prepare
        self.workers = workers
        self.start_method = start_method
        self.extract_while_starting = extract_while_starting
        self._pool: ProcessPoolExecutor | None = None
        self._starting: threading.Thread | None = None

    def __enter__(self) -> CaptureExtraction:
        if self.workers > 0:
            method = self.start_method or worker_start_method()
            context = multiprocessing.get_context(method)
            if method == "forkserver":
                # The fork server imports what every worker needs once, before forking them.
                context.set_forkserver_preload(["indexer.extraction", self.prepare.__module__])
            self._pool = ProcessPoolExecutor(
                self.workers,
                mp_context=context,
                initializer=_start_worker,
                initargs=(self.sources, self.prepare, os.getpid()),
            )
            how = "forked" if method == "fork" else "from a fork server"
            log.info("indexing with %d extraction workers, %s", self.workers, how)
            if method == "fork":
                # A forking pool forks all its workers at its first task, in the thread that
                # gives it: this one, before the pool's own threads exist. They are up in
                # milliseconds, so wait for them.
                _start_every_worker(self._pool, self.workers)
                return self
            self._starting = threading.Thread(
                target=_start_every_worker,
                args=(self._pool, self.workers),
                name="extraction-start",
                daemon=True,
            )
            self._starting.start()
            if not self.extract_while_starting:
                self._starting.join()
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._starting is not None:
            self._starting.join()
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def run(self, items: Iterable[tuple[Capture, T]]) -> Iterator[tuple[Extracted, T]]:
        """(Extracted, tag) for each (capture, tag), in the order given; the tag stays here.
        Workers that cannot start or that die (killed, out of memory) leave the rest, and
        whatever they had in hand, to this process: slower, but nothing is skipped."""
        pending: Iterator[tuple[Capture, T]] = iter(items)
        if self._pool is not None:
            while self._starting is not None and self._starting.is_alive():  # extract meanwhile
                item = next(pending, None)
                if item is None:
                    return
                yield self._extract_here(item[0]), item[1]
            in_flight: deque[_Chunk[T]] = deque()
            try:
                yield from self._run_in_workers(self._pool, pending, in_flight)
                return
            except BrokenProcessPool as exc:
                log.warning("extraction workers stopped (%s); extracting in this process", exc)
                self._pool.shutdown(wait=False, cancel_futures=True)
                self._pool = None
                redo = [
                    item
                    for chunk in in_flight
                    for item in zip(chunk.captures, chunk.tags, strict=True)
                ]
                pending = itertools.chain(redo, pending)
        for capture, tag in pending:
            yield self._extract_here(capture), tag

    def _extract_here(self, capture: Capture) -> Extracted:
        return extract_capture(capture, self.sources.get(capture.source), self.prepare, self.sites)

    def _run_in_workers(
        self,
        pool: ProcessPoolExecutor,
        items: Iterator[tuple[Capture, T]],
        in_flight: deque[_Chunk[T]],
    ) -> Iterator[tuple[Extracted, T]]:
        limit = self.workers * CHUNKS_IN_FLIGHT_PER_WORKER
        for captures, tags in _chunks(items):
            chunk = _Chunk(captures, tags)
            # In first: whatever fails from here on (waiting for the oldest chunk, submitting
            # this one), the captures already taken from ``items`` are redone, not lost.
            in_flight.append(chunk)
            if len(in_flight) > limit:
                yield from _results(in_flight, pool)
            chunk.future = pool.submit(_extract_chunk, captures)
        while in_flight:
            yield from _results(in_flight, pool)


def _start_every_worker(pool: ProcessPoolExecutor, workers: int) -> None:
    """Start all of ``pool``'s workers, in a thread of its own: starting one blocks until it is
    forked, and the pool would otherwise start them one task at a time. A pool that cannot
    start fails again, visibly, when run() gives it work."""
    try:
        for started in [pool.submit(os.getpid) for _ in range(workers)]:
            started.result()
    except Exception:  # the pool's failure shows where it is used
        return


@dataclass
class _Chunk(Generic[T]):
    captures: list[Capture]
    tags: list[T]
    future: Future[list[_Sent]] | None = None


def _chunks(items: Iterable[tuple[Capture, T]]) -> Iterator[tuple[list[Capture], list[T]]]:
    captures: list[Capture] = []
    tags: list[T] = []
    size = 0
    for capture, tag in items:
        captures.append(capture)
        tags.append(tag)
        size += len(capture.body)
        if len(captures) >= CHUNK_CAPTURES or size >= CHUNK_BYTES:
            yield captures, tags
            captures, tags, size = [], [], 0
    if captures:
        yield captures, tags


def _results(
    in_flight: deque[_Chunk[T]], pool: ProcessPoolExecutor
) -> Iterator[tuple[Extracted, T]]:
    """The first chunk's results; it leaves ``in_flight`` only once they are in hand."""
    chunk = in_flight[0]
    assert chunk.future is not None
    sent = _result_of(chunk.future, pool)
    in_flight.popleft()
    for (prepared, error), tag in zip(sent, chunk.tags, strict=True):
        yield Extracted([PreparedPost(*fields) for fields in prepared], error), tag


def _result_of(future: Future[list[_Sent]], pool: ProcessPoolExecutor) -> list[_Sent]:
    """What ``future`` gives. The pool notices a worker that dies between tasks, but one killed
    while it sends its results (out of memory, say) leaves the pool reading the rest of that
    message forever. So while waiting, check that the workers live; if one died, give up the
    pool: its chunks in flight are then redone in this process."""
    while True:
        try:
            return future.result(timeout=WORKER_CHECK_SECONDS)
        except TimeoutError:
            processes = list((pool._processes or {}).values())
            if all(process.exitcode is None for process in processes):
                continue
            for process in processes:
                process.kill()
            # The pool itself holds the last write end of its result pipe; closed, the pool's
            # thread reads the end of it, marks the pool broken and stops.
            if pool._result_queue is not None:
                pool._result_queue._writer.close()  # type: ignore[attr-defined]
            raise BrokenProcessPool("an extraction worker died while the others waited") from None


# -- in the worker processes -------------------------------------------------------------------

_worker: dict[str, Any] = {}


def _start_worker(sources: dict[str, Any], prepare: DocumentPreparer, parent_pid: int) -> None:
    os.nice(WORKER_NICENESS)
    _worker.update(sources=sources, prepare=prepare, sites=claimed_sites(sources.values()))
    threading.Thread(target=_exit_with_parent, args=(parent_pid,), daemon=True).start()


def _extract_chunk(captures: list[Capture]) -> list[_Sent]:
    sources, prepare, sites = _worker["sources"], _worker["prepare"], _worker["sites"]
    sent: list[_Sent] = []
    for capture in captures:
        extracted = extract_capture(capture, sources.get(capture.source), prepare, sites)
        prepared = [(p.id, p.stored, p.document) for p in extracted.prepared]
        sent.append((prepared, extracted.error))
    return sent


def _exit_with_parent(parent_pid: int) -> None:
    """A worker whose indexer was killed would otherwise wait for work forever."""
    while True:
        time.sleep(PARENT_CHECK_SECONDS)
        try:
            os.kill(parent_pid, 0)
        except ProcessLookupError:
            os._exit(0)
        except PermissionError:  # the pid now belongs to someone else's process
            os._exit(0)
