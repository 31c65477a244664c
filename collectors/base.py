"""The contract every collector keeps, and what the runner hands it.

A collector is configured from its source (one entry of the sources file) and a
``CollectContext`` (the shared fetcher and writer, the source's saved state, the run id, a
logger and the stop event). ``run()`` collects once and returns a ``RunReport``: an outcome
("ok", "partial", "failed", "skipped"), counts and readable errors. Collectors never touch the
catalogue or the index; they fetch through ``self.fetch`` so politeness, robots.txt, retries
and WARC recording happen in one place, and they keep what the next run needs in
``context.state`` (saved by the runner; never secrets).
"""

from __future__ import annotations

import logging
import threading
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from archive import WarcWriter
from collectors.http import Fetcher, FetchResult, SourceProfile
from config.models import ArchiverenConfig
from foundation import __version__
from foundation.scrub import scrub_text

OUTCOMES = ("ok", "partial", "failed", "skipped")


@dataclass
class RunReport:
    """What one run of one source did. Counts include at least: requests, bytes, captures,
    revisits, not_modified, errors, skipped_robots (collectors add their own)."""

    source: str
    outcome: str = "ok"
    counts: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)

    def error(self, message: str) -> None:
        """Record an error; configured secrets in it (a server may echo a token) are scrubbed,
        since errors are printed, logged and stored in the catalogue."""
        self.counts["errors"] += 1
        self.errors.append(scrub_text(message))

    def lost_data(self, problem: str) -> None:
        """Record a page that was captured whole but will not be read whole (its site profile
        did not fit): the run is partial, and ``problem`` says which page and why."""
        if self.outcome == "ok":
            self.outcome = "partial"
        self.errors.append(scrub_text(problem))

    def settle(self) -> RunReport:
        """Turn an "ok" with errors into "partial" (or "failed" when nothing was captured)."""
        if self.outcome == "ok" and self.errors:
            self.outcome = (
                "partial" if self.counts["captures"] or self.counts["not_modified"] else "failed"
            )
        return self


@dataclass
class CollectContext:
    config: ArchiverenConfig
    fetcher: Fetcher
    writer: WarcWriter
    state: dict[str, Any]
    """The source's saved state; the collector updates it in place and the runner saves it."""
    run_id: int | None
    log: logging.Logger
    stop: threading.Event = field(default_factory=threading.Event)


class Collector(ABC):
    """Base of all collectors. Subclasses set ``source_type``, ``platform`` and ``version``."""

    source_type: ClassVar[str]
    platform: ClassVar[str]
    version: ClassVar[str] = __version__

    def __init__(self, source: Any, context: CollectContext) -> None:
        self.source = source
        self.context = context
        self.log = context.log
        self.report = RunReport(source=source.name)
        self.profile = SourceProfile(
            source=source.name,
            platform=self.platform,
            collector=self.source_type,
            collector_version=self.version,
            run_id=context.run_id,
            obey_robots=getattr(source, "obey_robots", True),
            delay_seconds=getattr(source, "delay_seconds", None),
        )

    @abstractmethod
    def run(self) -> RunReport:
        """Collect once; return ``self.report`` with its outcome, counts and errors."""

    def fetch(
        self,
        url: str,
        *,
        kind: str,
        accept: str = "*/*",
        headers: Sequence[tuple[str, str]] = (),
        auth_headers: Sequence[tuple[str, str]] = (),
        conditional: tuple[str | None, str | None] | None = None,
        method: str = "GET",
        body: bytes = b"",
        extra: dict[str, Any] | None = None,
        want_body: bool = True,
        max_bytes: int | None = None,
    ) -> FetchResult:
        """Fetch through the shared fetcher as this source, and count what happened. ``method``
        and ``body`` send something other than a GET (a GraphQL API is POSTed its query);
        ``max_bytes`` cuts the body shorter than ``http.max_response_bytes``."""
        result = self.context.fetcher.fetch(
            url,
            profile=self.profile,
            kind=kind,
            accept=accept,
            headers=headers,
            auth_headers=auth_headers,
            conditional=conditional,
            method=method,
            body=body,
            extra=extra,
            want_body=want_body,
            max_bytes=max_bytes,
        )
        counts = self.report.counts
        counts["requests"] += result.attempts + len(result.redirects)
        counts["bytes"] += len(result.body)
        if result.not_modified:
            counts["not_modified"] += 1
        elif result.write_result is not None and result.write_result.revisit:
            counts["revisits"] += 1
        else:
            counts["captures"] += 1
        if result.truncated:
            counts["truncated"] += 1
        return result
