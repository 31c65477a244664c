"""Run sources: one catalogue row per run, one WARC writer and one fetcher shared by the run.

``run_sources`` opens the catalogue and a ``WarcWriter`` (closed files are registered in the
catalogue as they close), builds the shared ``Fetcher``, and runs each enabled source's
collector in turn. Each source runs inside its own guard: whatever one source raises is
recorded as that run's failure and the next source still runs. The source's state (ETags,
since-ids) is saved after every run, so progress made before a failure is kept.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

from archive import WarcWriter
from archiveren.catalogue import Catalogue
from archiveren.errors import ArchiverenError
from collectors.base import CollectContext, RunReport
from collectors.http import Fetcher, StopRequested
from collectors.registry import COLLECTORS
from config.models import ArchiverenConfig

log = logging.getLogger("archiveren.collectors")


def run_sources(
    config: ArchiverenConfig,
    data_dir: Path,
    names: list[str] | None = None,
    stop: threading.Event | None = None,
    *,
    backoff_base: float = 1.0,
) -> list[RunReport]:
    """Collect the enabled sources (or only those ``names``, enabled or not) once each."""
    stop = stop or threading.Event()
    sources = [s for s in config.sources if (s.name in names if names else s.enabled)]
    catalogue = Catalogue.open(data_dir, config.database_url)
    reports: list[RunReport] = []
    try:
        writer = WarcWriter(
            data_dir / "warcs",
            prefix=config.archive.prefix,
            rollover_bytes=config.archive.rollover_bytes,
            operator=config.archive.operator,
            on_file_closed=lambda closed: _register(catalogue, closed),
        )
        with writer, Fetcher(config.http, writer, stop=stop, backoff_base=backoff_base) as fetcher:
            for source in sources:
                if stop.is_set():
                    break
                reports.append(run_source(source, config, catalogue, fetcher, writer, stop))
    finally:
        catalogue.close()
    return reports


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


def _register(catalogue: Catalogue, closed: Any) -> None:
    catalogue.register_warc(closed.name, closed.size, closed.sha256, getattr(closed, "records", 0))
