"""The export worker of a UI server process: one thread that runs queued export jobs one at a
time, oldest first. Starting, it queues again the jobs a dead server process left running
(catalogue.export_jobs.recover_abandoned); queuing a job wakes it, and it also looks for jobs
every ``POLL_SECONDS`` (another server process sharing the catalogue may have queued one)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from catalogue.export_jobs import claim_next, recover_abandoned
from catalogue.store import this_holder
from foundation.errors import ArchiverenError
from workspace import Workspace
from workspace.export_runner import run_job

log = logging.getLogger("exports")
POLL_SECONDS = 10.0


class ExportWorker:
    """Runs export jobs in a daemon thread; ``case_number`` names a job's case for its report."""

    def __init__(self, ws: Workspace, case_number: Callable[[int | None], str]) -> None:
        self._ws = ws
        self._case_number = case_number
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="export-worker", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def wake(self) -> None:
        """A job was queued: look now."""
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout)

    def _run(self) -> None:
        holder = this_holder()
        try:
            recovered = recover_abandoned(self._ws.catalogue())
            if recovered:
                log.warning("export jobs %s were left running by a stopped server", recovered)
        except ArchiverenError as exc:
            log.error("cannot look for export jobs left running: %s", exc)
        while not self._stop.is_set():
            try:
                job = claim_next(self._ws.catalogue(), holder)
            except ArchiverenError as exc:
                log.error("cannot read the export queue: %s", exc)
                job = None
            if job is None:
                self._wake.wait(POLL_SECONDS)
                self._wake.clear()
                continue
            run_job(self._ws, job, self._case_number(job.case_id))
