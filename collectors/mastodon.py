"""The Mastodon collector: account and hashtag timelines over the instance's REST API.

Plain HTTP through the shared fetcher, so politeness, retries and WARC recording are the same
as for every other source. A timeline is read newest first by following the Link header's
``next`` (``max_id``) on the first harvest, as deep as ``max_pages`` allows (the place is kept
and the backfill continues on the next run); later runs ask for what is newer than the newest
status archived with ``min_id`` and follow ``prev`` until nothing newer is left. For each new
status the collector also archives a context, so replies (also other people's) are kept with
their thread: a status with replies gets its own context, a reply its parent's (which holds the
thread's root and the reply). Later runs also read the newest page again, so an edit of a
recent status is seen; a status whose ``edited_at`` is new to the collector gets its edit
history (``/api/v1/statuses/:id/history``) archived, each entry a version of its Post. A status
the newest page showed last time and misses now, though the page still reaches back past it,
is asked for at its address (a deletion probe); the answer is archived and the indexer makes a
tombstone of a 404 or 410 only. A status older than the page's oldest has only rolled over.
"""

from __future__ import annotations

import json
import os
from typing import Any, ClassVar
from urllib.parse import quote, urlencode

from requests.utils import parse_header_links

from collectors.base import Collector, RunReport
from collectors.http import FetchResult, StopRequested
from collectors.media import MediaCapture, mastodon_media
from config.models import MastodonSource
from foundation.errors import CaptureError
from foundation.scrub import register_secrets

PAGE_SIZE = 40


class MastodonCollector(Collector):
    """Collects the accounts and hashtags of one ``type: mastodon`` source."""

    source_type: ClassVar[str] = "mastodon"
    platform: ClassVar[str] = "mastodon"
    source: MastodonSource

    def run(self) -> RunReport:
        self.base = self.source.instance.rstrip("/")
        self.media = MediaCapture(
            self, enabled=self.source.capture_media, per_run=self.source.media_per_run
        )
        self.auth: list[tuple[str, str]] = []
        if self.source.access_token_env:
            token = os.environ.get(self.source.access_token_env, "").strip()
            if not token:
                self.report.error(
                    f"source {self.source.name!r}: environment variable {self.source.access_token_env} holds no access token; set it or remove access_token_env"
                )
                self.report.outcome = "failed"
                return self.report
            register_secrets({self.source.access_token_env: token})
            self.auth = [("Authorization", f"Bearer {token}")]
        state = self.context.state
        self.timelines: dict[str, dict[str, Any]] = state.setdefault("timelines", {})
        self.account_ids: dict[str, str] = state.setdefault("account_ids", {})
        self.edited: dict[str, str] = state.setdefault("edited_at", {})
        for account in self.source.accounts:
            self._guarded(f"account {account}", lambda a=account: self._account(a))
        for tag in self.source.hashtags:
            self._guarded(
                f"hashtag #{tag.lstrip('#')}",
                lambda t=tag.lstrip("#"): self._timeline(
                    f"tag:{t.lower()}",
                    f"{self.base}/api/v1/timelines/tag/{quote(t)}",
                    {"endpoint": "tag_timeline", "hashtag": t},
                ),
            )
        return self.report

    def _guarded(self, what: str, harvest: Any) -> None:
        try:
            harvest()
        except StopRequested:
            raise  # a stop ends the run as stopped (partial), not as this part's failure
        except CaptureError as exc:
            self.report.error(f"{what}: {exc}")

    def _get(self, url: str, extra: dict[str, Any]) -> FetchResult:
        result = self.fetch(
            url,
            kind="api_page",
            accept="application/json",
            auth_headers=self.auth,
            extra={"instance": self.base, **extra},
        )
        if result.status in (401, 403):
            raise CaptureError(
                f"{url}: the instance refused access (HTTP {result.status}); check the token in {self.source.access_token_env or '(no access_token_env set)'}"
            )
        if not result.ok:
            raise CaptureError(f"{url}: HTTP {result.status} {result.reason}")
        return result

    def _json(self, result: FetchResult) -> Any:
        try:
            return json.loads(result.body.decode("utf-8-sig"))
        except (UnicodeDecodeError, ValueError):
            raise CaptureError(
                f"{result.url}: the answer is not JSON ({result.content_type or 'no content type'}); is {self.base} a Mastodon instance?"
            ) from None

    def _account(self, account: str) -> None:
        acct = self._acct(account)
        account_id = self.account_ids.get(acct.lower())
        if account_id is None:
            lookup = f"{self.base}/api/v1/accounts/lookup?{urlencode({'acct': acct})}"
            result = self.fetch(
                lookup,
                kind="api_page",
                accept="application/json",
                auth_headers=self.auth,
                extra={"instance": self.base, "endpoint": "account_lookup", "account": acct},
            )
            if result.status == 404:
                raise CaptureError(
                    f"{self.base} knows no account {acct}; check the source's accounts"
                )
            if not result.ok:
                raise CaptureError(f"{lookup}: HTTP {result.status} {result.reason}")
            account_id = str(self._json(result)["id"])
            self.account_ids[acct.lower()] = account_id
        url = f"{self.base}/api/v1/accounts/{account_id}/statuses"
        self._timeline(
            f"account:{acct.lower()}",
            url,
            {"endpoint": "account_statuses", "account": acct, "account_id": account_id},
        )

    def _acct(self, account: str) -> str:
        """The acct to look up: 'user' for this instance's users, 'user@host' for others."""
        name = account.lstrip("@")
        if "@" in name:
            user, host = name.split("@", 1)
            if host.lower() == self.base.split("://", 1)[-1].lower():
                return user
        return name

    def _timeline(self, key: str, url: str, extra: dict[str, Any]) -> None:
        # tells the extractor that this page's replies are archived with their thread
        extra = {**extra, "replies_in_context": self.source.include_replies}
        entry = self.timelines.setdefault(key, {})
        budget = self.source.max_pages
        newest = entry.get("newest")
        if newest:
            budget -= self._newer(entry, url, extra, budget)
            if budget > 0:
                budget -= self._recheck(entry, url, extra)
        else:
            entry["backfill_next"] = f"{url}?{urlencode({'limit': PAGE_SIZE})}"
        while entry.get("backfill_next") and budget > 0:
            result = self._get(entry["backfill_next"], {**extra, "direction": "older"})
            budget -= 1
            statuses = self._statuses(result)
            if statuses and not entry.get("newest"):
                entry["newest"] = statuses[0]["id"]
                entry["recent"] = [str(s["id"]) for s in statuses]
            entry["backfill_next"] = _link(result, "next") if statuses else None
            self._follow_up(statuses)

    def _newer(self, entry: dict[str, Any], url: str, extra: dict[str, Any], budget: int) -> int:
        """Page towards the present from the newest known status; returns pages used."""
        next_url: str | None = f"{url}?{urlencode({'limit': PAGE_SIZE, 'min_id': entry['newest']})}"
        pages = 0
        while next_url and pages < budget:
            result = self._get(next_url, {**extra, "direction": "newer"})
            pages += 1
            statuses = self._statuses(result)
            if not statuses:
                break
            entry["newest"] = max((s["id"] for s in statuses), key=int)
            self._follow_up(statuses)
            next_url = _link(result, "prev")
        return pages

    def _recheck(self, entry: dict[str, Any], url: str, extra: dict[str, Any]) -> int:
        """Read the newest page again: its statuses may have been edited since they were
        archived (an edit keeps a status's id, so paging by ``min_id`` never shows it). Only the
        edit histories of statuses edited since are fetched; returns pages used."""
        result = self._get(
            f"{url}?{urlencode({'limit': PAGE_SIZE})}", {**extra, "direction": "recheck"}
        )
        page = self._json(result)
        statuses = (
            [s for s in page if isinstance(s, dict) and "id" in s] if isinstance(page, list) else []
        )
        for status in statuses:
            self._history_if_edited(status.get("reblog") or status)
        self.report.counts["pages_rechecked"] += 1
        shown = [str(s["id"]) for s in statuses]
        if shown and len(shown) == len(page):
            oldest = min(int(i) for i in shown)
            undecided = [
                missing
                for missing in entry.get("recent", [])
                if int(missing) > oldest and missing not in shown and not self._probe(missing)
            ]
            # a probe met with a 5xx, a rate limit or a timeout is asked again next run
            entry["recent"] = shown + undecided
        return 1

    def _probe(self, status_id: str) -> bool:
        """Ask for a status that went missing from a page covering it; the answer is archived
        as it came (only a 404 or 410 makes a tombstone, in the indexer). False when the answer
        decides nothing (a 5xx, a rate limit, a timeout, a login wall)."""
        self.report.counts["deletion_probes"] += 1
        try:
            result = self.fetch(
                f"{self.base}/api/v1/statuses/{status_id}",
                kind="api_page",
                accept="application/json",
                auth_headers=self.auth,
                extra={
                    "instance": self.base,
                    "endpoint": "deletion_probe",
                    "status_id": status_id,
                },
            )
        except CaptureError:
            return False
        if result.status in (404, 410):
            self.report.counts["found_gone"] += 1
            return True
        return result.status == 200

    def _history_if_edited(self, shown: dict[str, Any]) -> None:
        edited = str(shown.get("edited_at") or "")
        status_id = str(shown.get("id", ""))
        if edited and status_id and self.edited.get(status_id) != edited:
            self._history(status_id)
            self.edited[status_id] = edited

    def _statuses(self, result: FetchResult) -> list[dict[str, Any]]:
        page = self._json(result)
        if not isinstance(page, list):
            raise CaptureError(
                f"{result.url}: expected a list of statuses, got {type(page).__name__}"
            )
        statuses = [s for s in page if isinstance(s, dict) and "id" in s]
        self.report.counts["statuses"] += len(statuses)
        return statuses

    def _follow_up(self, statuses: list[dict[str, Any]]) -> None:
        """Archive the threads and edit histories of a page's statuses. A reply is archived in
        its parent's context (which holds the thread's ancestors and the reply itself), so the
        capture that gives a reply its Post always knows the thread; a status that has replies
        gets its own context. Each context is fetched once per page."""
        done: set[str] = set()
        self.media.capture(mastodon_media(statuses), referrer=f"{self.base}/api/v1")
        for status in statuses:
            self._history_if_edited(status.get("reblog") or status)
            if not self.source.include_replies or status.get("reblog"):
                continue
            parent = str(status.get("in_reply_to_id") or "")
            if parent:
                if parent not in done and not self._context(parent):
                    # the parent is gone (deleted or hidden): the reply starts what is left
                    self._get(
                        f"{self.base}/api/v1/statuses/{status['id']}",
                        {"endpoint": "status", "thread_root": str(status["id"])},
                    )
                done.add(parent)
            elif status.get("replies_count", 1) and str(status["id"]) not in done:
                self._context(str(status["id"]))
                done.add(str(status["id"]))

    def _history(self, status_id: str) -> None:
        """Archive every version of an edited status. Instances before Mastodon 3.5 have no
        history endpoint: then the edited status as captured is all there is."""
        url = f"{self.base}/api/v1/statuses/{status_id}/history"
        result = self.fetch(
            url,
            kind="api_page",
            accept="application/json",
            auth_headers=self.auth,
            extra={"instance": self.base, "endpoint": "history", "status_id": status_id},
        )
        if not result.ok:
            self.report.counts["history_unavailable"] += 1

    def _context(self, status_id: str) -> bool:
        """Archive a status's context; False when the status is gone (404)."""
        url = f"{self.base}/api/v1/statuses/{status_id}/context"
        result = self.fetch(
            url,
            kind="api_page",
            accept="application/json",
            auth_headers=self.auth,
            extra={"instance": self.base, "endpoint": "context", "status_id": status_id},
        )
        if result.status == 404:
            return False
        if not result.ok:
            raise CaptureError(f"{url}: HTTP {result.status} {result.reason}")
        return True


def _link(result: FetchResult, rel: str) -> str | None:
    header = result.header("link")
    if not header:
        return None
    for link in parse_header_links(header):
        if link.get("rel") == rel and link.get("url"):
            return str(link["url"])
    return None
