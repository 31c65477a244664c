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

Deleted tweets: on runs after the first, each account's newest page is read again (one extra
call per account per run, ``"direction": "recheck"``). The state keeps, per account, the Post
keys (the first id of each tweet's edit history) that the newest page showed (``recent``). A
kept key the re-read page no longer shows, although the page still reaches back past it (its
oldest tweet id is lower, or it has no next page), is looked up by id after every timeline of
the run is harvested (``GET /2/tweets?ids=``, up to 100 ids a call, ``endpoint:
"deletion_probe"``). The answer is archived and the indexer makes a tombstone of the
``resource-not-found`` errors only. A key the answer lists under ``data`` is still there; any
other outcome (an HTTP error, a rate limit, a timeout, an authorization error for a protected
account) decides nothing and the key is asked again next run. An edited tweet stays shown under
its first id, so a new version is never taken for a deletion; a tweet older than the page has
only rolled off and is not asked for. ``deletion_checks: false`` on the source turns this off.
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
NOT_FOUND = "https://api.twitter.com/2/problems/resource-not-found"

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
        self.recent: dict[str, list[str]] = state.setdefault("recent", {})
        self.missing: dict[str, list[str]] = {}
        try:
            for handle in self.source.accounts:
                self._guarded(
                    f"account @{handle}", functools.partial(self._account, handle.lstrip("@"))
                )
            for list_id in self.source.lists:
                self._guarded(f"list {list_id}", functools.partial(self._list, list_id))
            for query in self.source.queries:
                self._guarded(f"query {query!r}", functools.partial(self._query, query))
            self._probe_missing()
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

        key = f"account:{handle.lower()}"
        known = key in self.recent
        self._harvest(key, extra, call, recent=self.source.deletion_checks)
        if self.source.deletion_checks and (known or key not in self.recent):
            # not when this run's first page just gave the keys (the first harvest)
            self._recheck(key, extra, call)

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
        recent: bool = False,
    ) -> None:
        """Page through one timeline from the newest tweet down to ``since_id``; with ``recent``,
        the first harvest keeps the newest page's Post keys for the deletion checks."""
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
                if recent and since is None and token is None and key not in self.recent:
                    self.recent[key] = _post_keys(page)
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

    def _recheck(
        self, key: str, extra: dict[str, Any], call: Callable[[str | None, str | None], Page]
    ) -> None:
        """Read the newest page again and note the kept keys it misses although it reaches back
        past them; they stay in ``recent`` until a lookup decides (``_probe_missing``)."""
        self.client.extra = {**extra, "page": 1, "direction": "recheck"}
        page = call(None, None)
        self.report.counts["pages_rechecked"] += 1
        if self.source.edit_versions:
            self._earlier_versions(page, extra)
        shown = _post_keys(page)
        tweets = page.get("data")
        if not isinstance(tweets, list) or not shown:
            return  # an empty page (or an error) shows nothing to go by
        if not all(isinstance(t, dict) and str(t.get("id", "")).isdigit() for t in tweets):
            return
        whole = not (page.get("meta") or {}).get("next_token")
        oldest = min(int(t["id"]) for t in tweets)
        kept = set(shown)
        missing = [
            k
            for k in self.recent.get(key, [])
            if k not in kept and k.isdigit() and (whole or int(k) > oldest)
        ]
        self.recent[key] = shown + missing
        if missing:
            self.missing[key] = missing

    def _probe_missing(self) -> None:
        """Look up the tweets the rechecked pages miss, 100 ids a call, once every timeline is
        harvested (a rate limit here costs no timeline). A ``resource-not-found`` error is a
        deletion, a tweet under ``data`` is still there: both are settled and leave ``recent``.
        Anything else leaves the key to be asked again next run."""
        wanted = list(dict.fromkeys(k for keys in self.missing.values() for k in keys))
        decided: set[str] = set()
        for start in range(0, len(wanted), 100):
            ids = wanted[start : start + 100]
            self.client.extra = {"endpoint": "deletion_probe", "ids": ids}
            self.report.counts["deletion_probes"] += len(ids)
            try:
                answer = self.client.get_tweets(
                    ids,
                    expansions=EXPANSIONS,
                    tweet_fields=TWEET_FIELDS,
                    user_fields=USER_FIELDS,
                    media_fields=MEDIA_FIELDS,
                )
            except StopRequested:
                raise
            except CaptureError as exc:  # 5xx, 429 beyond the wait, 401/403, timeout
                self.report.counts["deletion_probes_undecided"] += len(ids)
                self.log.info(
                    "deletion probe of %d tweets decided nothing (%s); asked again next run",
                    len(ids),
                    exc,
                )
                if isinstance(exc, XRateLimited):
                    break  # the window is used up: the rest waits for the next run too
                continue
            there, gone = _probe_answer(answer, ids)
            self.report.counts["found_gone"] += len(gone)
            self.report.counts["deletion_probes_undecided"] += len(ids) - len(there | gone)
            decided |= there | gone
        for key in self.missing:
            self.recent[key] = [k for k in self.recent.get(key, []) if k not in decided]
        self.missing = {}

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


def _post_keys(page: Page) -> list[str]:
    """The Post keys of a page's tweets: the first id of each one's edit history."""
    keys: list[str] = []
    for tweet in page.get("data") or []:
        if not isinstance(tweet, dict) or "id" not in tweet:
            continue
        history = tweet.get("edit_history_tweet_ids")
        keys.append(str(history[0]) if isinstance(history, list) and history else str(tweet["id"]))
    return list(dict.fromkeys(keys))


def _probe_answer(answer: Any, ids: list[str]) -> tuple[set[str], set[str]]:
    """(still there, gone) among the ``ids`` a tweet lookup asked for: listed under ``data``
    (as that version or a later one), or named by a ``resource-not-found`` error for a tweet.
    Other errors (``not-authorized-for-resource`` for a protected account) decide nothing."""
    asked = set(ids)
    there: set[str] = set()
    gone: set[str] = set()
    if not isinstance(answer, dict):
        return there, gone
    for tweet in answer.get("data") or []:
        if isinstance(tweet, dict):
            history = tweet.get("edit_history_tweet_ids")
            versions = history if isinstance(history, list) else []
            there |= asked & {str(i) for i in [tweet.get("id"), *versions]}
    for error in answer.get("errors") or []:
        if (
            isinstance(error, dict)
            and error.get("type") == NOT_FOUND
            and error.get("resource_type") == "tweet"
        ):
            gone |= asked & {str(error.get("resource_id") or error.get("value"))}
    return there, gone - there


def _max_id(*ids: str | None) -> str | None:
    known = [int(i) for i in ids if i]
    return str(max(known)) if known else None
