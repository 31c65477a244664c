"""The indexing pipeline: closed WARC files -> captures -> extractors -> Posts -> search backend.

It reads each closed WARC from the catalogue's watermark on, pairs every response or resource
with its concurrent metadata record, asks the extractor registered for the capture's collector
for Posts, and writes them in batches. The watermark moves only after a batch is durable, so
an interrupted run resumes without losing or duplicating Posts (ids are stable).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from archive import ArchivedRecord, RecordReadError, iter_records
from archive.naming import closed_warcs as archive_closed_warcs
from indexer.capture_reader import capture_from_records
from indexer.extractors import extractor_for
from indexer.merge import merge_capture_history
from indexer.post import Post
from indexer.query_model import SearchBackend

if TYPE_CHECKING:
    from archiveren.catalogue import Catalogue
    from archiveren.workspace import Workspace
    from config.models import ArchiverenConfig

log = logging.getLogger("archiveren.indexer")
BATCH_SIZE = 2000


@dataclass
class IndexReport:
    files: int = 0
    counts: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    rebuilt: bool = False

    def summary(self) -> str:
        what = "rebuilt index" if self.rebuilt else "indexed"
        counts = ", ".join(f"{k} {v}" for k, v in sorted(self.counts.items()) if v)
        lines = [f"{what}: {self.files} files; {counts or 'nothing new'}"]
        lines += [f"  ! {error}" for error in self.errors[:20]]
        if len(self.errors) > 20:
            lines.append(f"  ... and {len(self.errors) - 20} more errors")
        return "\n".join(lines)


def closed_warcs(archive_dir: Path) -> list[Path]:
    """Closed WARC files, oldest first; none before the first collection made the directory."""
    return archive_closed_warcs(archive_dir) if archive_dir.is_dir() else []


def index_new_records(ws: Workspace) -> IndexReport:
    config = ws.config(check_secrets=False)
    catalogue = ws.catalogue()
    return _index_files(config, ws.archive_dir, ws.backend(), catalogue, catalogue.watermarks(), save_watermarks=True)


def rebuild_index(ws: Workspace) -> IndexReport:
    """Index every WARC into a fresh index beside the live one, then swap it in."""
    config = ws.config(check_secrets=False)
    catalogue = ws.catalogue()
    live = ws.backend()
    fresh = live.begin_rebuild()
    report = _index_files(config, ws.archive_dir, fresh, catalogue, {}, save_watermarks=False)
    live.commit_rebuild(fresh)
    catalogue.reset_watermarks()
    for path in closed_warcs(ws.archive_dir):
        catalogue.save_watermark(path.name, path.stat().st_size, True)
    report.rebuilt = True
    return report


def _index_files(config: ArchiverenConfig, archive_dir: Path, backend: SearchBackend, catalogue: Catalogue, watermarks: dict[str, tuple[int, bool]], *, save_watermarks: bool) -> IndexReport:
    from archiveren.retention import destroyed_post_ids, held_post_ids

    report = IndexReport()
    sources = {source.name: source for source in config.sources}
    held, destroyed = held_post_ids(catalogue), destroyed_post_ids(catalogue)
    for path in closed_warcs(archive_dir):
        offset, complete = watermarks.get(path.name, (0, False))
        if complete:
            continue
        report.files += 1
        batch: dict[str, Post] = {}
        safe_offset = offset
        for posts, next_offset in _posts_in_file(path, archive_dir, offset, sources, config, report):
            for post in posts:
                if post.id in destroyed:
                    report.counts["destroyed_skipped"] += 1
                    continue
                if post.id in held:
                    post.retention = post.retention.model_copy(update={"legal_hold": True})
                previous = batch.get(post.id)
                batch[post.id] = merge_capture_history(previous, post) if previous else post
            if len(batch) >= BATCH_SIZE:
                _write_batch(backend, batch, report)
                batch = {}
                safe_offset = next_offset
                if save_watermarks:
                    catalogue.save_watermark(path.name, safe_offset, False)
        _write_batch(backend, batch, report)
        if save_watermarks:
            catalogue.save_watermark(path.name, path.stat().st_size, True)
    return report


def _write_batch(backend: SearchBackend, batch: dict[str, Post], report: IndexReport) -> None:
    if not batch:
        return
    stored = backend.get_many(list(batch))
    merged = [merge_capture_history(stored[post.id], post) if post.id in stored else post for post in batch.values()]
    report.counts["posts"] += backend.index_posts(merged)


def _posts_in_file(path: Path, archive_dir: Path, offset: int, sources: dict[str, Any], config: ArchiverenConfig, report: IndexReport) -> Iterator[tuple[list[Post], int]]:
    """(Posts of one capture, offset after which nothing of this capture is pending)."""
    pending: dict[str, ArchivedRecord] = {}
    try:
        for record in iter_records(path, start_offset=offset, archive_dir=archive_dir):
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
            posts = _extract(captured, record, sources, config, report)
            next_offset = record.pointer.offset + record.pointer.length
            yield posts, (next_offset if not pending else min(r.pointer.offset for r in pending.values()))
    except RecordReadError as exc:
        report.errors.append(f"{path.name}: {exc}")
    report.counts["without_metadata"] += len(pending)


def _extract(captured: ArchivedRecord, metadata_record: ArchivedRecord, sources: dict[str, Any], config: ArchiverenConfig, report: IndexReport) -> list[Post]:
    metadata = metadata_record.metadata_json() or {}
    extractor = extractor_for(str(metadata.get("collector", "")))
    if extractor is None:
        report.counts["no_extractor"] += 1
        return []
    source = sources.get(str(metadata.get("source", "")))
    capture = capture_from_records(captured, metadata, source, config.organisation)
    try:
        posts = list(extractor(capture))
    except Exception as exc:  # an extractor bug or hostile input must not stop the indexer
        report.counts["extract_errors"] += 1
        report.errors.append(f"{captured.pointer.warc_file}@{captured.pointer.offset} ({capture.url}): {exc.__class__.__name__}: {exc}")
        log.warning("extraction failed for %s: %s", capture.url, exc)
        return []
    return [_with_retention(post, source) for post in posts]


def _with_retention(post: Post, source: Any) -> Post:
    if source is None or post.retention.keep_until is not None:
        return post
    retention = source.retention
    years = retention.years
    anchor = post.published_at or post.collected_at or datetime.now(UTC)
    keep_until = None
    if years is not None:
        try:
            keep_until = anchor.date().replace(year=anchor.year + years)
        except ValueError:  # 29 February
            keep_until = anchor.date().replace(year=anchor.year + years, day=28)
    post.retention = post.retention.model_copy(update={"category": retention.category or post.retention.category, "keep_until": keep_until})
    return post
