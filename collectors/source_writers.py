"""One open WARC writer per source for a process that collects for months (the scheduler), so
a source's runs append to its file instead of each leaving a new one behind.

A source's writer is made on its first run and lent to every later run (``run_sources(...,
writer=...)``), which fsyncs it at the end and leaves it open. A file closes when it reaches
``archive.rollover_bytes`` or is ``archive.rollover_seconds`` old (``roll_over_due``, called by
the scheduler's loop every second and after each run), on ``close_all`` (SIGTERM, shutdown) and,
after a config reload, when the source runs next with the new settings. A run that fetched
nothing new adds only its revisit and metadata records to the open file, and nothing at all if
it fetched nothing. The indexer reads an open file up to its last complete capture, so what a
run collected is searchable after the next index run without closing the file. Runs of one
source never overlap (the scheduler's jobs and the source lock see to that), so a writer is
used by one run at a time; the writer's own lock covers the loop's rollover meanwhile."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from archive import WarcWriter
from catalogue.store import Catalogue
from collectors.runner import open_writer
from config.models import ArchiverenConfig, SourceConfig
from foundation.errors import ArchiverenError

log = logging.getLogger("archiveren.collectors")


class SourceWriters:
    """The open writers of a long-running process, one per source name."""

    def __init__(self, config: ArchiverenConfig, data_dir: Path, catalogue: Catalogue) -> None:
        self.config = config
        self.data_dir = data_dir
        self.catalogue = catalogue
        self._writers: dict[str, WarcWriter] = {}
        self._stale: set[str] = set()
        self._lock = threading.Lock()

    def writer_for(self, source: SourceConfig) -> WarcWriter:
        """The source's open writer; made now if it has none or the config changed since."""
        with self._lock:
            writer = self._writers.get(source.name)
            if writer is not None and source.name in self._stale:
                self._stale.discard(source.name)
                del self._writers[source.name]
                _retire(source.name, writer)  # its last run has ended: runs never overlap
                writer = None
            if writer is None:
                writer = open_writer(
                    self.config,
                    self.data_dir,
                    [source],
                    self.catalogue,
                    rollover_seconds=self.config.archive.rollover_seconds,
                )
                self._writers[source.name] = writer
            return writer

    def use_config(self, config: ArchiverenConfig) -> None:
        """Take a reloaded config: each writer is replaced on its source's next run."""
        with self._lock:
            self.config = config
            self._stale = set(self._writers)

    def roll_over_due(self) -> None:
        """Close each file that reached its size or age limit; the next capture opens a new one."""
        with self._lock:
            writers = list(self._writers.items())
        for name, writer in writers:
            try:
                writer.roll_over_if_due()
            except ArchiverenError as exc:
                log.error("source %s: closing its WARC file failed: %s", name, exc)

    def close_all(self) -> None:
        """Close every open file (fsync, rename, manifest, catalogue); on SIGTERM and shutdown."""
        with self._lock:
            writers, self._writers = list(self._writers.items()), {}
            self._stale.clear()
        for name, writer in writers:
            _retire(name, writer)


def _retire(name: str, writer: WarcWriter) -> None:
    """Close ``writer`` for good (its file, and its claim on the process's exit)."""
    try:
        with writer:
            pass
    except ArchiverenError as exc:
        log.error("source %s: closing its WARC file failed: %s", name, exc)
