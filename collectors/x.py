"""The X collector: account timelines, X Lists and search queries through the API v2.

Each account, list and query of a source is harvested on its own: newest first, page after
page (up to the source's ``max_pages``), with expansions and fields so each tweet carries its
author, referenced tweets, entities, media keys, conversation id and edit history. The state
keeps, per account/list/query, the newest tweet id archived (``since_ids``), so the next run
asks only for newer tweets; a harvest cut short (page limit, a rate-limit window longer than
the collector waits, a stop) keeps its paging position in ``resume`` and the next run carries
on from there before moving ``since_id``. Every API call is archived as it went over the wire
(see ``collectors.x_client``); the indexer splits the pages into one Post per tweet.

An edited tweet comes back with a new id whose ``edit_history_tweet_ids`` lists every version;
the versions this source has not archived are looked up by id (``GET /2/tweets``, once each,
``edit_lookups`` in the state) so each becomes a version of the one Post.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import Any, ClassVar

from archive import CaptureMetadata
from collectors.base import Collector, RunReport
from collectors.http import StopRequested, user_agent
from collectors.media import MediaCapture, x_media
from collectors.x_client import RecordingXClient, XAuthError, XRateLimited
from config.models import XSource
from foundation.errors import CaptureError
from foundation.scrub import register_secrets

EXPANSIONS = [
    "author_id",
    "referenced_tweets.id",
    "referenced_tweets.id.author_id",
    "in_reply_to_user_id",
    "attachments.media_keys",
    "entities.mentions.username",
    "edit_history_tweet_ids",
]
TWEET_FIELDS = [
    "id",
    "text",
    "author_id",
    "conversation_id",
    "created_at",
    "edit_history_tweet_ids",
    "edit_controls",
    "entities",
    "in_reply_to_user_id",
    "lang",
    "referenced_tweets",
    "attachments",
    "public_metrics",
    "possibly_sensitive",
    "reply_settings",
    "note_tweet",
]
USER_FIELDS = [
    "id",
    "name",
    "username",
    "url",
    "description",
    "created_at",
    "profile_image_url",
    "verified",
]
MEDIA_FIELDS = [
    "media_key",
    "type",
    "url",
    "preview_image_url",
    "alt_text",
    "width",
    "height",
    "duration_ms",
    "variants",
]
PAGE_SIZE = 100

Page = dict[str, Any]


class XCollector(Collector):
    """Collects the accounts, lists and queries of one ``type: x`` source."""

    source_type: ClassVar[str] = "x"
    platform: ClassVar[str] = "x"
    source: XSource

    def run(self) -> RunReport:
        token = os.environ.get(self.source.bearer_token_env, "").strip()
        if not token:
            self.report.error(
                f"source {self.source.name!r}: environment variable {self.source.bearer_token_env} holds no bearer token; set it to the X API bearer token of the organisation's app"
            )
            self.report.outcome = "failed"
            return self.report
        register_secrets({self.source.bearer_token_env: token})
        settings = self.context.config.http
        self.client = RecordingXClient(
            token,
            api_base=self.source.api_base,
            writer=self.context.writer,
            metadata=self._metadata,
            user_agent=user_agent(settings.contact),
            timeout=settings.timeout_seconds,
            max_bytes=settings.max_response_bytes,
            stop=self.context.stop,
            log=self.log.info,
        )
        state = self.context.state
        self.media = MediaCapture(
            self, enabled=self.source.capture_media, per_run=self.source.media_per_run
        )
        self.since_ids: dict[str, str] = state.setdefault("since_ids", {})
        self.resume: dict[str, dict[str, Any]] = state.setdefault("resume", {})
        self.users: dict[str, dict[str, str]] = state.setdefault("users", {})
        self.looked_up: list[str] = state.setdefault("edit_lookups", [])
        try:
            for handle in self.source.accounts:
                self._guarded(
                    f"account @{handle}", functools.partial(self._account, handle.lstrip("@"))
                )
            for list_id in self.source.lists:
                self._guarded(f"list {list_id}", functools.partial(self._list, list_id))
            for query in self.source.queries:
                self._guarded(f"query {query!r}", functools.partial(self._query, query))
        except XAuthError as exc:
            self.report.error(
                f"source {self.source.name!r}: {exc}; check the token in {self.source.bearer_token_env} (it may be revoked or lack read access)"
            )
            self.report.outcome = "failed"
        except XRateLimited as exc:
            self.report.error(f"source {self.source.name!r}: {exc}")
        finally:
            counts = self.report.counts
            counts["requests"] += self.client.requests_sent
            counts["bytes"] += self.client.bytes_received
            counts["captures"] += self.client.requests_sent
            counts["rate_limit_waits"] += self.client.rate_limit_waits
            self.client.session.close()
        return self.report

    def _metadata(self, extra: dict[str, Any]) -> CaptureMetadata:
        return CaptureMetadata(
            source=self.source.name,
            platform=self.platform,
            collector=self.source_type,
            collector_version=self.version,
            capture_kind="api_page",
            run_id=self.context.run_id,
            extra=extra,
        )

    def _guarded(self, what: str, harvest: Callable[[], None]) -> None:
        """Harvest one account/list/query; an API error costs only that one (auth and rate
        limits concern the whole source and propagate)."""
        try:
            harvest()
        except (XAuthError, XRateLimited, StopRequested):
            raise
        except CaptureError as exc:
            self.report.error(f"{what}: {exc}")

    def _account(self, handle: str) -> None:
        user = self.users.get(handle.lower())
        if user is None:
            self.client.extra = {"endpoint": "user_lookup", "account": handle}
            found = self.client.get_user(username=handle, user_fields=USER_FIELDS)
            data = found.get("data")
            if not isinstance(data, dict):
                raise _NotFound(
                    f"the X API knows no user @{handle}: {found.get('errors') or 'no data'}; check the handle in the source"
                )
            user = {
                "id": str(data["id"]),
                "name": str(data.get("name", "")),
                "username": str(data.get("username", handle)),
            }
            self.users[handle.lower()] = user
        extra = {
            "endpoint": "user_tweets",
            "account": user["username"],
            "user_id": user["id"],
            "user_name": user["name"],
        }

        def call(since_id: str | None, token: str | None) -> Page:
            page: Page = self.client.get_users_tweets(
                user["id"], since_id=since_id, pagination_token=token, **_fields()
            )
            return page

        self._harvest(f"account:{handle.lower()}", extra, call)

    def _list(self, list_id: str) -> None:
        extra = {"endpoint": "list_tweets", "list_id": list_id}

        def call(since_id: str | None, token: str | None) -> Page:
            # the List tweets endpoint has no since_id: _harvest stops at the known tweets
            page: Page = self.client.get_list_tweets(list_id, pagination_token=token, **_fields())
            return page

        self._harvest(f"list:{list_id}", extra, call, since_supported=False)

    def _query(self, query: str) -> None:
        extra = {"endpoint": "search_recent", "query": query}

        def call(since_id: str | None, token: str | None) -> Page:
            page: Page = self.client.search_recent_tweets(
                query, since_id=since_id, next_token=token, **_fields()
            )
            return page

        self._harvest(f"query:{query}", extra, call)

    def _harvest(
        self,
        key: str,
        extra: dict[str, Any],
        call: Callable[[str | None, str | None], Page],
        *,
        since_supported: bool = True,
    ) -> None:
        since = self.since_ids.get(key)
        resume = self.resume.pop(key, None) or {}
        token: str | None = resume.get("token")
        newest: str | None = resume.get("newest")
        done = False
        try:
            for page_number in range(1, self.source.max_pages + 1):
                paging = {"since_id": since, "cursor": token}
                self.client.extra = {**extra, "page": page_number} | {
                    k: v for k, v in paging.items() if v
                }
                page = call(since if since_supported else None, token)
                self.media.capture(x_media(page), referrer=f"{self.source.api_base}#{key}")
                if self.source.edit_versions:
                    self._earlier_versions(page, extra)
                ids = [
                    str(t["id"])
                    for t in page.get("data") or []
                    if isinstance(t, dict) and "id" in t
                ]
                fresh = [i for i in ids if since is None or int(i) > int(since)]
                self.report.counts["tweets"] += len(fresh)
                newest = _max_id(newest, *fresh)
                token = (page.get("meta") or {}).get("next_token")
                if not token or len(fresh) < len(ids):
                    done = True
                    break
        finally:
            if done:
                if newest is not None:
                    self.since_ids[key] = _max_id(since, newest) or newest
            elif token is not None or newest is not None:
                # page limit, rate limit or error mid-way: keep the place for the next run
                self.resume[key] = {"token": token, "newest": newest}
        if not done:
            self.log.info(
                "%s: stopped after %d pages; the next run continues from there",
                key,
                self.source.max_pages,
            )

    def _earlier_versions(self, page: Page, extra: dict[str, Any]) -> None:
        """Look up the earlier versions of the page's edited tweets that the page does not hold
        and no earlier lookup fetched (at most 100 ids a call, as the API allows)."""
        shown = {str(t.get("id")) for t in page.get("data") or [] if isinstance(t, dict)}
        known = set(self.looked_up)
        wanted: list[str] = []
        for tweet in page.get("data") or []:
            history = tweet.get("edit_history_tweet_ids") if isinstance(tweet, dict) else None
            if isinstance(history, list) and len(history) > 1:
                wanted += [str(i) for i in history if str(i) not in shown | known]
        wanted = list(dict.fromkeys(wanted))
        for start in range(0, len(wanted), 100):
            ids = wanted[start : start + 100]
            self.client.extra = {**extra, "endpoint": "edit_history", "ids": ids}
            self.client.get_tweets(
                ids,
                expansions=EXPANSIONS,
                tweet_fields=TWEET_FIELDS,
                user_fields=USER_FIELDS,
                media_fields=MEDIA_FIELDS,
            )
            self.looked_up += ids
            self.report.counts["edit_versions_looked_up"] += len(ids)


class _NotFound(CaptureError):
    """An account named in the source does not exist (or is suspended)."""


def _fields() -> dict[str, Any]:
    return {
        "max_results": PAGE_SIZE,
        "expansions": EXPANSIONS,
        "tweet_fields": TWEET_FIELDS,
        "user_fields": USER_FIELDS,
        "media_fields": MEDIA_FIELDS,
    }


def _max_id(*ids: str | None) -> str | None:
    known = [int(i) for i in ids if i]
    return str(max(known)) if known else None
