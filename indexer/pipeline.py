"""The indexing pipeline: WARC files -> captures -> extractors -> Posts -> search backend.

It reads each closed WARC from the catalogue's watermark on, and each ``.open`` file a live
writer (the scheduler keeps one per source) is appending to up to its last complete capture,
so a Post collected into a file that is still open is searchable after the next index run; the
file keeps its name when it closes, and its watermark with it. It pairs every response or resource
with its concurrent metadata record, has the extractor registered for the capture's collector
make Posts and the backend's documents of them (indexer.extraction, in worker processes for a
large backlog), and writes them in batches (indexer.background_writes, while the next batch is
gathered). The watermark moves only after a batch is durable, so an interrupted run resumes
without losing or duplicating Posts (ids are stable).

Every run holds the index lock in the catalogue (catalogue.locks.INDEX_LOCK), so `index`,
`index --rebuild` and the scheduler never write one index at once. A rebuild indexes into a
fresh index beside the live one until no closed file is left unread, also those closed while it
ran, then swaps it in and records exactly the watermarks it reached.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Callable, Container, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from archive import ArchivedRecord, RecordReadError, iter_records
from archive.naming import OPEN_SUFFIX, open_warcs
from archive.reader import iter_open_records
from archive.scan import scan_complete_records
from archive.store import all_closed_warcs as archive_closed_warcs
from archive.store import warc_size
from catalogue.locks import INDEX_LOCK, HeldLock, holding
from catalogue.retention import destroyed_post_ids, held_post_ids
from foundation import progress
from foundation.errors import AlreadyRunning, StorageFull, is_disk_full
from foundation.post import Post
from indexer.backends import document_preparer
from indexer.background_writes import BackgroundWrites
from indexer.capture_reader import capture_from_records
from indexer.extraction import CaptureExtraction, extraction_workers
from indexer.extractors import Capture, has_extractor
from indexer.index_marks import apply_pending
from indexer.merge import merge_capture_history
from indexer.prepared import PreparedPost
from indexer.query_model import SearchBackend
from indexer.retention_sync import follow_retention_rules, record_rules

if TYPE_CHECKING:
    from catalogue.store import Catalogue
    from config.models import ArchiverenConfig

log = logging.getLogger("archiveren.indexer")
BATCH_SIZE = 20_000
"""Posts per write: a backend commit each, the watermark moving after each. Smaller batches
make more, smaller tantivy segments, and merging them maps more of the index into memory. One
batch is written while the next is gathered, so two batches of prepared Posts are in memory."""


@dataclass
class IndexReport:
    files: int = 0
    counts: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    rebuilt: bool = False
    watermarks: dict[str, tuple[int, bool]] = field(default_factory=dict)
    """How far this run's durable writes reached in each file: (offset, complete)."""

    def summary(self) -> str:
        what = "rebuilt index" if self.rebuilt else "indexed"
        counts = ", ".join(f"{k} {v}" for k, v in sorted(self.counts.items()) if v)
        lines = [f"{what}: {self.files} files; {counts or 'nothing new'}"]
        lines += [f"  ! {error}" for error in self.errors[:20]]
        if len(self.errors) > 20:
            lines.append(f"  ... and {len(self.errors) - 20} more errors")
        return "\n".join(lines)


class IndexTarget(Protocol):
    """What an indexing run needs, and all it is given: the config, the data dir with the
    archive directory in it, the catalogue and the search backend, each opened on first use.
    The command line's ``Workspace`` is one."""

    data_dir: Path

    @property
    def archive_dir(self) -> Path: ...

    def config(self, *, check_secrets: bool = True) -> ArchiverenConfig: ...

    def catalogue(self) -> Catalogue: ...

    def backend(self) -> SearchBackend: ...


def closed_warcs(archive_dir: Path) -> list[Path]:
    """Closed WARC files, oldest first; none before the first collection made the directory."""
    return archive_closed_warcs(archive_dir) if archive_dir.is_dir() else []


def readable_warcs(archive_dir: Path) -> list[tuple[Path, str]]:
    """(path, name once closed) of the closed files and the ``.open`` files of live writers,
    oldest first. Open files are listed first: one closed meanwhile is then in the closed list."""
    if not archive_dir.is_dir():
        return []
    live = {p.name.removesuffix(OPEN_SUFFIX): p for p in open_warcs(archive_dir)}
    files = {p.name: p for p in archive_closed_warcs(archive_dir)}
    for name, path in live.items():
        files.setdefault(name, path)
    return [(files[name], name) for name in sorted(files)]


def index_new_records(ws: IndexTarget, *, wait_seconds: float = 0.0) -> IndexReport:
    """Index what the watermarks leave unread; AlreadyRunning if another run holds the index."""
    config = ws.config(check_secrets=False)
    catalogue = ws.catalogue()
    with _index_writer(catalogue, config, wait_seconds) as lock:
        # holds and destructions decided while another process held the index writer first
        applied = apply_pending(catalogue, ws.backend())
        # Posts of sources whose retention rule changed in the config since they were indexed
        retention_updated = follow_retention_rules(config, catalogue, ws.backend())
        report = _index_files(
            config,
            ws.archive_dir,
            ws.backend(),
            catalogue,
            catalogue.watermarks(),
            save_watermarks=True,
            still_here=lock.still_here,
        )
        # and those decided while this run was reading
        applied += apply_pending(catalogue, ws.backend())
        report.counts["pending_applied"] += applied
        report.counts["retention_updated"] += retention_updated
        for abandoned in ws.backend().remove_abandoned_rebuilds():
            log.warning("removed %s, left by a rebuild that did not finish", abandoned)
        return report


def rebuild_index(ws: IndexTarget, *, wait_seconds: float = 0.0) -> IndexReport:
    """Index every WARC into a fresh index beside the live one, then swap it in. Files closed
    while it runs are read before the swap; a file closed after the last look keeps no
    watermark, so the next `index` reads it. A rebuild that fails leaves the live index as it
    was and removes its own staging index."""
    config = ws.config(check_secrets=False)
    catalogue = ws.catalogue()
    with _index_writer(catalogue, config, wait_seconds) as lock:
        live = ws.backend()
        for abandoned in live.remove_abandoned_rebuilds():
            log.warning("removed %s, left by a rebuild that did not finish", abandoned)
        fresh = live.begin_rebuild()
        try:
            report = IndexReport(rebuilt=True)
            while True:
                before = dict(report.watermarks)
                reached = _index_files(
                    config,
                    ws.archive_dir,
                    fresh,
                    catalogue,
                    before,
                    save_watermarks=False,
                    still_here=lock.still_here,
                )
                _add_up(report, reached)
                if not reached.files or report.watermarks == before:
                    break
            live.commit_rebuild(fresh)
        except BaseException as exc:
            live.abort_rebuild(fresh)
            if isinstance(exc, StorageFull) or (
                isinstance(exc, OSError | ValueError) and is_disk_full(exc)
            ):
                raise StorageFull(
                    f"index --rebuild stopped: the disk holding {ws.data_dir} is full ({exc}); the live index is unchanged and the partial rebuild was removed; free space and run it again"
                ) from None
            raise
        catalogue.reset_watermarks()
        for name, (offset, complete) in report.watermarks.items():
            catalogue.save_watermark(name, offset, complete)
        record_rules(config, catalogue)
        report.counts["pending_applied"] += apply_pending(catalogue, live)
        return report


_INDEXING_HERE = threading.Lock()
"""One indexing run per process as well: the catalogue lock's holder is the process."""


@contextmanager
def _index_writer(
    catalogue: Catalogue, config: ArchiverenConfig, wait_seconds: float
) -> Iterator[HeldLock]:
    """The index lock, refreshed (``still_here``) each time a batch is durable: a run that makes
    no progress lets its lock go stale."""

    if not _INDEXING_HERE.acquire(
        blocking=wait_seconds > 0, timeout=wait_seconds if wait_seconds > 0 else -1
    ):
        raise AlreadyRunning("indexing is already running in this process")
    try:
        with holding(
            catalogue,
            INDEX_LOCK,
            "indexing",
            stale_after_seconds=config.scheduler.lock_stale_seconds,
            wait_seconds=wait_seconds,
            heartbeat_thread=False,
        ) as lock:
            yield lock
    finally:
        _INDEXING_HERE.release()


def _add_up(report: IndexReport, part: IndexReport) -> None:
    report.files += part.files
    report.counts.update(part.counts)
    report.errors.extend(part.errors)
    report.watermarks.update(part.watermarks)


def _index_files(
    config: ArchiverenConfig,
    archive_dir: Path,
    backend: SearchBackend,
    catalogue: Catalogue,
    watermarks: dict[str, tuple[int, bool]],
    *,
    save_watermarks: bool,
    still_here: Callable[[], None] = lambda: None,
) -> IndexReport:
    """Index what ``watermarks`` leaves pending into ``backend``, in batches of BATCH_SIZE."""

    report = IndexReport()
    sources = {source.name: source for source in config.sources}
    held, destroyed = held_post_ids(catalogue), destroyed_post_ids(catalogue)
    marks = {
        path: (name, *watermarks.get(name, (0, False)))
        for path, name in readable_warcs(archive_dir)
    }
    pending = [
        (path, name, offset) for path, (name, offset, complete) in marks.items() if not complete
    ]
    backlog = sum(max(_size(path) - offset, 0) for path, _, offset in pending)
    workers = extraction_workers(config.search.index_workers, backlog)
    progress.begin("index", None, backlog)

    def durable(name: str, offset: int, complete: bool) -> Callable[[int], None]:
        def then(written: int) -> None:
            report.counts["posts"] += written
            report.watermarks[name] = (offset, complete)
            still_here()
            if save_watermarks:
                catalogue.save_watermark(name, offset, complete)

        return then

    with CaptureExtraction(sources, document_preparer(config.search), workers) as extraction:
        with BackgroundWrites(partial(_write_batch, backend)) as writes:
            for path, name, offset in pending:
                reading = _FileRead(path, name, offset)
                if not reading.start():
                    continue  # an open file closed meanwhile: the next run reads it closed
                report.files += 1
                batch: dict[str, PreparedPost] = {}
                captures = _captures_in_file(reading, archive_dir, sources, config, report)
                done = reading.offset
                for extracted, (where, next_offset) in extraction.run(captures):
                    progress.advance(len(extracted.prepared), max(next_offset - done, 0))
                    done = max(done, next_offset)
                    if extracted.error:
                        report.counts["extract_errors"] += 1
                        report.errors.append(f"{where}: {extracted.error}")
                        log.warning("extraction failed for %s: %s", where, extracted.error)
                    _add_to_batch(batch, extracted.prepared, backend, held, destroyed, report)
                    if len(batch) >= BATCH_SIZE:
                        writes.submit(batch, then=durable(name, next_offset, False))
                        batch = {}
                writes.submit(batch, then=durable(name, reading.resume, not reading.live))
    return report


def _size(path: Path) -> int:
    try:
        return warc_size(path)
    except FileNotFoundError:  # an open file renamed on closing
        return 0


class _FileRead:
    """One file's pass: where it starts, how far it may read (a closed file to its end, an open
    one to its last complete record) and where the next pass resumes."""

    def __init__(self, path: Path, name: str, offset: int) -> None:
        self.path, self.name, self.offset = path, name, offset
        self.live = path.name.endswith(OPEN_SUFFIX)
        self.end = 0
        self.resume = 0

    def start(self) -> bool:
        try:
            self.end = (
                scan_complete_records(self.path, self.offset).good_end
                if self.live
                else warc_size(self.path)
            )
        except FileNotFoundError:
            return False
        self.resume = self.end
        return True

    def records(self, archive_dir: Path) -> Iterator[ArchivedRecord]:
        if self.live and not self.path.exists():  # closed since: the same bytes, renamed
            self.path = self.path.with_name(self.name)
        if self.live:
            return iter_open_records(
                self.path, start_offset=self.offset, end_offset=self.end, archive_dir=archive_dir
            )
        return iter_records(self.path, start_offset=self.offset, archive_dir=archive_dir)


def _add_to_batch(
    batch: dict[str, PreparedPost],
    posts: list[PreparedPost],
    backend: SearchBackend,
    held: Container[str],
    destroyed: Container[str],
    report: IndexReport,
) -> None:
    """Add one capture's Posts to ``batch``: not those destroyed, those on hold marked so, and a
    Post the batch holds already merged with it (the newest capture wins)."""
    for prepared in posts:
        if prepared.id in destroyed:
            report.counts["destroyed_skipped"] += 1
            continue
        if prepared.id in held:
            prepared = _on_hold(prepared, backend)
        previous = batch.get(prepared.id)
        batch[prepared.id] = _merged(backend, previous.post(), prepared) if previous else prepared


def _on_hold(prepared: PreparedPost, backend: SearchBackend) -> PreparedPost:
    post = prepared.post()
    post.retention = post.retention.model_copy(update={"legal_hold": True})
    return backend.prepare(post)


def _merged(backend: SearchBackend, stored: Post, incoming: PreparedPost) -> PreparedPost:
    return backend.prepare(merge_capture_history(stored, incoming.post()))


def _write_batch(backend: SearchBackend, batch: dict[str, PreparedPost]) -> int:
    """Write ``batch``, each Post merged with the version the index holds, if any; runs in the
    background writes' thread, after the batch before it is committed."""
    if not batch:
        return 0
    stored = backend.get_many(list(batch))
    documents = [
        _merged(backend, stored[post_id], prepared) if post_id in stored else prepared
        for post_id, prepared in batch.items()
    ]
    return backend.index_prepared(documents)


def _captures_in_file(
    reading: _FileRead,
    archive_dir: Path,
    sources: dict[str, Any],
    config: ArchiverenConfig,
    report: IndexReport,
) -> Iterator[tuple[Capture, tuple[str, int]]]:
    """(capture, (where it is, offset after which nothing of it is pending)) for each response
    or resource with a metadata record naming a collector that has an extractor. In an open
    file a capture whose metadata record is not written yet is left for the next pass."""
    pending: dict[str, ArchivedRecord] = {}
    try:
        for record in reading.records(archive_dir):
            report.counts["records"] += 1
            if record.rec_type in ("response", "resource"):
                pending[record.pointer.record_id] = record
                continue
            if record.rec_type == "revisit":
                report.counts["revisits"] += 1
                continue
            if record.rec_type != "metadata" or not record.concurrent_to:
                continue
            captured = pending.pop(record.concurrent_to, None)
            if captured is None:
                continue
            metadata = record.metadata_json() or {}
            if not has_extractor(str(metadata.get("collector", ""))):
                report.counts["no_extractor"] += 1
                continue
            source = sources.get(str(metadata.get("source", "")))
            capture = capture_from_records(captured, metadata, source, config.organisation)
            where = f"{captured.pointer.warc_file}@{captured.pointer.offset} ({capture.url})"
            next_offset = record.pointer.offset + record.pointer.length
            yield (
                capture,
                (
                    where,
                    next_offset if not pending else min(r.pointer.offset for r in pending.values()),
                ),
            )
    except (RecordReadError, FileNotFoundError) as exc:
        report.errors.append(f"{reading.name}: {exc}")
    if reading.live and pending:
        reading.resume = min(r.pointer.offset for r in pending.values())
        return
    report.counts["without_metadata"] += len(pending)
