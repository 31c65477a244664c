"""One crawl in its own process: ``python -m collectors.network.crawl JOB.json OUTCOME.json``.

Twisted's reactor cannot be started twice in one process, and a collect run or the scheduler
may crawl many times, so each crawl gets a fresh child process. The child opens its own
``WarcWriter`` on the archive directory (writers in several processes share it safely), maps
archiveren's politeness settings onto Scrapy's (robots.txt, download delay, AutoThrottle,
per-domain concurrency, timeout, size cap, retries), runs the ``SiteSpider`` to its end, archives
the comments its threads no longer show (``collectors.network.comments``; before the writer
closes), and writes a ``CrawlOutcome`` for the parent. SIGTERM or SIGINT ends the crawl gracefully: requests
in flight finish and are archived, and the outcome says it was stopped.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from scrapy.crawler import CrawlerProcess

from archive import CaptureMetadata, WarcWriter
from collectors.network.comments import CAPTURE_KIND
from collectors.network.job import CATALOGUE_URL_ENV, ClosedFile, CrawlJob, CrawlOutcome
from collectors.network.recorder import RECORDER_PRIORITY, Recording
from collectors.network.spider import SiteSpider
from foundation.errors import ArchiverenError
from platforms.profile import load_profile

RETRY_STATUSES = [429, 500, 502, 503, 504]
log = logging.getLogger("archiveren.collectors.network")


def scrapy_settings(job: CrawlJob) -> dict[str, Any]:
    """Scrapy settings for ``job``: archiveren's politeness rules in Scrapy's own terms."""
    delay = job.delay_seconds
    return {
        "BOT_NAME": "archiveren",
        "USER_AGENT": job.user_agent,
        "ROBOTSTXT_OBEY": job.obey_robots,
        "DOWNLOAD_DELAY": delay,
        # the delay is a minimum between two requests to one host, as for the other collectors
        "DOWNLOAD_DELAY_JITTER": 0,
        "CONCURRENT_REQUESTS_PER_DOMAIN": job.concurrency_per_host,
        "AUTOTHROTTLE_ENABLED": True,
        "AUTOTHROTTLE_START_DELAY": delay,
        "AUTOTHROTTLE_MAX_DELAY": max(60.0, delay * 10),
        "AUTOTHROTTLE_TARGET_CONCURRENCY": float(job.concurrency_per_host),
        "DOWNLOAD_TIMEOUT": job.timeout_seconds,
        "DOWNLOAD_MAXSIZE": job.max_response_bytes,
        "DOWNLOAD_WARNSIZE": 0,
        # a connection lost mid-body still gives a response; the recorder marks it truncated
        "DOWNLOAD_FAIL_ON_DATALOSS": False,
        "RETRY_ENABLED": True,
        "RETRY_TIMES": job.retries,
        "RETRY_HTTP_CODES": RETRY_STATUSES,
        # no cookies: a session cookie would end up in archived request headers and would make
        # one crawl's view of the site depend on the last
        "COOKIES_ENABLED": False,
        "DEFAULT_REQUEST_HEADERS": {
            "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
            "Accept-Language": "nl,en;q=0.7",
        },
        "DOWNLOADER_MIDDLEWARES": {
            "collectors.network.recorder.WarcRecorderMiddleware": RECORDER_PRIORITY
        },
        # depth and page budget are the spider's own: a comment list's next page keeps its depth
        "SPIDER_MIDDLEWARES": {"scrapy.spidermiddlewares.depth.DepthMiddleware": None},
        "TELNETCONSOLE_ENABLED": False,
        "REMOTE_CONTROL_ENABLED": False,
        "HTTPCACHE_ENABLED": False,
        "LOG_LEVEL": "INFO",
        "LOG_FORMAT": "%(levelname)s %(name)s: %(message)s",
        "LOGSTATS_INTERVAL": 0,
    }


def run_crawl(job: CrawlJob, writer: WarcWriter, outcome: CrawlOutcome) -> None:
    """Crawl ``job``'s site into ``writer``; counts, errors and validators go into ``outcome``."""
    profile = load_profile(job.profile)

    def describe(request: Any, response: Any) -> CaptureMetadata:
        robots = response.url.split("?")[0].endswith("/robots.txt")
        asset = request.meta.get("page_asset")
        extra: dict[str, Any] = {"profile": job.profile, "depth": int(request.meta.get("depth", 0))}
        if asset:
            extra = {"page_url": request.meta.get("page_url", ""), "asset": asset}
        return CaptureMetadata(
            source=job.source,
            platform=job.platform,
            collector="network",
            collector_version=job.collector_version,
            capture_kind="robots" if robots else "page_asset" if asset else "page",
            run_id=job.run_id,
            extra=extra,
        )

    recording = Recording(writer=writer, describe=describe, counts=outcome.counts)
    process = CrawlerProcess(settings=scrapy_settings(job))
    crawler = process.create_crawler(SiteSpider)
    process.crawl(crawler, job=job, recording=recording, profile=profile, outcome=outcome)
    process.start()
    _finish_without_interruption()
    spider = crawler.spider
    # "shutdown" after one SIGTERM; never closed at all when a second one forced the reactor down
    outcome.stopped = isinstance(spider, SiteSpider) and spider.close_reason in ("", "shutdown")
    if isinstance(spider, SiteSpider):
        spider.record_missing_comments(
            writer,
            CaptureMetadata(
                source=job.source,
                platform=job.platform,
                collector="network",
                collector_version=job.collector_version,
                capture_kind=CAPTURE_KIND,
                run_id=job.run_id,
                extra={"profile": job.profile},
            ),
        )


def _finish_without_interruption() -> None:
    """The crawl is over; closing the WARC, registering it and writing the outcome take a
    moment and must not be cut short. Scrapy's handler would now do nothing useful, and at
    exit Python puts the default handler back, so a late SIGTERM would kill the child with
    its work done. The parent kills a lingering child anyway (``STOP_GRACE_SECONDS``)."""
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _catalogue_registration(job: CrawlJob) -> Callable[[Any], None]:
    """Register each file this child closes in the catalogue before the writer lets go of its
    flock, as every writer does: a run starting meanwhile must not take the file for one a dead
    run left behind. The parent registers the files again from the outcome (idempotent), so a
    catalogue this child cannot reach costs nothing but a log line."""
    url = os.environ.get(CATALOGUE_URL_ENV)
    if not url:
        return lambda warc: None
    from catalogue.store import Catalogue

    try:
        catalogue = Catalogue.open(Path(job.archive_dir).parent, url)
    except ArchiverenError as exc:
        log.warning(
            "the crawl of %s cannot reach the catalogue; its parent registers its files: %s",
            job.source,
            exc,
        )
        return lambda warc: None

    def register(warc: Any) -> None:
        try:
            catalogue.register_warc(warc.name, warc.size, warc.sha256, warc.records)
        except ArchiverenError as exc:
            log.warning(
                "%s not registered by the crawl; its parent registers it: %s", warc.name, exc
            )

    return register


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print("usage: python -m collectors.network.crawl JOB.json OUTCOME.json", file=sys.stderr)
        return 2
    job = CrawlJob.load(Path(argv[1]))
    outcome = CrawlOutcome()
    closed: list[Any] = []
    register = _catalogue_registration(job)

    def on_file_closed(warc: Any) -> None:
        closed.append(warc)
        register(warc)

    try:
        writer = WarcWriter(
            Path(job.archive_dir),
            prefix=job.archive_prefix,
            rollover_bytes=job.rollover_bytes,
            operator=job.operator,
            user_agent=job.user_agent,
            contact=job.contact,
            robots="obey" if job.obey_robots else "ignore",
            on_file_closed=on_file_closed,
        )
        with writer:
            run_crawl(job, writer, outcome)
    except Exception as exc:  # whatever went wrong, the parent must hear it through the outcome
        outcome.counts["errors"] += 1
        outcome.errors.append(f"crawl of {job.source} failed: {exc.__class__.__name__}: {exc}")
    finally:
        outcome.closed_files = [
            ClosedFile(
                name=c.name, path=str(c.path), size=c.size, sha256=c.sha256, records=c.records
            )
            for c in closed
        ]
        outcome.save(Path(argv[2]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
