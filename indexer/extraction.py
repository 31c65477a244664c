"""Captures to prepared Posts: the extractor for each capture, the source's retention rule, and
the backend's document, run for a stream of captures in worker processes or in this one.

Extraction and document building are pure Python and take most of an indexing run's time, so
on a large backlog they run in ``workers`` processes while this process reads the WARCs and
writes the index. Captures go out in chunks, each to the worker with the fewest in hand, and a few
chunks per worker at most are in flight; results are given in the order the chunks went out, so the
newest capture of a Post still wins and the pipeline's watermarks stay exact. Workers start from
a fork server (multiprocessing's "forkserver"), a clean process that has imported the extractors
once: safe whatever threads this process runs (a fork of a process whose threads may hold locks
can deadlock), and cheap after the first start in a long-running process. Each worker has a pipe
of its own, so a worker that dies is seen at once (end of file), and a worker whose indexing
process is gone sees the end of its pipe and exits.
"""

from __future__ import annotations

import itertools
import logging
import multiprocessing
import os
import queue
import threading
from collections import deque
from collections.abc import Generator, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import MAXYEAR, UTC, date, datetime
from functools import lru_cache
from multiprocessing.connection import Connection, wait
from typing import Any, Generic, TypeVar

from foundation.post import Post, Retention
from indexer.extractors import extractor_for
from indexer.extractors.base import Capture
from indexer.prepared import DocumentPreparer, PreparedPost
from platforms.ownership import claimed_sites

T = TypeVar("T")
log = logging.getLogger("archiveren.indexer")

CHUNK_CAPTURES = 8
"""Captures sent to a worker at a time; enough to make the hand-over cheap per capture."""
CHUNK_BYTES = 4 * 1024 * 1024
"""...unless their bodies pass this size first, which keeps the data in flight bounded."""
CHUNKS_IN_FLIGHT_PER_WORKER = 3
"""Chunks a worker may have in hand: one being extracted, the next ones waiting, so it never
idles while this process reads its results."""
WORKERS_FROM_BACKLOG_BYTES = 1024 * 1024
"""Below this much unindexed WARC data, starting extraction workers costs more than it saves
(the fork server imports the extractors first)."""
JOIN_SECONDS = 5.0
"""How long a worker asked to stop may take to finish its chunk before it is killed."""


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
    post.retention = retention_under(post, source, post.retention.category)
    return post


def retention_under(post: Post, source: Any, category: str = "") -> Retention:
    """The retention ``source``'s rule gives ``post`` (its category, or ``category`` when the
    rule names none; keep-until from the day it was published), keeping its legal hold."""
    rule = source.retention
    anchor = post.published_at or post.collected_at or datetime.now(UTC)
    return _retention(
        rule.category or category, anchor.date(), rule.years, post.retention.legal_hold
    )


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


def extraction_workers(setting: int | None, backlog_bytes: int) -> int:
    """How many extraction processes to start: as configured, else one per core for a backlog
    big enough to repay starting them, else none (extract in this process)."""
    if setting is not None:
        return setting
    cores = os.cpu_count() or 1
    return cores if cores > 1 and backlog_bytes >= WORKERS_FROM_BACKLOG_BYTES else 0


class WorkerLost(Exception):
    """An extraction worker died (killed, out of memory) or could not be reached."""


class CaptureExtraction:
    """``extract_capture`` over a stream of captures, in order; in ``workers`` processes, or in
    this one when ``workers`` is 0. Use as a context manager: leaving it stops the workers."""

    def __init__(self, sources: dict[str, Any], prepare: DocumentPreparer, workers: int) -> None:
        self.sources = sources
        self.sites = claimed_sites(sources.values())
        self.prepare = prepare
        self.workers = workers
        self._workers: list[_Worker] = []

    def __enter__(self) -> CaptureExtraction:
        if self.workers > 0:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(_worker_imports(self.prepare, self.sources))
            try:
                for _ in range(self.workers):
                    self._workers.append(_Worker(context, self.sources, self.prepare))
            except OSError as exc:
                log.warning(
                    "extraction workers could not start (%s); extracting in this process", exc
                )
                self._stop_workers()
            else:
                log.info("indexing with %d extraction workers", self.workers)
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop_workers()

    def run(self, items: Iterable[tuple[Capture, T]]) -> Generator[tuple[Extracted, T], None, None]:
        """(Extracted, tag) for each (capture, tag), in the order given; the tag stays here.
        Workers that die leave the rest, and whatever they had in hand, to this process:
        slower, but nothing is skipped."""
        pending: Iterator[tuple[Capture, T]] = iter(items)
        if self._workers:
            in_flight: deque[_Chunk[T]] = deque()
            try:
                yield from self._run_in_workers(pending, in_flight)
                return
            except WorkerLost as exc:
                log.warning("extraction workers stopped (%s); extracting in this process", exc)
                redo = [
                    item
                    for chunk in in_flight
                    for item in zip(chunk.captures, chunk.tags, strict=True)
                ]
                pending = itertools.chain(redo, pending)
                in_flight.clear()
                self._stop_workers()
            finally:
                if in_flight:  # abandoned with results unread: the workers cannot serve another run
                    self._stop_workers()
        for capture, tag in pending:
            yield self._extract_here(capture), tag

    def _extract_here(self, capture: Capture) -> Extracted:
        return extract_capture(capture, self.sources.get(capture.source), self.prepare, self.sites)

    def _run_in_workers(
        self, items: Iterator[tuple[Capture, T]], in_flight: deque[_Chunk[T]]
    ) -> Iterator[tuple[Extracted, T]]:
        """Each chunk to the worker with the fewest in hand (one that the machine's other work
        slows down gets fewer); results kept until those of every older chunk are given."""
        limit = len(self._workers) * CHUNKS_IN_FLIGHT_PER_WORKER
        for captures, tags in _chunks(items):
            chunk = _Chunk(captures, tags)
            # In first: whatever fails from here on, the captures already taken from ``items``
            # are redone, not lost.
            in_flight.append(chunk)
            min(self._workers, key=_Worker.chunks_in_hand).send(chunk)
            _collect(self._workers, wait_for_one=False)
            while len(in_flight) >= limit and in_flight[0].sent is None:
                _collect(self._workers, wait_for_one=True)
            yield from _done(in_flight)
        while in_flight:
            _collect(self._workers, wait_for_one=True)
            yield from _done(in_flight)

    def _stop_workers(self) -> None:
        for worker in self._workers:
            worker.stop()
        self._workers = []


def _worker_imports(prepare: DocumentPreparer, sources: dict[str, Any]) -> list[str]:
    """What every worker imports, for the fork server to import once before it forks them.
    (multiprocessing also runs the program's main module again in each worker: keep it light,
    as `archiveren`'s is.)"""
    modules = {__name__, prepare.__module__}
    modules.update(type(source).__module__ for source in sources.values())
    return sorted(modules)


@dataclass
class _Chunk(Generic[T]):
    captures: list[Capture]
    tags: list[T]
    sent: list[_Sent] | None = None
    """What the worker sent back, once it has."""


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


def _collect(workers: list[_Worker], *, wait_for_one: bool) -> None:
    """Take in the results that workers have sent; with ``wait_for_one``, wait until one has."""
    answering = {worker.results: worker for worker in workers if worker.chunks_in_hand()}
    if answering:
        for ready in wait(list(answering), timeout=None if wait_for_one else 0):
            answering[ready].receive()


def _done(in_flight: deque[_Chunk[T]]) -> Iterator[tuple[Extracted, T]]:
    """The results of the oldest chunks that have theirs; a chunk leaves ``in_flight`` only
    then, so that one lost with a worker is redone."""
    while in_flight and in_flight[0].sent is not None:
        chunk = in_flight.popleft()
        for (prepared, error), tag in zip(chunk.sent or [], chunk.tags, strict=True):
            yield Extracted([PreparedPost(*fields) for fields in prepared], error), tag


class _Worker:
    """One extraction process and its two pipes, of which this process holds the only other
    ends: chunks go out on one, results come back on the other, in the same order."""

    def __init__(self, context: Any, sources: dict[str, Any], prepare: DocumentPreparer) -> None:
        their_tasks, self._tasks = context.Pipe(duplex=False)
        self.results, their_results = context.Pipe(duplex=False)
        self._in_hand: deque[_Chunk[Any]] = deque()
        self.process = context.Process(
            target=_serve,
            args=(their_tasks, their_results, sources, prepare),
            name="archiveren-extraction",
            daemon=True,
        )
        try:
            self.process.start()
        finally:
            their_tasks.close()
            their_results.close()

    def chunks_in_hand(self) -> int:
        return len(self._in_hand)

    def send(self, chunk: _Chunk[Any]) -> None:
        self._in_hand.append(chunk)
        try:
            self._tasks.send(chunk.captures)
        except OSError as exc:
            raise WorkerLost(f"worker {self.process.pid}: {exc}") from None

    def receive(self) -> None:
        """The results of the oldest chunk in its hand, into that chunk."""
        try:
            self._in_hand[0].sent = self.results.recv()
        except (EOFError, OSError) as exc:
            raise WorkerLost(
                f"worker {self.process.pid} is gone ({str(exc) or 'end of its pipe'})"
            ) from None
        self._in_hand.popleft()

    def stop(self) -> None:
        """Close its pipes: a live worker sees their end and exits; one that does not in
        JOIN_SECONDS is killed."""
        self._tasks.close()
        self.results.close()
        if self.process.pid is None:
            return
        self.process.join(JOIN_SECONDS)
        if self.process.exitcode is None:
            self.process.kill()
            self.process.join()


# -- in the worker processes -------------------------------------------------------------------


def _serve(
    tasks: Connection, results: Connection, sources: dict[str, Any], prepare: DocumentPreparer
) -> None:
    """Extract chunks until the indexing process closes its end of ``tasks`` (or is gone)."""
    sites = claimed_sites(sources.values())
    inbox: queue.SimpleQueue[list[Capture] | None] = queue.SimpleQueue()
    threading.Thread(target=_receive, args=(tasks, inbox), daemon=True).start()
    while (captures := inbox.get()) is not None:
        sent: list[_Sent] = []
        for capture in captures:
            extracted = extract_capture(capture, sources.get(capture.source), prepare, sites)
            sent.append(
                ([(p.id, p.stored, p.document) for p in extracted.prepared], extracted.error)
            )
        try:
            results.send(sent)
        except OSError:  # the indexing process is gone
            return


def _receive(tasks: Connection, inbox: queue.SimpleQueue[list[Capture] | None]) -> None:
    """Take chunks as they come, in a thread of their own: the indexing process then never
    waits to hand this worker a chunk while the worker waits to hand back results (each side's
    pipe full, a deadlock)."""
    try:
        while True:
            inbox.put(tasks.recv())
    except (EOFError, OSError):
        inbox.put(None)
