"""The spider that walks one network site: from its start URLs, following links that the source's
``allow`` patterns admit (the start URLs' hosts when none are given) and its ``deny`` patterns do
not, to ``max_depth`` links deep and at most ``max_pages`` pages.

Re-crawls are conditional: each request carries the ETag and Last-Modified the page had last
time, and a 304 answer is followed through the links the page had then (kept in the source's
state), so an unchanged site costs a request per page and no payload. Each fetched HTML page is
also tried against the site profile, and what it loads to look as it does (stylesheets and the
files they name, images, scripts) is fetched as ``page_asset`` captures, each URL once a run; a
page no page type fits, or whose page type lost a required field, is counted as
``profile_mismatch`` and named with the reason in the outcome's ``extraction_problems``, so the
run is partial and says which pages the index will read only with the generic profile (a site
whose layout has moved on). An unchanged page keeps its problem
from run to run; once the profile changes, it is fetched whole again to be checked anew.

A page the profile reads keeps the keys of the comments it shows with its validators (a page
whose comments were never read is fetched whole, not conditionally), and the ``CommentLedger``
(``collectors.network.comments``) hears how every page fared: whole, unchanged (its keys from
last time), or failed (an error answer, a timeout, a redirect, a page cut off or not read).
``record_missing_comments``, once the crawl is over, archives the comments a thread recaptured
whole no longer shows as ``comments_missing`` evidence.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urldefrag, urlsplit

from scrapy import Request, Spider
from scrapy.http import HtmlResponse, Response, TextResponse
from scrapy.linkextractors import LinkExtractor
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from archive import CaptureMetadata, WarcWriter
from collectors.network.comments import CommentLedger, record_missing
from collectors.network.job import CrawlJob, CrawlOutcome, PageValidators
from collectors.network.recorder import CAPTURE_META, Recording
from collectors.page_assets import MAX_IMPORT_DEPTH
from foundation.css_urls import css_urls
from foundation.page_resources import Resource, page_resources, resource_kind
from foundation.pointer import RecordPointer
from platforms.comment_keys import shown_comments
from platforms.profile import SiteProfile
from platforms.rules import ReadPage, match_page, parse_html
from platforms.url_rules import page_key

MAX_ERRORS_KEPT = 50


class SiteSpider(Spider):
    name = "archiveren-network"
    handle_httpstatus_list = [304]

    def __init__(
        self,
        job: CrawlJob,
        recording: Recording,
        profile: SiteProfile,
        outcome: CrawlOutcome,
        **kwargs: Any,
    ) -> None:
        super().__init__(name=f"network-{job.source}", **kwargs)
        self.job = job
        self.recording = recording
        self.profile = profile
        self.outcome = outcome
        self.counts = recording.counts
        hosts = {urlsplit(url).netloc.lower() for url in job.start_urls}
        self._allow = [re.compile(p) for p in job.allow] or [
            re.compile(r"^https?://" + re.escape(h) + r"(?:[/?#]|$)", re.I) for h in hosts
        ]
        self._deny = [re.compile(p) for p in job.deny]
        self._links = LinkExtractor(canonicalize=False, unique=True)
        self._seen: set[str] = set()
        self._assets: set[str] = set()
        self._profile_digest = hashlib.sha256(profile.model_dump_json().encode()).hexdigest()[:16]
        self.close_reason = ""
        # the generic profile reads no comments, so there are none to miss
        self.comments = (
            None if profile.generic else CommentLedger(profile, job.threads, self._profile_digest)
        )

    async def start(self) -> AsyncIterator[Request]:
        for url in self.job.start_urls:
            request = self._request(url, depth=0)
            if request is not None:
                yield request

    def parse(self, response: Response) -> Iterator[Request]:
        depth = int(response.meta.get("depth", 0))
        self._seen.add(_without_fragment(response.url))
        for hop in response.meta.get("redirect_urls") or []:
            # a page that sends elsewhere (a login wall, a moved thread) shows none of its comments
            self._comments_failed(str(hop))
        capture = response.meta.get(CAPTURE_META)
        if response.status == 304:
            known = self.job.pages.get(response.url) or self.job.pages.get(
                response.request.url if response.request else ""
            )
            validators = known or PageValidators()
            if validators.problem:
                self._report_problem(validators.problem)
            if validators.comments is not None and not validators.problem:
                self._comments_shown(response.url, validators, 304, capture)
            else:
                self._comments_failed(response.url)
        else:
            links = self._allowed_links(response) if isinstance(response, TextResponse) else []
            validators = PageValidators(
                etag=_header(response, "ETag"),
                last_modified=_header(response, "Last-Modified"),
                links=links,
            )
            read: ReadPage | None = None
            if isinstance(response, HtmlResponse) and response.status == 200:
                validators.problem, read = self._check_profile(response)
                validators.profile_digest = self._profile_digest if validators.problem else ""
                yield from self._page_assets(response, depth)
            if read is not None and not validators.problem and "dataloss" not in response.flags:
                validators.comments = [key for key, _ in shown_comments(read.comments)]
                self._comments_shown(response.url, validators, 200, capture)
            else:
                self._comments_failed(response.url)
        self.outcome.pages[response.url] = validators
        self.counts["pages"] += 1
        here = page_key(response.url, self.profile)
        for link in validators.links:
            # the next page of a comment list is the same page continued, not a level deeper
            link_depth = depth if page_key(link, self.profile) == here else depth + 1
            if link_depth > self.job.max_depth:
                continue
            request = self._request(link, depth=link_depth)
            if request is not None:
                yield request

    def _page_assets(self, page: HtmlResponse, depth: int) -> Iterator[Request]:
        """Requests for what a page fetched whole loads (stylesheets first), each URL once a
        run, at most ``page_assets_max_files`` a page; more are counted as skipped."""
        if not self.job.page_assets:
            return
        wanted = [r for r in page_resources(page.body, page.url) if r.url not in self._assets]
        for resource in wanted[self.job.page_assets_max_files :]:
            self.counts["page_assets_skipped"] += 1
            self.logger.info("%s: %s not archived: page_assets_max_files", page.url, resource.url)
        for resource in wanted[: self.job.page_assets_max_files]:
            yield self._asset_request(resource, page.url, depth, 0)

    def _asset_request(self, resource: Resource, page_url: str, depth: int, level: int) -> Request:
        self._assets.add(resource.url)
        return Request(
            resource.url,
            callback=self.asset,
            errback=self.asset_failed,
            meta={
                "depth": depth,
                "page_asset": resource.what,
                "page_url": page_url,
                "asset_level": level,
                "download_maxsize": self.job.page_assets_max_bytes,
            },
            priority=1 - depth,
            dont_filter=True,
        )

    def asset(self, response: Response) -> Iterator[Request]:
        """An archived page asset; a stylesheet's own references are asked for in turn."""
        self.counts["page_assets"] += 1
        meta = response.meta
        if meta.get("page_asset") != "stylesheet" or not isinstance(response, TextResponse):
            return
        if int(meta.get("asset_level", 0)) >= MAX_IMPORT_DEPTH:
            return
        for url in css_urls(response.text, response.url):
            if url not in self._assets:
                yield self._asset_request(
                    Resource(url, resource_kind(url)),
                    str(meta.get("page_url", "")),
                    int(meta.get("depth", 0)),
                    int(meta.get("asset_level", 0)) + 1,
                )

    def asset_failed(self, failure: Failure) -> None:
        request = getattr(failure, "request", None)
        url = request.url if request is not None else "?"
        page = request.meta.get("page_url", "?") if request is not None else "?"
        message = str(failure.value)
        if "robots.txt" in message:
            self.counts["page_assets_skipped_robots"] += 1
            return
        if isinstance(failure.value, HttpError):
            message = f"HTTP {failure.value.response.status}"
        self.counts["page_assets_failed"] += 1
        self.counts["errors"] += 1
        if len(self.outcome.errors) < MAX_ERRORS_KEPT:
            self.outcome.errors.append(f"page asset {url} (on {page}): {message}")

    def failed(self, failure: Failure) -> None:
        request = getattr(failure, "request", None)
        url = request.url if request is not None else "?"
        if request is not None:
            self._comments_failed(url)
        if isinstance(failure.value, HttpError):
            response = failure.value.response
            self.counts["http_errors"] += 1
            self.logger.info("HTTP %s for %s", response.status, url)
            return
        message = str(failure.value)
        if "robots.txt" in message:
            self.counts["skipped_robots"] += 1
            return
        self.counts["errors"] += 1
        if len(self.outcome.errors) < MAX_ERRORS_KEPT:
            self.outcome.errors.append(
                f"{url}: {failure.type.__name__ if failure.type else 'error'}: {message}"
            )

    def closed(self, reason: str) -> None:
        self.close_reason = reason

    def _comments_shown(
        self, url: str, validators: PageValidators, status: int, capture: Any
    ) -> None:
        if self.comments is not None:
            self.comments.shown(
                _without_fragment(url),
                validators.comments or [],
                validators.links,
                status=status,
                capture=capture if isinstance(capture, RecordPointer) else None,
            )

    def _comments_failed(self, url: str) -> None:
        if self.comments is not None:
            self.comments.failed(_without_fragment(url))

    def record_missing_comments(self, writer: WarcWriter, metadata: CaptureMetadata) -> None:
        """Once the crawl is over: archive the comments each thread recaptured whole no longer
        shows (only when the crawl ran to its end), and hand on what every thread shows now."""
        if self.comments is None:
            return
        found, known = self.comments.decide(complete=self.close_reason == "finished")
        self.outcome.threads.update(known)
        for thread in found:
            self.logger.info(
                "%s: %d comment(s) no longer shown: %s",
                thread.url,
                len(thread.missing),
                ", ".join(sorted(thread.missing)),
            )
        record_missing(writer, found, metadata, self.counts)

    def _request(self, url: str, *, depth: int) -> Request | None:
        url = _without_fragment(url)
        if url in self._seen or len(self._seen) >= self.job.max_pages:
            return None
        self._seen.add(url)
        headers = {}
        known = self.job.pages.get(url)
        if known is not None and self._conditional(known):
            if known.etag:
                headers["If-None-Match"] = known.etag
            if known.last_modified:
                headers["If-Modified-Since"] = known.last_modified
        # breadth first (Scrapy runs higher priorities first), so that a page is reached by its
        # shortest path and the depth limit cuts where it should
        return Request(
            url,
            headers=headers,
            callback=self.parse,
            errback=self.failed,
            meta={"depth": depth},
            priority=-depth,
            dont_filter=True,
        )

    def _conditional(self, known: PageValidators) -> bool:
        """Whether to ask for ``known`` page only if changed: not when the profile that found
        its problem has changed, nor when its comments were never read (to learn them)."""
        if known.problem:
            return known.profile_digest == self._profile_digest
        return known.comments is not None or self.comments is None

    def _allowed_links(self, response: TextResponse) -> list[str]:
        links = []
        for link in self._links.extract_links(response):
            url = _without_fragment(link.url)
            if any(p.search(url) for p in self._allow) and not any(
                p.search(url) for p in self._deny
            ):
                links.append(url)
        return list(dict.fromkeys(links))

    def _check_profile(self, response: HtmlResponse) -> tuple[str, ReadPage | None]:
        """Why the site profile cannot read this page, reported ('' when it can), and what it
        read (None for the generic profile, which is not tried here)."""
        if self.profile.generic:
            return "", None
        page = parse_html(response.text)
        match = match_page(self.profile, page, response.url, datetime.now(UTC))
        if match.read is not None:
            return "", match.read
        if match.near:
            why = f"page type {match.near!r} found no {' and no '.join(match.missing)}"
        else:
            why = "no page type fits its address and markup"
        problem = (
            f"{response.url}: does not match site profile {self.profile.name!r} ({why});"
            " the index reads it with the generic profile, without its author and comments"
        )
        self._report_problem(problem)
        return problem, None

    def _report_problem(self, problem: str) -> None:
        self.counts["profile_mismatch"] += 1
        self.logger.warning("%s", problem)
        if len(self.outcome.extraction_problems) < MAX_ERRORS_KEPT:
            self.outcome.extraction_problems.append(problem)


def _without_fragment(url: str) -> str:
    return urldefrag(url)[0]


def _header(response: Response, name: str) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None
