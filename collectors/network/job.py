"""What the parent hands a crawl child and what the child hands back, as JSON files.

A ``CrawlJob`` is everything a crawl needs from archiveren's config and the source's saved
state, in plain values, so the child process needs no config file and no catalogue. A
``CrawlOutcome`` carries back the counts, readable errors, the pages the site profile could
not read (with the reason, per URL), the validators (ETag,
Last-Modified, the links and the keys of the comments it showed) of every page it saw, the
comments each thread was last known to show (``ThreadComments``, to find one missing next
time), and the WARC files it closed, which the parent registers in the catalogue.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from foundation.errors import CaptureError

CATALOGUE_URL_ENV = "ARCHIVEREN_CRAWL_CATALOGUE_URL"
"""Where the crawl child registers the WARC files it closes: passed in its environment, not in
the job file, since a database URL may carry a password."""


@dataclass
class PageValidators:
    """What a re-crawl needs about a page it saw: validators for a conditional request, and the
    links it had, to follow when the server answers 304 Not Modified."""

    etag: str | None = None
    last_modified: str | None = None
    links: list[str] = field(default_factory=list)
    problem: str = ""
    """Why the site profile could not read the page ('' if it could): an unchanged page keeps
    its problem, so every run that archives it says so, not only the first."""
    profile_digest: str = ""
    """The profile that found the problem; a page with a problem is fetched whole again (no
    conditional request) once the profile has changed, to see whether it now reads it."""
    comments: list[str] | None = None
    """The keys (``platforms.comment_keys``) of the comments the page showed when it was last
    fetched whole and read by the site profile; they still count when it answers 304. None: not
    read so (a profile mismatch, a page cut off, a state from before), so it is fetched whole."""


@dataclass
class ThreadComments:
    """The comments a thread (every comment page of one page key) was last known to show: each
    comment key with the URL of the page that showed it, and the profile that read them."""

    comments: dict[str, str] = field(default_factory=dict)
    profile_digest: str = ""


@dataclass
class CrawlJob:
    source: str
    start_urls: list[str]
    allow: list[str]
    deny: list[str]
    max_depth: int
    max_pages: int
    profile: str
    platform: str
    obey_robots: bool
    delay_seconds: float
    concurrency_per_host: int
    timeout_seconds: float
    max_response_bytes: int
    retries: int
    user_agent: str
    archive_dir: str
    archive_prefix: str
    rollover_bytes: int
    operator: str
    collector_version: str
    run_id: int | None = None
    contact: str = ""
    page_assets: bool = False
    page_assets_max_files: int = 50
    page_assets_max_bytes: int = 20_000_000
    pages: dict[str, PageValidators] = field(default_factory=dict)
    threads: dict[str, ThreadComments] = field(default_factory=dict)

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self)), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> CrawlJob:
        raw = json.loads(path.read_text(encoding="utf-8"))
        raw["pages"] = {url: PageValidators(**v) for url, v in raw.get("pages", {}).items()}
        raw["threads"] = {k: ThreadComments(**v) for k, v in raw.get("threads", {}).items()}
        return cls(**raw)


@dataclass
class ClosedFile:
    name: str
    path: str
    size: int
    sha256: str
    records: int


@dataclass
class CrawlOutcome:
    counts: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    pages: dict[str, PageValidators] = field(default_factory=dict)
    closed_files: list[ClosedFile] = field(default_factory=list)
    stopped: bool = False
    extraction_problems: list[str] = field(default_factory=list)
    """'URL: why' for each captured page the site profile could not read (first 50)."""
    threads: dict[str, ThreadComments] = field(default_factory=dict)
    """The comments of each thread this crawl saw, as they are to be known from now on."""

    def save(self, path: Path) -> None:
        data = asdict(self)
        data["counts"] = dict(self.counts)
        path.write_text(json.dumps(data), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> CrawlOutcome:
        try:
            raw: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CaptureError(
                f"the crawl process left no readable outcome in {path} ({exc}); its log lines above say why"
            ) from None
        return cls(
            counts=Counter(raw.get("counts", {})),
            errors=list(raw.get("errors", [])),
            pages={url: PageValidators(**v) for url, v in raw.get("pages", {}).items()},
            closed_files=[ClosedFile(**f) for f in raw.get("closed_files", [])],
            stopped=bool(raw.get("stopped", False)),
            extraction_problems=list(raw.get("extraction_problems", [])),
            threads={k: ThreadComments(**v) for k, v in raw.get("threads", {}).items()},
        )
