"""The feed (blog) collector.

A source is a feed URL or a site URL whose feed is found through ``<link rel="alternate">``.
Each run asks for the feed with the ETag and Last-Modified of the last run, so an unchanged feed
costs one 304. For every new or changed entry (by a fingerprint of what a reader sees) it
captures the permalink page, the full post rather than the feed's summary, with what the page
loads to look as it does (stylesheets, their fonts and images, images, scripts: ``page_assets``); the entry's feed fields ride along in the page's metadata record so the extractor
needs nothing else. The first harvest also walks older pages (RFC 5005 ``rel="next"`` or
WordPress ``?paged=N``) up to ``backfill_depth``. Malformed feeds and pages are archived as
they came, logged with the reason, and the run goes on with whatever could be read.

Deleted posts: the entries the feed's first page showed are kept. A later run whose feed came
whole (200, not cut off, read as a feed without a problem) asks for each kept entry the feed no
longer shows, though it still reaches back past it (the entry's date is later than the oldest
dated entry shown), at its permalink: a deletion probe, archived as an ``entry_page`` capture
with ``endpoint: deletion_probe`` and the entry's id, link and dates. A 404 or 410 is gone (the
indexer makes the tombstone; the entry is forgotten, so a post that comes back is captured
anew); a 200 at the permalink is a post still there, only no longer listed. Anything else (a
5xx, a rate limit, a timeout, a robots refusal, a redirect elsewhere, a login wall) decides
nothing: the entry is asked for again on the next run, which then reads the feed in full. An
entry older than the oldest shown has only rolled off the feed; an entry or feed without dates
cannot tell the two apart, and is never probed. Nothing is probed on the first harvest.

State kept between runs: ``feed_url``, ``etag``, ``last_modified``, ``entries`` (native id ->
fingerprint), ``recent`` (native id -> link, published and updated of the first page's
entries, and of those whose probe decided nothing) and ``backfill_done``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from collectors.base import Collector, RunReport
from collectors.html_links import feed_links, image_links
from collectors.http import FetchError, FetchResult, RobotsDisallowed, StopRequested
from collectors.page_assets import PageAssets
from collectors.wp_json import capture_comments
from config.models import FeedSource
from foundation.errors import CaptureError
from foundation.tombstone import GONE_STATUSES
from platforms.feed_entries import ParsedFeed, fingerprint, parse_feed, parse_iso
from platforms.ownership import is_web_url, source_site, speaks_for

FEED_ACCEPT = "application/atom+xml, application/rss+xml, application/rdf+xml;q=0.9, application/xml;q=0.8, text/xml;q=0.8, text/html;q=0.5, */*;q=0.1"
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"
IMAGE_ACCEPT = "image/avif, image/webp, image/png, image/jpeg, image/*;q=0.9, */*;q=0.5"
_FEEDISH = (
    "/feed",
    "/rss",
    "/atom",
    ".xml",
    ".rss",
    ".atom",
    ".rdf",
    "feed=",
    "format=rss",
    "format=atom",
)


class FeedCollector(Collector):
    source_type = "feed"
    platform = "blog"
    source: FeedSource
    page_assets: PageAssets | None = None

    def run(self) -> RunReport:
        self.page_assets = (
            PageAssets(
                self,
                max_files=self.source.page_assets_max_files,
                max_bytes=self.source.page_assets_max_bytes,
            )
            if self.source.capture_page_assets
            else None
        )
        state = self.context.state
        # deletions are looked for only once the first harvest (with its backfill) is done
        may_probe = bool(state.get("backfill_done")) and "recent" in state
        kept_from = state.get("feed_url")
        try:
            feed_url, first, parsed = self._locate_feed()
        except RobotsDisallowed as exc:
            return self._skipped(str(exc))
        if feed_url is None:
            self.report.outcome = "failed"
            self.report.error(
                f"{self.source.url}: neither a feed nor a page announcing one with <link rel='alternate'>; give the feed URL in the source's 'url'"
            )
            return self.report
        if first is None:
            conditional = (
                (state.get("etag"), state.get("last_modified"))
                if state.get("feed_url") == feed_url
                else None
            )
            try:
                first = self.fetch(
                    feed_url,
                    kind="feed",
                    accept=FEED_ACCEPT,
                    conditional=conditional,
                    extra=self._feed_extra(feed_url, 1),
                )
            except RobotsDisallowed as exc:
                return self._skipped(str(exc))
        if first.not_modified:
            self.log.info("%s: feed unchanged (304)", feed_url)
            if not state.get("backfill_done"):
                self._backfill(feed_url, None)
            return self.report.settle()
        if not first.ok:
            self.report.outcome = "failed"
            self.report.error(
                f"{feed_url}: feed answered HTTP {first.status} {first.reason}; check the source URL"
            )
            return self.report
        parsed = self._parse(first, feed_url, parsed)
        if not parsed.is_feed:
            self.report.outcome = "failed"
            self.report.error(
                f"{feed_url}: the response is not a feed ({first.content_type or 'no content type'}); archived as captured"
            )
            return self.report
        state["feed_url"] = feed_url
        errors_before = len(self.report.errors)
        seen: set[str] = set()
        self._capture_entries(parsed, seen)
        undecided = 0
        if not (first.truncated or first.decode_error or parsed.problem):
            undecided = self._recheck(parsed, may_probe and feed_url == kept_from)
        if not state.get("backfill_done"):
            self._backfill(feed_url, parsed)
        if undecided:
            # the next run must read the feed in full to ask for them again, not get a 304
            state["etag"] = state["last_modified"] = None
        elif len(self.report.errors) == errors_before:
            # only now may the next run skip an unchanged feed: every entry of this one is captured
            state["etag"], state["last_modified"] = (
                first.header("etag"),
                first.header("last-modified"),
            )
        return self.report.settle()

    def _skipped(self, reason: str) -> RunReport:
        self.log.warning("source %s skipped: %s", self.source.name, reason)
        self.report.counts["skipped_robots"] += 1
        self.report.outcome = "skipped"
        self.report.errors.append(reason)
        return self.report

    def _feed_extra(self, feed_url: str, page: int) -> dict[str, Any]:
        return {"feed_url": feed_url, "page": page, "entry_pages": self.source.capture_pages}

    def _locate_feed(self) -> tuple[str | None, FetchResult | None, ParsedFeed | None]:
        """The feed URL (from state, or the source URL, or the page it announces) and, when
        finding it already fetched the feed in full, that response read as a feed."""
        known = self.context.state.get("feed_url")
        if known:
            return known, None, None
        url = self.source.url
        kind = "feed" if any(mark in url.lower() for mark in _FEEDISH) else "page"
        result = self.fetch(url, kind=kind, accept=FEED_ACCEPT, extra=self._feed_extra(url, 1))
        if not result.ok:
            raise FetchError(f"{url}: HTTP {result.status} {result.reason}; check the source URL")
        parsed = self._as_feed(result)
        if parsed is not None:
            return result.url, result, parsed
        candidates = feed_links(result.body, result.url)
        if candidates:
            self.log.info("%s: feed autodiscovered at %s", url, candidates[0])
            return candidates[0], None, None
        return None, None, None

    def _as_feed(self, result: FetchResult) -> ParsedFeed | None:
        """The response read as a feed, or None when it is a page (announcing feeds or not)."""
        kind = result.content_type.split(";")[0].strip().lower()
        if kind in ("text/html", "application/xhtml+xml") and feed_links(result.body, result.url):
            return None
        parsed = parse_feed(result.body, result.url, result.headers)
        return parsed if parsed.is_feed else None

    def _parse(
        self, result: FetchResult, feed_url: str, parsed: ParsedFeed | None = None
    ) -> ParsedFeed:
        parsed = parsed or parse_feed(result.body, result.url, result.headers)
        problems = [
            p
            for p in (
                result.decode_error,
                parsed.problem,
                f"cut off ({result.truncated})" if result.truncated else "",
            )
            if p
        ]
        if problems:
            self.report.counts["malformed"] += 1
            self.log.warning(
                "%s: malformed feed, archived as captured and read as far as possible: %s",
                feed_url,
                "; ".join(problems),
            )
        if result.truncated:
            # entries after the cut are missing, so this run did not get the whole feed
            self.report.error(
                f"{feed_url}: feed cut off at {len(result.body)} bytes ({result.truncated} limit "
                "reached) and read only that far; raise http.max_response_bytes or "
                "http.timeout_seconds if the feed is really this large or slow"
            )
        self.report.counts["feed_pages"] += 1
        return parsed

    def _capture_entries(self, parsed: ParsedFeed, seen: set[str]) -> int:
        """Capture new or changed entries; returns how many entries were new to this run."""
        known: dict[str, str] = self.context.state.setdefault("entries", {})
        fresh = 0
        for entry in parsed.entries:
            if self.context.stop.is_set():
                break
            entry_id = entry["native_id"]
            if entry_id in seen:
                continue
            seen.add(entry_id)
            fresh += 1
            self.report.counts["entries"] += 1
            mark = fingerprint(entry)
            if known.get(entry_id) == mark:
                continue
            self.report.counts["entries_new" if entry_id not in known else "entries_changed"] += 1
            self._note_foreign(entry)
            if self._capture_page(entry):
                known[entry_id] = mark
        return fresh

    def _note_foreign(self, entry: dict[str, Any]) -> None:
        """Count and log an entry linking outside the source's site: it is archived, and
        indexed as this source's record of a foreign URL, never as that site's own post."""
        link = str(entry.get("link") or "")
        site = source_site(
            {"url": self.source.url, "site": self.source.site},
            str(self.context.state.get("feed_url") or ""),
        )
        if site and is_web_url(link) and not speaks_for(site, link):
            self.report.counts["entries_outside_site"] += 1
            self.log.info(
                "%s: entry %s links outside the source's site (%s); kept as this source's "
                "record of a foreign URL (list the site under 'site' if the source speaks for it)",
                self.source.name,
                link,
                ", ".join(site),
            )

    def _capture_page(self, entry: dict[str, Any]) -> bool:
        """Capture the entry's permalink page (and images); False if it should be tried again."""
        link = entry.get("link", "")
        if not self.source.capture_pages or not link.startswith(("http://", "https://")):
            return True
        try:
            page = self.fetch(
                link,
                kind="entry_page",
                accept=PAGE_ACCEPT,
                extra={"feed_url": self.context.state.get("feed_url"), "entry": entry},
            )
        except RobotsDisallowed as exc:
            self.report.counts["skipped_robots"] += 1
            self.log.warning("entry page skipped: %s", exc)
            return True
        except (FetchError, CaptureError) as exc:
            self.report.error(f"entry page {link}: {exc}")
            return False
        self.report.counts["entry_pages"] += 1
        if page.decode_error or page.truncated:
            self.report.counts["malformed"] += 1
            self.log.warning(
                "%s: page archived as captured but %s",
                link,
                page.decode_error or f"cut off ({page.truncated})",
            )
        if page.ok and self.source.wp_json and "html" in page.content_type.lower():
            capture_comments(
                self, page, {"feed_url": self.context.state.get("feed_url"), "entry": entry}
            )
        if page.ok and self.source.capture_images:
            self._capture_images(page, entry)
        if page.ok and self.page_assets is not None and "html" in page.content_type.lower():
            self.page_assets.capture(page)
        return True

    def _capture_images(self, page: FetchResult, entry: dict[str, Any]) -> None:
        for image in dict.fromkeys([*entry.get("images", []), *image_links(page.body, page.url)]):
            if self.page_assets is not None:
                self.page_assets.fetched.add(image)  # kind "image" here; not again as an asset
            try:
                self.fetch(
                    image,
                    kind="image",
                    accept=IMAGE_ACCEPT,
                    extra={"page_url": page.url},
                    want_body=False,
                )
                self.report.counts["images"] += 1
            except RobotsDisallowed:
                self.report.counts["skipped_robots"] += 1
            except StopRequested:
                raise
            except CaptureError as exc:
                self.report.error(f"image {image} on {page.url}: {exc}")

    def _recheck(self, parsed: ParsedFeed, probe: bool) -> int:
        """Keep the entries of the feed's first page (read whole); with ``probe``, first ask for
        each entry kept last time that the page no longer shows though it reaches back past it.
        Returns how many probes decided nothing (kept, to ask again next run)."""
        state = self.context.state
        shown = {
            str(entry["native_id"]): {
                "link": str(entry.get("link") or ""),
                "published": str(entry.get("published") or ""),
                "updated": str(entry.get("updated") or ""),
            }
            for entry in parsed.entries
        }
        kept: dict[str, dict[str, str]] = (state.get("recent") or {}) if probe else {}
        oldest = min((d for d in map(_dated, shown.values()) if d is not None), default=None)
        undecided: dict[str, dict[str, str]] = {}
        for native, entry in kept.items():
            when = _dated(entry)
            if native in shown or when is None or oldest is None or when <= oldest:
                continue  # still listed, or rolled off the end (or undated: cannot tell)
            if not entry.get("link", "").startswith(("http://", "https://")):
                continue
            if self.context.stop.is_set() or not self._probe(native, entry):
                undecided[native] = entry
        state["recent"] = {**shown, **undecided}
        return len(undecided)

    def _probe(self, native: str, kept: dict[str, str]) -> bool:
        """Ask for an entry that left the feed at its permalink; the answer is archived as it
        came (the indexer makes a tombstone of a 404 or 410 only). False when the answer
        decides nothing: a 5xx, a rate limit, a timeout, a robots refusal, a redirect away."""
        link = kept["link"]
        self.report.counts["deletion_probes"] += 1
        try:
            result = self.fetch(
                link,
                kind="entry_page",
                accept=PAGE_ACCEPT,
                extra={
                    "endpoint": "deletion_probe",
                    "feed_url": self.context.state.get("feed_url"),
                    "entry": {"native_id": native, **kept},
                },
            )
        except StopRequested:
            raise
        except CaptureError as exc:
            self.log.warning(
                "%s: deletion probe decided nothing (%s); asked again next run", link, exc
            )
            return False
        if result.status in GONE_STATUSES:
            self.report.counts["found_gone"] += 1
            self.log.info("%s: gone from the feed and HTTP %s: deleted", link, result.status)
            # forgotten, so a post that comes back is captured anew and restored
            self.context.state.setdefault("entries", {}).pop(native, None)
            return True
        if result.ok and _same_page(link, result.url):
            self.report.counts["entries_unlisted"] += 1
            return True
        self.log.warning(
            "%s: deletion probe answered HTTP %s at %s, which decides nothing; asked again next run",
            link,
            result.status,
            result.url,
        )
        return False

    def _backfill(self, feed_url: str, first: ParsedFeed | None) -> None:
        """Walk older feed pages (rel="next", else ?paged=N) up to the configured depth."""
        depth = self.source.backfill_depth
        seen: set[str] = {entry["native_id"] for entry in first.entries} if first else set()
        next_url = first.next_url if first else None
        follows_next = next_url is not None
        errors_before = len(self.report.errors)
        for page_number in range(2, depth + 2):
            if self.context.stop.is_set():
                return
            url = next_url if follows_next else _with_page(feed_url, page_number)
            if not url:
                break
            try:
                result = self.fetch(
                    url,
                    kind="feed",
                    accept=FEED_ACCEPT,
                    extra=self._feed_extra(feed_url, page_number),
                )
            except RobotsDisallowed as exc:
                self.report.counts["skipped_robots"] += 1
                self.log.warning("backfill stopped: %s", exc)
                break
            except StopRequested:
                raise
            except CaptureError as exc:
                self.report.error(f"backfill page {url}: {exc}")
                return
            if not result.ok:
                break  # past the last page: WordPress answers 404
            parsed = self._parse(result, url)
            # a site that ignores ?paged= sends page 1 again: nothing new means the end
            if not parsed.is_feed or self._capture_entries(parsed, seen) == 0:
                break
            self.report.counts["backfill_pages"] += 1
            next_url = parsed.next_url
            if follows_next and not next_url:
                break
        if len(self.report.errors) == errors_before:
            self.context.state["backfill_done"] = True


def _dated(entry: dict[str, str]) -> datetime | None:
    return parse_iso(entry.get("published")) or parse_iso(entry.get("updated"))


def _same_page(asked: str, answered: str) -> bool:
    """Whether a permalink answered itself (perhaps by way of a slash or https redirect), not a
    login page or the home page it was sent on to."""
    one, other = urlsplit(asked), urlsplit(answered)
    return (one.netloc.lower(), one.path.rstrip("/"), one.query) == (
        other.netloc.lower(),
        other.path.rstrip("/"),
        other.query,
    )


def _with_page(url: str, page: int) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "paged"]
    query.append(("paged", str(page)))
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), parts.fragment))
