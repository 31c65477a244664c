"""``archiveren schedule``: collectors on their schedules, for months, unattended.

An APScheduler BackgroundScheduler keeps its jobs in the catalogue (SQLAlchemy job store), one
job per enabled source, plus indexing and verification. Jobs coalesce, never overlap (a run
lock in the catalogue also keeps two processes or hosts from running one source at once),
start late within a grace time, and carry jitter. SIGHUP (or a change of the config file)
reloads the config; a bad new config is refused and the old schedule keeps running. SIGTERM or
SIGINT stops gracefully: running collectors finish their current record, then every source's
open WARC file is closed; a second signal exits at once (an unfinished ``.open`` WARC is
recovered on the next start, cut at its last complete record). Each source's runs append to
one open WARC file until it reaches ``archive.rollover_bytes`` or ``archive.rollover_seconds``
(collectors.source_writers), so idle runs leave no new files behind.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import threading
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from apscheduler.events import EVENT_JOB_MAX_INSTANCES, EVENT_JOB_MISSED, JobEvent
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from archive import recover_open_files, verify_archive
from archiveren.notify import notify_repeated_failure
from archiveren.offload import offload_pass
from archiveren.shards import claimed_shard, in_shard
from catalogue.jobs import job_table
from catalogue.store import this_holder
from collectors.runner import run_sources
from collectors.source_writers import SourceWriters
from config import load_config
from evidence.stamping import stamp_archive
from evidence.verification import verify_timestamps
from foundation.errors import AlreadyRunning, ArchiveError, ArchiverenError, ConfigError
from indexer.pipeline import index_new_records

if TYPE_CHECKING:
    from apscheduler.triggers.base import BaseTrigger

    from catalogue.store import Catalogue
    from config.models import ArchiverenConfig, SourceConfig
    from workspace import Workspace

log = logging.getLogger("archiveren.scheduler")
_daemon: SchedulerDaemon | None = None


class _Executor(ThreadPoolExecutor):  # type: ignore[misc]  # APScheduler is untyped (Any)
    """APScheduler's thread pool, except that a job coming due while the scheduler shuts down
    is left alone: the scheduler's loop may have looked for due jobs just before the shutdown
    and hand one over just after the pool closed, which APScheduler reports as an error with a
    traceback. Such a run is simply not started, as on any stop."""

    _closing = False

    def shutdown(self, wait: bool = True) -> None:
        self._closing = True
        super().shutdown(wait)

    def _do_submit_job(self, job: Any, run_times: list[datetime]) -> None:
        if self._closing:
            log.info("job %s not started: the scheduler is stopping", job.id)
            return
        super()._do_submit_job(job, run_times)


def trigger_for(source: SourceConfig) -> BaseTrigger | None:
    schedule = source.schedule
    if schedule is None:
        return None
    jitter = schedule.jitter_seconds or None
    if schedule.interval_seconds:
        return IntervalTrigger(seconds=schedule.interval_seconds, jitter=jitter, timezone=UTC)
    if schedule.cron:
        try:
            return CronTrigger.from_crontab(schedule.cron, timezone=UTC)
        except ValueError as exc:
            raise ConfigError(
                f"source {source.name!r}, field 'schedule.cron': {schedule.cron!r} is not a crontab expression ({exc})"
            ) from None
    return None


def scheduled_collect(source_name: str) -> None:
    """The job function (referenced by name in the job store, so it survives restarts)."""
    if _daemon is not None:
        _daemon.run_source(source_name)


def scheduled_index() -> None:
    if _daemon is not None:
        _daemon.run_index()


def scheduled_verify() -> None:
    if _daemon is not None:
        _daemon.run_verify()


def scheduled_stamp() -> None:
    if _daemon is not None:
        _daemon.run_stamp()


class SchedulerDaemon:
    def __init__(self, ws: Workspace, stop_event: threading.Event | None = None) -> None:
        self.ws = ws
        self.config = ws.config()
        self.catalogue: Catalogue = ws.catalogue()
        self.stop_event = stop_event or threading.Event()
        self.holder = this_holder()
        self._config_mtime = self._mtime()
        self._index_lock = threading.Lock()
        self.writers = SourceWriters(self.config, ws.data_dir, self.catalogue)
        settings = self.config.scheduler
        self.scheduler = BackgroundScheduler(
            jobstores={
                "default": SQLAlchemyJobStore(
                    engine=self.catalogue.engine, tablename=job_table(settings.shard)
                )
            },
            executors={"default": _Executor(settings.max_workers + 2)},
            job_defaults={
                "coalesce": True,
                "max_instances": 1,
                "misfire_grace_time": settings.misfire_grace_seconds,
            },
            timezone=UTC,
        )

    def start(self) -> None:
        global _daemon
        _daemon = self
        self._recover_open_warcs()
        self.scheduler.add_listener(
            self._record_skipped, EVENT_JOB_MISSED | EVENT_JOB_MAX_INSTANCES
        )
        self.scheduler.start(paused=True)
        self.sync_jobs(self.config)
        self.scheduler.resume()
        log.info(
            "scheduler started as %s with %d jobs", self.holder, len(self.scheduler.get_jobs())
        )

    def sync_jobs(self, config: ArchiverenConfig) -> None:
        """Make the job store match ``config``: add, change and remove jobs; unchanged jobs keep
        their next run time, so a restart never fires a source twice."""
        wanted: dict[str, tuple[Any, BaseTrigger, list[str], str]] = {}
        for source in config.sources:
            trigger = trigger_for(source)
            if (
                source.enabled
                and trigger is not None
                and in_shard(source.name, config.scheduler.shard)
            ):
                wanted[f"collect:{source.name}"] = (
                    scheduled_collect,
                    trigger,
                    [source.name],
                    source.schedule.model_dump_json() if source.schedule else "",
                )
        if config.scheduler.index_interval_seconds:
            wanted["index"] = (
                scheduled_index,
                IntervalTrigger(seconds=config.scheduler.index_interval_seconds, timezone=UTC),
                [],
                str(config.scheduler.index_interval_seconds),
            )
        if config.scheduler.verify_cron:
            wanted["verify"] = (
                scheduled_verify,
                CronTrigger.from_crontab(config.scheduler.verify_cron, timezone=UTC),
                [],
                config.scheduler.verify_cron,
            )
        if config.evidence.enabled:
            wanted["stamp"] = (
                scheduled_stamp,
                IntervalTrigger(seconds=config.evidence.stamp_interval_seconds, timezone=UTC),
                [],
                str(config.evidence.stamp_interval_seconds),
            )
        existing = {job.id: job for job in self.scheduler.get_jobs()}
        for job_id in existing:
            if job_id not in wanted:
                self.scheduler.remove_job(job_id)
                log.info("job %s removed", job_id)
        for job_id, (func, trigger, args, fingerprint) in wanted.items():
            job = existing.get(job_id)
            if job is not None and job.name == fingerprint:
                continue
            # a source new to the schedule on an interval is collected at once, then every
            # interval; so is the first stamp pass (files closed while no scheduler ran)
            first = (
                {"next_run_time": datetime.now(UTC)}
                if job is None
                and isinstance(trigger, IntervalTrigger)
                and (job_id.startswith("collect:") or job_id == "stamp")
                else {}
            )
            self.scheduler.add_job(
                func,
                trigger,
                args=args,
                id=job_id,
                name=fingerprint,
                replace_existing=True,
                **first,
            )
            log.info("job %s %s", job_id, "changed" if job else "added")
        self.config = config

    def reload(self) -> bool:
        try:
            config = load_config(self.ws.config_path)
            for source in config.sources:
                trigger_for(source)
        except ConfigError as exc:
            log.error("new config refused, the old schedule keeps running: %s", exc)
            return False
        if config.scheduler.shard != self.config.scheduler.shard:
            log.error(
                "new config refused, the old schedule keeps running: scheduler.shard changed from %s to %s, which takes a restart of the scheduler (its shard is claimed in the catalogue while it runs)",
                self.config.scheduler.shard or "none",
                config.scheduler.shard or "none",
            )
            return False
        self.ws.use_config(config)
        self.writers.use_config(config)
        self.sync_jobs(config)
        log.info("config reloaded from %s", self.ws.config_path)
        return True

    def run_source(self, source_name: str) -> None:
        """One scheduled run of one source. Whatever goes wrong becomes a failed run in the
        catalogue with its reason (and counts towards the failure notice); the job never
        raises, so the scheduler goes on."""
        source = next((s for s in self.config.sources if s.name == source_name), None)
        if self.stop_event.is_set() or source is None:
            return
        started = time.monotonic()
        try:
            reports = run_sources(
                self.config,
                self.ws.data_dir,
                [source_name],
                stop=self.stop_event,
                writer=self.writers.writer_for(source),
            )
            for report in reports:
                counts = ", ".join(f"{k} {v}" for k, v in sorted(report.counts.items()) if v)
                log.info(
                    "run of %s %s in %.1f s: %s",
                    source_name,
                    report.outcome,
                    time.monotonic() - started,
                    counts or "nothing fetched",
                )
            if reports and reports[0].outcome == "skipped":
                return
        except Exception as exc:  # noqa: BLE001 - a run that could not even start is still a run
            self._record_failed_run(source, exc)
        self._notify_if_failing(source_name)
        self.run_offload()
        if self.config.scheduler.index_after_run and not self.stop_event.is_set():
            self.run_index()

    def _record_skipped(self, event: JobEvent) -> None:
        """A planned collection that APScheduler did not start becomes a skipped run with why."""
        source_name = event.job_id.removeprefix("collect:")
        source = next((s for s in self.config.sources if s.name == source_name), None)
        if not event.job_id.startswith("collect:") or source is None:
            return
        planned = getattr(event, "scheduled_run_time", None) or min(
            getattr(event, "scheduled_run_times", None) or [datetime.now(UTC)]
        )
        if event.code == EVENT_JOB_MAX_INSTANCES:
            why = "the run before it was still going"
        else:
            why = f"it could not start within the grace time ({self.config.scheduler.misfire_grace_seconds} s)"
        try:
            self.catalogue.record_skipped_run(
                source.name,
                source.type,
                f"run planned for {planned:%Y-%m-%d %H:%M:%S} UTC skipped: {why}",
            )
        except ArchiverenError as exc:
            log.error("source %s: a skipped run could not be recorded: %s", source.name, exc)

    def _record_failed_run(self, source: SourceConfig, exc: Exception) -> None:
        reason = (
            str(exc) if isinstance(exc, ArchiverenError) else f"{exc.__class__.__name__}: {exc}"
        )
        log.error(
            "source %s: the run failed before it could record itself: %s", source.name, reason
        )
        log.debug("details of that failure", exc_info=exc)
        try:
            run_id = self.catalogue.start_run(source.name, source.type)
            self.catalogue.finish_run(run_id, "failed", {}, [reason])
        except ArchiverenError as catalogue_exc:
            log.error(
                "source %s: the failure could not be recorded either: %s",
                source.name,
                catalogue_exc,
            )

    def _notify_if_failing(self, source_name: str) -> None:
        try:
            failures = self.catalogue.consecutive_failures(source_name)
            notify = self.config.scheduler.notify
            if failures and failures % notify.after_failures == 0:
                notify_repeated_failure(
                    notify, source_name, failures, self.catalogue.runs(source_name, limit=1)
                )
        except ArchiverenError as exc:
            log.error("source %s: failure notice not sent: %s", source_name, exc)

    def run_index(self) -> None:
        """Index what the runs added; skipped quietly while another process holds the index.
        The index writer is let go after each run, so `archiveren index`, legal holds and
        destructions from other processes are never locked out by a scheduler that only waits."""
        with self._index_lock:
            try:
                report = index_new_records(self.ws)
                log.info("%s", report.summary())
            except AlreadyRunning as exc:
                log.info("indexing skipped this turn: %s", exc)
            except ArchiverenError as exc:
                log.error("indexing failed, will retry on the next turn: %s", exc)
            except Exception as exc:  # noqa: BLE001 - the next turn retries; the scheduler goes on
                log.error(
                    "indexing failed, will retry on the next turn: %s: %s",
                    exc.__class__.__name__,
                    exc,
                )
                log.debug("details of that failure", exc_info=exc)
            finally:
                self.ws.close_backend()

    def run_verify(self) -> None:
        try:
            known = {row.name: (row.sha256, row.size) for row in self.catalogue.warc_files()}
            report = verify_archive(self.ws.archive_dir, known_files=known)
            self.catalogue.record_fixity(report.problems)
        except Exception as exc:  # noqa: BLE001 - verify runs again on its next turn
            log.error("verify could not run: %s: %s", exc.__class__.__name__, exc)
            return
        if not report.ok:
            log.error(
                "verify found %d problems: %s", len(report.problems), "; ".join(report.problems[:5])
            )
        try:
            stamps = verify_timestamps(
                self.ws.archive_dir, self.config.evidence, config_dir=self.ws.config_path.parent
            )
        except ArchiverenError as exc:
            log.error("timestamps could not be checked: %s", exc)
            return
        if not stamps.ok:
            log.error(
                "verify found %d timestamp problems: %s",
                len(stamps.problems),
                "; ".join(stamps.problems[:5]),
            )

    def run_stamp(self) -> None:
        """Timestamp the files closed since the last pass; an authority that is down is tried
        again on the next pass (stamp_archive logs each failure as a warning)."""
        try:
            report = stamp_archive(
                self.ws.archive_dir, self.config.evidence, config_dir=self.ws.config_path.parent
            )
        except Exception as exc:  # noqa: BLE001 - the next pass retries; collection goes on
            log.error("timestamping could not run: %s: %s", exc.__class__.__name__, exc)
            return
        if report.stamped or report.failures:
            log.info("timestamps: %s", report.summary())
        self.run_offload()

    def run_offload(self) -> None:
        """Move the WARC files closed (and stamped) so far to the bucket when the config keeps
        them there; a bucket that does not answer is tried again after the next run."""
        try:
            offload_pass(self.config, self.ws.archive_dir)
        except Exception as exc:  # noqa: BLE001 - the files stay local; the next pass retries
            log.error("uploading WARC files could not run: %s: %s", exc.__class__.__name__, exc)

    def tick(self) -> None:
        """The main loop's once-a-second look: a changed config file, WARC files due to close."""
        self.watch_config()
        self.writers.roll_over_due()

    def watch_config(self) -> None:
        mtime = self._mtime()
        if mtime != self._config_mtime:
            self._config_mtime = mtime
            self.reload()

    def shutdown(self) -> None:
        self.stop_event.set()
        self.scheduler.shutdown(wait=True)
        self.writers.close_all()
        log.info(
            "scheduler stopped; running collectors finished their current record and every "
            "open WARC file is closed"
        )

    def _mtime(self) -> float:
        try:
            return self.ws.config_path.stat().st_mtime
        except OSError:
            return 0.0

    def _recover_open_warcs(self) -> None:
        try:
            self.ws.archive_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ArchiveError(
                f"cannot use the archive directory {self.ws.archive_dir}: {exc.strerror}"
            ) from None
        for outcome in recover_open_files(self.ws.archive_dir):
            log.warning("recovered an unfinished WARC from an earlier stop: %s", outcome)


def run_scheduler(ws: Workspace) -> int:
    stop_event = threading.Event()
    signals = {"count": 0}

    def on_stop(signum: int, _frame: Any) -> None:
        signals["count"] += 1
        if signals["count"] > 1:
            log.warning("second signal: stopping at once")
            os._exit(130)
        log.info(
            "signal %s: finishing running collectors, then stopping", signal.Signals(signum).name
        )
        stop_event.set()

    signal.signal(signal.SIGTERM, on_stop)
    signal.signal(signal.SIGINT, on_stop)
    settings = ws.config().scheduler
    with claimed_shard(ws.catalogue(), settings.shard, settings.lock_stale_seconds):
        daemon = SchedulerDaemon(ws, stop_event)
        signal.signal(signal.SIGHUP, lambda *_: daemon.reload())
        daemon.start()
        print(
            json.dumps(
                {
                    "scheduler": "started",
                    "holder": daemon.holder,
                    "shard": settings.shard,
                    "jobs": sorted(job.id for job in daemon.scheduler.get_jobs()),
                }
            ),
            flush=True,
        )
        while not stop_event.wait(1.0):
            daemon.tick()
        daemon.shutdown()
    return 0
