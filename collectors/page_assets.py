"""The files a captured page loads to look as it does (stylesheets, the images, fonts and
further stylesheets those name, images and scripts), archived beside the page so its replay is
faithful. Each file is fetched politely through the shared fetcher as its own response record
(``kind: page_asset``) whose metadata names the page that loaded it; a file fetched earlier in
the same run is not fetched again, and one whose bytes the source archived before becomes a
revisit (the writer deduplicates by digest). Each page may take at most ``max_files`` files and
``max_bytes`` bytes: a file beyond that is counted as skipped, one that fails as failed (and a
run error), one cut off at the byte limit as truncated; none is dropped without a count."""

from __future__ import annotations

from typing import TYPE_CHECKING

from collectors.http import FetchResult, RobotsDisallowed, StopRequested
from foundation.css_urls import css_urls
from foundation.errors import CaptureError
from foundation.page_resources import Resource, page_resources, resource_kind

if TYPE_CHECKING:
    from collectors.base import Collector

ASSET_ACCEPT = {
    "stylesheet": "text/css,*/*;q=0.1",
    "image": "image/avif, image/webp, image/png, image/jpeg, image/*;q=0.9, */*;q=0.5",
    "font": "font/woff2, font/woff;q=0.9, */*;q=0.5",
}
MAX_IMPORT_DEPTH = 3
"""Stylesheets importing stylesheets are followed this deep."""


class PageAssets:
    """The page assets of one run of one collector: ``capture(page)`` after each page."""

    def __init__(self, collector: Collector, *, max_files: int, max_bytes: int) -> None:
        self.collector, self.max_files, self.max_bytes = collector, max_files, max_bytes
        self.fetched: set[str] = set()
        """URLs fetched in this run: not fetched again for a later page."""

    def capture(self, page: FetchResult) -> None:
        """Archive what ``page`` (an HTML response) loads, within the page's limits."""
        budget = _Budget(self.max_files, self.max_bytes)
        queue = [(resource, 0) for resource in page_resources(page.body, page.url)]
        while queue:
            resource, depth = queue.pop(0)
            fetched = self._fetch(resource, page.url, budget)
            if fetched is None or resource.what != "stylesheet" or depth >= MAX_IMPORT_DEPTH:
                continue
            css = fetched.body.decode("utf-8", errors="replace")
            named = [Resource(url, resource_kind(url)) for url in css_urls(css, fetched.url)]
            # what a stylesheet names comes before the page's own images: it is the look
            queue[:0] = [(found, depth + 1) for found in named]

    def _fetch(self, resource: Resource, page_url: str, budget: _Budget) -> FetchResult | None:
        """The response for a stylesheet to read further, None otherwise or when not fetched."""
        url, counts = resource.url, self.collector.report.counts
        if url in self.fetched:
            return None
        if budget.files <= 0 or budget.bytes <= 0:
            counts["page_assets_skipped"] += 1
            self.collector.log.info(
                "%s: %s not archived: the page's limit (page_assets_max_files %d, "
                "page_assets_max_bytes %d) is reached",
                page_url,
                url,
                self.max_files,
                self.max_bytes,
            )
            return None
        self.fetched.add(url)
        budget.files -= 1
        try:
            result = self.collector.fetch(
                url,
                kind="page_asset",
                accept=ASSET_ACCEPT.get(resource.what, "*/*"),
                extra={"page_url": page_url, "asset": resource.what},
                max_bytes=budget.bytes,
            )
        except RobotsDisallowed:
            counts["page_assets_skipped_robots"] += 1
            return None
        except StopRequested:
            raise
        except CaptureError as exc:
            counts["page_assets_failed"] += 1
            self.collector.report.error(f"{resource.what} {url} (on {page_url}): {exc}")
            return None
        budget.bytes -= len(result.body)
        if not result.ok:
            counts["page_assets_failed"] += 1
            self.collector.report.error(
                f"{resource.what} {url} (on {page_url}): HTTP {result.status} {result.reason}"
            )
            return None
        counts["page_assets"] += 1
        if result.truncated:
            counts["page_assets_truncated"] += 1
            self.collector.log.warning(
                "%s: %s archived cut off at %d bytes (page_assets_max_bytes %d)",
                page_url,
                url,
                len(result.body),
                self.max_bytes,
            )
        return result


class _Budget:
    def __init__(self, files: int, size: int) -> None:
        self.files, self.bytes = files, size
