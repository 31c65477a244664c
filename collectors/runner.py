"""Run sources: one catalogue row per run, one WARC writer and one fetcher shared by the run.

``run_sources`` opens the catalogue and a ``WarcWriter`` (closed files are registered in the
catalogue as they close; it is closed at the end, unless the caller lends a writer that
outlives the run, as the scheduler does, which then only makes the run's captures durable),
builds the shared ``Fetcher``, and runs each enabled source's
collector in turn. Each source runs inside its own guard: whatever one source raises is
recorded as that run's failure and the next source still runs, except a full disk
(``StorageFull``), which is recorded and then stops the run. The source's state (ETags,
since-ids) is saved after every run, so progress made before a failure is kept. A source is
collected under its lock in the catalogue (catalogue.locks): a source already being collected,
by this host or another, is skipped, and the skip is recorded with the holder's name.
"""

from __future__ import annotations

import fcntl
import logging
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

from archive import WarcWriter
from archive.manifest import read_manifest
from archive.scan import scan_complete_records
from catalogue.locks import holding
from catalogue.store import Catalogue
from collectors.base import CollectContext, RunReport
from collectors.http import Fetcher, StopRequested, user_agent
from collectors.registry import COLLECTORS
from config.models import ArchiverenConfig
from foundation.errors import AlreadyRunning, ArchiverenError, StorageFull

log = logging.getLogger("archiveren.collectors")


def run_sources(
    config: ArchiverenConfig,
    data_dir: Path,
    names: list[str] | None = None,
    stop: threading.Event | None = None,
    *,
    backoff_base: float = 1.0,
    writer: WarcWriter | None = None,
) -> list[RunReport]:
    """Collect the enabled sources (or only those ``names``, enabled or not) once each, into
    ``writer`` if given (left open, fsynced) or a writer of the run's own (closed at the end)."""
    stop = stop or threading.Event()
    sources = [s for s in config.sources if (s.name in names if names else s.enabled)]
    catalogue = Catalogue.open(data_dir, config.database_url)
    reports: list[RunReport] = []
    try:
        own_writer = writer is None
        if writer is None:
            writer = open_writer(config, data_dir, sources, catalogue)
        for run in catalogue.repair_stale_runs():
            log.warning(
                "run %d of %s was left 'running' by %s, which is gone: marked interrupted",
                run.id,
                run.source,
                run.host,
            )
        _catch_up_catalogue(catalogue, data_dir / "warcs")
        with (
            writer if own_writer else nullcontext(writer),
            Fetcher(config.http, writer, stop=stop, backoff_base=backoff_base) as fetcher,
        ):
            for source in sources:
                if stop.is_set():
                    break
                try:
                    with holding(
                        catalogue,
                        source.name,
                        f"collecting {source.name}",
                        stale_after_seconds=config.scheduler.lock_stale_seconds,
                    ):
                        reports.append(run_source(source, config, catalogue, fetcher, writer, stop))
                except AlreadyRunning as exc:
                    reports.append(_skipped(catalogue, source, str(exc)))
            if not own_writer:
                writer.sync()
    finally:
        catalogue.close()
    return reports


def open_writer(
    config: ArchiverenConfig,
    data_dir: Path,
    sources: list[Any],
    catalogue: Catalogue,
    *,
    rollover_seconds: float | None = None,
) -> WarcWriter:
    """A writer into ``data_dir/warcs`` with the config's settings, registering each file it
    closes in ``catalogue``; ``rollover_seconds`` for one that outlives a run."""
    return WarcWriter(
        data_dir / "warcs",
        prefix=config.archive.prefix,
        rollover_bytes=config.archive.rollover_bytes,
        rollover_seconds=rollover_seconds,
        operator=config.archive.operator,
        user_agent=user_agent(config.http.contact),
        contact=config.http.contact,
        robots=robots_policy(sources),
        on_file_closed=lambda closed: _register(catalogue, closed),
    )


def run_source(
    source: Any,
    config: ArchiverenConfig,
    catalogue: Catalogue,
    fetcher: Fetcher,
    writer: WarcWriter,
    stop: threading.Event,
) -> RunReport:
    """Run one source's collector and record the run; never raises for the source's own failures."""
    run_id = catalogue.start_run(source.name, source.type)
    source_log = logging.getLogger(f"archiveren.collectors.{source.type}.{source.name}")
    report = RunReport(source=source.name)
    state: dict[str, Any] = {}
    try:
        collector_class = COLLECTORS.get(source.type)
        if collector_class is None:
            raise ArchiverenError(
                f"source {source.name!r}: no collector is registered for source type {source.type!r} (known: {', '.join(sorted(COLLECTORS))})"
            )
        state = catalogue.source_state(source.name)
        if not getattr(source, "obey_robots", True):
            source_log.warning(
                "source %s: robots.txt is NOT obeyed (obey_robots: false in the config)",
                source.name,
            )
        context = CollectContext(
            config=config,
            fetcher=fetcher,
            writer=writer,
            state=state,
            run_id=run_id,
            log=source_log,
            stop=stop,
        )
        collector = collector_class(source, context)
        report = collector.report
        report = collector.run()
    except StopRequested as exc:
        report.error(str(exc))
        report.outcome = "partial"
    except StorageFull as exc:
        # every further capture would fail the same way: record it, then stop the whole run
        report.error(str(exc))
        report.outcome = "failed"
        raise
    except ArchiverenError as exc:
        report.error(str(exc))
        report.outcome = "failed"
    except Exception as exc:  # a collector bug must cost this source's run, never the others'
        source_log.exception("source %s: collector crashed", source.name)
        report.error(f"collector crashed: {exc.__class__.__name__}: {exc}")
        report.outcome = "failed"
    finally:
        if state:
            catalogue.save_source_state(source.name, state, source.type)
        report.settle()
        catalogue.finish_run(run_id, report.outcome, dict(report.counts), report.errors)
    source_log.info(
        "source %s: %s %s",
        source.name,
        report.outcome,
        dict(report.counts),
        extra={"source": source.name, "run_id": run_id, "counts": dict(report.counts)},
    )
    return report


def _skipped(catalogue: Catalogue, source: Any, reason: str) -> RunReport:
    log.info("source %s: skipped: %s", source.name, reason)
    catalogue.record_skipped_run(source.name, source.type, reason)
    report = RunReport(source=source.name)
    report.error(reason)
    report.outcome = "skipped"
    return report


def robots_policy(sources: list[Any]) -> str:
    """The warcinfo's robots field: robots.txt is obeyed unless a source says otherwise."""
    ignoring = sorted(s.name for s in sources if not getattr(s, "obey_robots", True))
    return f"obey, except sources {', '.join(ignoring)}: ignore" if ignoring else "obey"


def _catch_up_catalogue(catalogue: Catalogue, archive_dir: Path) -> None:
    """Register files the manifest lists but the catalogue does not: a process killed after
    closing a file but before telling the catalogue (a SIGKILLed run, or a crawl child whose
    parent died) leaves them so, and ``verify`` would report them forever. The manifest line was
    written by archiveren when the file closed; ``verify`` still checks the file against it.

    A file whose writer is still at work is left alone: the writer holds the file's flock from
    creating it until after it has registered it, so a file whose flock is taken belongs to a
    live run (in this process or another) that is about to register it itself."""
    known = {row.name for row in catalogue.warc_files()}
    manifest, _ = read_manifest(archive_dir)
    for name, entry in sorted(manifest.items()):
        path = archive_dir / name
        if name in known or not path.is_file():
            continue
        with _writer_gone(path) as gone:
            if not gone or catalogue.is_registered(name):
                continue
            records = scan_complete_records(path).records
            log.warning("registering %s, closed by a run that stopped before recording it", name)
            size = entry.size if entry.size is not None else path.stat().st_size  # sizes.txt lost
            catalogue.register_warc(name, size, entry.sha256, records)


@contextmanager
def _writer_gone(path: Path) -> Iterator[bool]:
    """True (holding the file's flock for the block) when no writer holds ``path`` any more."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        yield False
        return
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(fd)


def _register(catalogue: Catalogue, closed: Any) -> None:
    catalogue.register_warc(closed.name, closed.size, closed.sha256, getattr(closed, "records", 0))
