"""The network-site collector: crawls one site (Ning-style community, wiki, Pleio) with Scrapy.

``NetworkCollector.run`` turns the source and archiveren's settings into a ``CrawlJob``, runs
the crawl in a child process (``collectors.network.crawl``; Twisted's reactor cannot restart,
so a fresh process makes any number of runs in one archiveren process work), forwards the
child's log lines, and folds the child's ``CrawlOutcome`` into the run's report: counts
(including ``profile_mismatch``), errors, the pages its site profile could not read (which
make the run partial, each named with its reason), the pages' validators for the next, conditional
re-crawl and the comments each thread showed (both kept in the source's state, so the next crawl
can tell a comment that went missing: ``collectors.network.comments``), and the WARC files it closed, registered in the
catalogue through the run's writer. The run's stop event ends the child gracefully.
"""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import subprocess
import sys
import tempfile
import threading
from dataclasses import asdict
from pathlib import Path
from typing import IO, Any

from archive import ClosedWarc
from catalogue.store import default_database_url
from collectors.base import Collector, RunReport
from collectors.http import StopRequested, user_agent
from collectors.network.job import (
    CATALOGUE_URL_ENV,
    CrawlJob,
    CrawlOutcome,
    PageValidators,
    ThreadComments,
)
from foundation.errors import CaptureError
from platforms.profile import load_profile

STOP_GRACE_SECONDS = 30.0
"""How long a stopped crawl may take to finish its requests in flight before it is killed."""


class NetworkCollector(Collector):
    source_type = "network"
    platform = "network"

    def run(self) -> RunReport:
        profile = load_profile(self.source.profile)
        with tempfile.TemporaryDirectory(prefix="archiveren-crawl-") as scratch:
            job_path, outcome_path = Path(scratch) / "job.json", Path(scratch) / "outcome.json"
            self._job(profile.platform).save(job_path)
            returncode = self._run_child(job_path, outcome_path)
            if self.context.stop.is_set() and not outcome_path.exists():
                # a stop that came while the child was still starting ends it before it can say so
                raise StopRequested(f"the crawl of {self.source.name} was stopped before it began")
            outcome = CrawlOutcome.load(outcome_path)
        # the SIGTERM a stop sends can land before Scrapy listens for it or after the child is
        # done: a child it killed was stopped, not failed
        stopped_by_us = self.context.stop.is_set() and returncode == -signal.SIGTERM
        if returncode != 0 and not stopped_by_us:
            self.report.error(
                f"the crawl process for {self.source.name} exited with status {returncode}"
            )
        self._absorb(outcome)
        return self.report

    def _job(self, platform: str) -> CrawlJob:
        config, source = self.context.config, self.source
        archive_dir = Path(self.context.writer.directory)
        return CrawlJob(
            source=source.name,
            start_urls=list(source.start_urls),
            allow=list(source.allow),
            deny=list(source.deny),
            # a source whose start URL names one page stays on it unless told to crawl
            max_depth=source.max_depth if source.crawls_site else 0,
            max_pages=source.max_pages,
            profile=source.profile,
            platform=platform,
            obey_robots=source.obey_robots,
            delay_seconds=source.delay_seconds
            if source.delay_seconds is not None
            else config.http.delay_seconds,
            concurrency_per_host=config.http.concurrency_per_host,
            timeout_seconds=config.http.timeout_seconds,
            max_response_bytes=config.http.max_response_bytes,
            retries=config.http.retries,
            user_agent=user_agent(config.http.contact),
            archive_dir=str(archive_dir),
            archive_prefix=config.archive.prefix,
            rollover_bytes=config.archive.rollover_bytes,
            operator=config.archive.operator,
            contact=config.http.contact,
            collector_version=self.version,
            run_id=self.context.run_id,
            pages=_pages_from_state(self.context.state),
            threads=_threads_from_state(self.context.state),
            page_assets=source.capture_page_assets,
            page_assets_max_files=source.page_assets_max_files,
            page_assets_max_bytes=source.page_assets_max_bytes,
        )

    def _run_child(self, job_path: Path, outcome_path: Path) -> int:
        command = [
            sys.executable,
            "-m",
            "collectors.network.crawl",
            str(job_path),
            str(outcome_path),
        ]
        config = self.context.config
        catalogue_url = config.database_url or default_database_url(
            Path(self.context.writer.directory).parent
        )
        child = subprocess.Popen(
            command,
            env={**os.environ, CATALOGUE_URL_ENV: catalogue_url},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            preexec_fn=_end_with_parent,
        )
        assert child.stderr is not None
        reader = threading.Thread(target=_forward_log, args=(child.stderr, self.log), daemon=True)
        reader.start()
        stop_sent = False
        while True:
            try:
                returncode = child.wait(timeout=0.2)
                break
            except subprocess.TimeoutExpired:
                if self.context.stop.is_set() and not stop_sent:
                    self.log.info(
                        "stop requested: ending the crawl of %s after its requests in flight",
                        self.source.name,
                    )
                    child.terminate()
                    stop_sent = True
                    threading.Timer(STOP_GRACE_SECONDS, _kill_if_running, args=(child,)).start()
        reader.join(timeout=5)
        return returncode

    def _absorb(self, outcome: CrawlOutcome) -> None:
        self.report.counts.update(outcome.counts)
        self.report.errors.extend(outcome.errors)
        for problem in outcome.extraction_problems:
            self.report.lost_data(problem)
        unnamed = outcome.counts.get("profile_mismatch", 0) - len(outcome.extraction_problems)
        if unnamed > 0:
            self.report.lost_data(f"and {unnamed} more pages that do not match the site profile")
        pages = self.context.state.setdefault("pages", {})
        pages.update({url: asdict(v) for url, v in outcome.pages.items()})
        threads = self.context.state.setdefault("comment_threads", {})
        threads.update({key: asdict(t) for key, t in outcome.threads.items()})
        on_file_closed = getattr(self.context.writer, "on_file_closed", None)
        for closed in outcome.closed_files:
            if on_file_closed is not None:
                on_file_closed(
                    ClosedWarc(
                        path=Path(closed.path),
                        name=closed.name,
                        size=closed.size,
                        sha256=closed.sha256,
                        records=closed.records,
                    )
                )
        if outcome.stopped:
            self.report.outcome = "partial"
            self.report.errors.append(
                f"the crawl of {self.source.name} was stopped before it finished"
            )
        if not outcome.counts.get("requests") and not self.report.errors:
            raise CaptureError(
                f"source {self.source.name!r}: the crawl made no request; check start_urls {self.source.start_urls} and robots.txt"
            )


def _pages_from_state(state: dict[str, Any]) -> dict[str, PageValidators]:
    pages = state.get("pages") or {}
    result = {}
    for url, value in pages.items():
        if isinstance(value, dict):
            result[url] = PageValidators(
                etag=value.get("etag"),
                last_modified=value.get("last_modified"),
                links=list(value.get("links") or []),
                problem=str(value.get("problem") or ""),
                profile_digest=str(value.get("profile_digest") or ""),
                comments=_strings(value.get("comments")),
            )
    return result


def _threads_from_state(state: dict[str, Any]) -> dict[str, ThreadComments]:
    threads = state.get("comment_threads") or {}
    result = {}
    for key, value in threads.items():
        if isinstance(value, dict) and isinstance(value.get("comments"), dict):
            result[key] = ThreadComments(
                comments={str(k): str(u) for k, u in value["comments"].items()},
                profile_digest=str(value.get("profile_digest") or ""),
            )
    return result


def _strings(value: Any) -> list[str] | None:
    return [str(v) for v in value] if isinstance(value, list) else None


def _forward_log(stream: IO[bytes], log: logging.Logger) -> None:
    """Pass the child's log lines on: warnings and errors as such, Scrapy's chatter as debug."""
    for raw in stream:
        line = raw.decode("utf-8", "replace").rstrip()
        if not line:
            continue
        level_name = line.split(" ", 1)[0]
        level = {"ERROR": logging.ERROR, "CRITICAL": logging.ERROR, "WARNING": logging.WARNING}.get(
            level_name, logging.DEBUG
        )
        log.log(level, "crawl: %s", line)


def _end_with_parent() -> None:
    """In the crawl child, before exec: ask Linux to send SIGTERM when the parent dies, so a
    killed collect never leaves a crawl writing on its own (it closes its WARC on SIGTERM)."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _kill_if_running(child: subprocess.Popen[bytes]) -> None:
    if child.poll() is None:
        child.kill()
