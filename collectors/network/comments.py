"""Comments that went missing from a network-site thread, noticed by the crawl that shows it.

A thread is every comment page of one page (``platforms.url_rules.page_key``: a long comment
list is paged). The ``CommentLedger`` hears how each page of a thread fared in this crawl:
fetched whole (HTTP 200 HTML, not cut off, read by the site profile) with the keys of the
comments it shows (``platforms.comment_keys``), unchanged (a 304, whose keys from last time still
count), or failed (a timeout, a 5xx or 429, a connection error, a page cut off, a redirect such as
a login wall, a page the profile could not read). At the end of the crawl it decides per
thread: when none of the thread's pages failed and every comment page they link to was fetched
in this crawl, a comment the thread showed before (``ThreadComments``, kept in the source's
state) and shows on none of its pages now is missing. Anything less decides nothing, and keeps
what the thread showed before, so the next complete crawl decides instead; a thread read by
another profile than last time is only learnt anew.

Each thread with missing comments becomes a ``comments_missing`` capture: a ``resource`` record
(``urn:archiveren:comments-missing:<page key>``, JSON, ``EVIDENCE_TYPE``) and its metadata
record, written through the crawl's writer, from which the indexer makes the tombstones::

    {"thread": "<page key>", "url": "<the thread's first page URL>", "decided_at": "<ISO>",
     "pages": [{"url": ..., "status": 200 or 304, "capture": <RecordPointer>}, ...],
     "missing": [{"key": "<comment key>", "last_shown_on": "<URL>",
                  "evidence": <RecordPointer of the page capture that no longer shows it>}]}
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from archive import CaptureMetadata, WarcWriter
from collectors.network.job import ThreadComments
from foundation.pointer import RecordPointer
from platforms.profile import SiteProfile
from platforms.url_rules import comment_page_number, page_key

CAPTURE_KIND = "comments_missing"
EVIDENCE_TYPE = "application/vnd.archiveren.comments-missing+json"
EVIDENCE_URN = "urn:archiveren:comments-missing:"


@dataclass
class PageSeen:
    """One page of a thread in this crawl: the keys it shows (None: it failed), its status,
    the capture that archived it and the comment pages of the same thread it links to."""

    url: str
    keys: list[str] | None
    status: int = 0
    capture: RecordPointer | None = None
    thread_links: list[str] = field(default_factory=list)


@dataclass
class MissingComments:
    """The comments a thread no longer shows, decided by this crawl."""

    thread: str
    url: str
    missing: dict[str, str]
    """comment key -> the URL of the page that showed it last"""
    pages: list[PageSeen]


class CommentLedger:
    """What the pages of each thread showed in this crawl, against what they showed before."""

    def __init__(
        self, profile: SiteProfile, before: dict[str, ThreadComments], profile_digest: str
    ) -> None:
        self.profile = profile
        self.before = before
        self.profile_digest = profile_digest
        self.threads: dict[str, dict[str, PageSeen]] = {}

    def thread_of(self, url: str) -> str:
        return page_key(url, self.profile)

    def shown(
        self,
        url: str,
        keys: list[str],
        links: list[str],
        *,
        status: int,
        capture: RecordPointer | None,
    ) -> None:
        """``url`` came back whole (200) or unchanged (304) showing the comments ``keys``."""
        thread = self.thread_of(url)
        same = [link for link in links if self.thread_of(link) == thread]
        self._put(thread, PageSeen(url, list(keys), status, capture, same))

    def failed(self, url: str) -> None:
        """``url`` did not come back whole: its thread cannot be decided in this crawl."""
        self._put(self.thread_of(url), PageSeen(url, None))

    def _put(self, thread: str, page: PageSeen) -> None:
        pages = self.threads.setdefault(thread, {})
        earlier = pages.get(page.url)
        if earlier is not None and earlier.keys is None:
            return  # a failure of a URL stands, whatever else answered for it
        pages[page.url] = page

    def decide(self, complete: bool) -> tuple[list[MissingComments], dict[str, ThreadComments]]:
        """The threads with missing comments, and what every thread seen is known to show now.
        ``complete`` False (a crawl stopped before its end) decides nothing."""
        found: list[MissingComments] = []
        known: dict[str, ThreadComments] = {}
        for thread, pages in self.threads.items():
            before = self.before.get(thread)
            now: dict[str, str] = {}
            for page in sorted(pages.values(), key=lambda p: p.url):
                for key in page.keys or []:
                    now.setdefault(key, page.url)
            decidable = complete and self._whole(pages)
            if before is not None and not decidable:
                # nothing decided: forget nothing, learn what is new
                kept = ThreadComments({**before.comments, **now}, before.profile_digest)
                known[thread] = kept
                continue
            if not decidable:
                if now:
                    known[thread] = ThreadComments(now, self.profile_digest)
                continue
            if before is not None and before.profile_digest == self.profile_digest:
                missing = {k: u for k, u in before.comments.items() if k not in now}
                if missing:
                    found.append(
                        MissingComments(
                            thread,
                            self._first(pages),
                            missing,
                            [p for p in pages.values() if p.keys is not None],
                        )
                    )
            if now or before is not None:
                known[thread] = ThreadComments(now, self.profile_digest)
        return found, known

    @staticmethod
    def _whole(pages: dict[str, PageSeen]) -> bool:
        """Every page answered whole or unchanged, and every comment page they link to with it."""
        if any(page.keys is None for page in pages.values()):
            return False
        return all(link in pages for page in pages.values() for link in page.thread_links)

    def _first(self, pages: dict[str, PageSeen]) -> str:
        return min(pages, key=lambda url: (comment_page_number(url, self.profile), len(url), url))


def evidence_of(found: MissingComments, decided_at: datetime) -> dict[str, Any]:
    """The JSON the indexer reads: the thread, its pages' captures, and per missing comment the
    capture of the page that no longer shows it (the page that showed it last, recaptured; else
    the thread's first page; else none, and the record itself is the evidence)."""
    whole = {p.url: p for p in found.pages if p.status == 200 and p.capture is not None}
    first = whole.get(found.url) or next(iter(sorted(whole.values(), key=lambda p: p.url)), None)
    missing = []
    for key, url in sorted(found.missing.items()):
        page = whole.get(url) or first
        missing.append(
            {
                "key": key,
                "last_shown_on": url,
                "evidence": page.capture.model_dump() if page and page.capture else None,
            }
        )
    return {
        "thread": found.thread,
        "url": found.url,
        "decided_at": decided_at.isoformat(),
        "pages": [
            {
                "url": p.url,
                "status": p.status,
                "capture": p.capture.model_dump() if p.capture else None,
            }
            for p in sorted(found.pages, key=lambda p: p.url)
        ],
        "missing": missing,
    }


def record_missing(
    writer: WarcWriter,
    found: list[MissingComments],
    metadata: CaptureMetadata,
    counts: Counter[str],
) -> None:
    """Write one ``comments_missing`` capture per thread in ``found``; count the comments."""
    for thread in found:
        evidence = evidence_of(thread, datetime.now(UTC))
        writer.write_resource(
            EVIDENCE_URN + thread.thread,
            EVIDENCE_TYPE,
            json.dumps(evidence, ensure_ascii=False, sort_keys=True).encode("utf-8"),
            replace(metadata, extra={**metadata.extra, "thread": thread.thread, "url": thread.url}),
        )
        counts["comments_missing"] += len(thread.missing)
