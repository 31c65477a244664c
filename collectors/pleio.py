"""The Pleio collector: blogs, news, discussions, questions, wiki pages and events of a Pleio
site, with their comment threads, through the site's GraphQL API (``<url>/graphql``).

Every query is a POST through the shared fetcher, so robots.txt, politeness, retries (429 and
5xx, ``Retry-After`` included) and WARC recording are those of every other source: the WARC
holds each request with its JSON body (query and variables) and each response as it came. For
each subtype the collector lists the entities page by page, oldest first, until a page comes
back short (``total`` alone is not trusted: an older version of Pleio's resolver counted the
page, not the list); the list pages carry every field a Post needs. An entity whose ``commentCount`` differs from the last run's (a new
entity with comments, or a thread that grew) gets its thread fetched, nested
``COMMENT_LEVELS`` deep, and a comment at the last level that has replies is fetched again by
its own guid. The state keeps each entity's ``commentCount`` and ``timeUpdated``, so an
unchanged thread is not fetched again, and where a listing cut short by ``max_pages`` goes on.
A GraphQL error, an HTTP error or an answer that is not JSON costs that subtype, with a
message naming the source, the subtype and what the site said.
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Callable, Iterator
from typing import Any, ClassVar

from collectors.base import Collector, RunReport
from collectors.http import FetchError, RobotsDisallowed, StopRequested
from collectors.pleio_queries import COMMENT_LEVELS, ENTITIES_QUERY, THREAD_QUERY
from config.models import PleioSource
from foundation.errors import CaptureError
from foundation.scrub import register_secrets

MAX_THREAD_QUERIES = 200
"""Most thread queries for one entity: a bound on a deeper thread than any real discussion."""


class PleioUnavailable(CaptureError):
    """The site cannot be read at all (access refused, no GraphQL API, the host unreachable):
    every subtype would fail the same way, so the source stops with this one error."""


class PleioCollector(Collector):
    """Collects the entities and comment threads of one ``type: pleio`` source."""

    source_type: ClassVar[str] = "pleio"
    platform: ClassVar[str] = "pleio"
    source: PleioSource

    def run(self) -> RunReport:
        self.site = self.source.url.rstrip("/")
        self.endpoint = f"{self.site}/graphql"
        self.auth: list[tuple[str, str]] = []
        if self.source.access_token_env:
            token = os.environ.get(self.source.access_token_env, "").strip()
            if not token:
                self.report.error(
                    f"source {self.source.name!r}: environment variable {self.source.access_token_env} holds no token; set it or remove access_token_env"
                )
                self.report.outcome = "failed"
                return self.report
            register_secrets({self.source.access_token_env: token})
            self.auth = [("Authorization", f"Bearer {token}")]
        state = self.context.state
        self.known: dict[str, dict[str, list[Any]]] = state.setdefault("entities", {})
        self.resume: dict[str, int] = state.setdefault("resume", {})
        try:
            for subtype in self.source.subtypes:
                self._guarded(subtype, functools.partial(self._subtype, subtype))
        except (PleioUnavailable, RobotsDisallowed) as exc:
            self.report.error(f"source {self.source.name!r}: {exc}")
            self.report.outcome = "failed"
        if self.report.errors and not self.report.counts["entities"]:
            self.report.outcome = "failed"  # the answers archived hold no content
        return self.report

    def _guarded(self, subtype: str, harvest: Callable[[], None]) -> None:
        try:
            harvest()
        except (StopRequested, PleioUnavailable, RobotsDisallowed):
            raise  # the whole source stops: every subtype would fail the same way
        except FetchError as exc:
            if exc.status is None:  # no answer at all: the host is down or unreachable
                raise PleioUnavailable(str(exc)) from None
            self.report.error(f"source {self.source.name!r}, {subtype}: {exc}")
        except CaptureError as exc:
            self.report.error(f"source {self.source.name!r}, {subtype}: {exc}")

    def _subtype(self, subtype: str) -> None:
        known = self.known.setdefault(subtype, {})
        offset = self.resume.pop(subtype, 0)
        for _ in range(self.source.max_pages):
            data = self._query(
                "ArchiverenEntities",
                ENTITIES_QUERY,
                {"subtype": subtype, "offset": offset, "limit": self.source.page_size},
                {"endpoint": "entities", "subtype": subtype, "offset": offset},
            )
            listing = data.get("entities")
            if not isinstance(listing, dict):
                raise CaptureError(
                    f"{self.endpoint}: the answer to the entities query has no list of entities; is {self.site} a Pleio site?"
                )
            edges = [
                e for e in _list(listing.get("edges")) if isinstance(e, dict) and e.get("guid")
            ]
            self.report.counts["entities"] += len(edges)
            for edge in edges:
                guid = str(edge["guid"])
                seen = [edge.get("timeUpdated"), edge.get("commentCount")]
                count = edge.get("commentCount")
                before = known.get(guid)
                if isinstance(count, int) and count > 0 and (before is None or before[1] != count):
                    self._thread(subtype, guid)
                known[guid] = seen
            offset += len(edges)
            if _last_page(len(edges), self.source.page_size, offset, listing.get("total")):
                return
        self.resume[subtype] = offset
        self.log.info(
            "%s: stopped after %d pages at offset %d; the next run continues from there",
            subtype,
            self.source.max_pages,
            offset,
        )

    def _thread(self, subtype: str, entity_guid: str) -> None:
        """Archive an entity's comment thread: its own query, then one per comment whose
        replies lie deeper than the query nests."""
        pending = [entity_guid]
        asked: set[str] = set()
        for _ in range(MAX_THREAD_QUERIES):
            if not pending:
                return
            guid = pending.pop(0)
            if guid in asked:  # a site that answers a comment with itself: no loop
                continue
            asked.add(guid)
            data = self._query(
                "ArchiverenThread",
                THREAD_QUERY,
                {"guid": guid},
                {
                    "endpoint": "thread",
                    "subtype": subtype,
                    "entity_guid": entity_guid,
                    "guid": guid,
                },
            )
            top = data.get("entity")
            if not isinstance(top, dict):
                self.report.counts["gone"] += 1
                continue
            for comment, level in _comments(top):
                self.report.counts["comments"] += 1
                replies = comment.get("commentCount")
                if level == COMMENT_LEVELS and isinstance(replies, int) and replies > 0:
                    pending.append(str(comment["guid"]))
        if pending:
            self.report.error(
                f"{self.endpoint}: the comment thread of {subtype} {entity_guid} is deeper than {MAX_THREAD_QUERIES} queries; the rest was not collected"
            )

    def _query(
        self, operation: str, query: str, variables: dict[str, Any], extra: dict[str, Any]
    ) -> dict[str, Any]:
        """POST one query and return its ``data``; the exchange is archived whatever came back."""
        body = json.dumps(
            {"operationName": operation, "query": query, "variables": variables},
            ensure_ascii=False,
        ).encode("utf-8")
        result = self.fetch(
            self.endpoint,
            kind="api_page",
            method="POST",
            body=body,
            accept="application/json",
            headers=[("Content-Type", "application/json")],
            auth_headers=self.auth,
            extra={"site": self.site, "operation": operation, **extra},
        )
        if result.status in (401, 403):
            raise PleioUnavailable(
                f"{self.endpoint}: the site refused access (HTTP {result.status}); check the token in {self.source.access_token_env or '(no access_token_env set)'}"
            )
        if result.status in (404, 405):
            raise PleioUnavailable(
                f"{self.endpoint}: no GraphQL API here (HTTP {result.status}); is {self.site} a Pleio site from 2018 or later? An older Elgg-based Pleio site is a 'network' source with profile 'pleio'"
            )
        payload = _json(result.body)
        if not isinstance(payload, dict):
            raise CaptureError(
                f"{self.endpoint}: HTTP {result.status}, and the answer is not GraphQL's JSON ({result.content_type or 'no content type'}, {len(result.body)} bytes); is {self.site} a Pleio site?"
            )
        errors = _messages(payload.get("errors"))
        data = payload.get("data")
        if not isinstance(data, dict):
            said = "; ".join(errors) or "no data and no error message"
            raise CaptureError(
                f"{self.endpoint}: the {operation} query failed (HTTP {result.status}): {said}"
            )
        if not result.ok:
            raise CaptureError(f"{self.endpoint}: HTTP {result.status} {result.reason}")
        if errors:
            self.report.error(
                f"{self.endpoint}: the {operation} query ({extra.get('subtype')}) answered with errors beside its data: {'; '.join(errors)}"
            )
        return data


def _last_page(count: int, limit: int, offset: int, total: Any) -> bool:
    """Whether a list page of ``count`` entities ends the listing (``offset`` is past it). A
    short page does; a full one only when ``total`` says so, and a ``total`` no larger than one
    page may be Pleio's older count of the page itself (its resolver counted the slice), so then
    the next page is asked for all the same."""
    if count < limit:
        return True
    return isinstance(total, int) and offset >= total and total > limit


def _list(value: Any) -> list[Any]:
    """``value`` when it is a JSON array, else an empty one (fields may be null, or hostile)."""
    return value if isinstance(value, list) else []


def _json(body: bytes) -> Any:
    try:
        return json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None


def _messages(errors: Any) -> list[str]:
    if not isinstance(errors, list):
        return []
    return [
        str(error.get("message"))[:300] if isinstance(error, dict) else str(error)[:300]
        for error in errors[:5]
    ]


def _comments(top: dict[str, Any]) -> Iterator[tuple[dict[str, Any], int]]:
    """Each comment under ``top`` with its level (1: answers ``top`` directly)."""
    stack = [(c, 1) for c in reversed(_list(top.get("comments"))) if isinstance(c, dict)]
    while stack:
        comment, level = stack.pop()
        if not comment.get("guid"):
            continue
        yield comment, level
        replies = _list(comment.get("comments"))
        stack.extend((c, level + 1) for c in reversed(replies) if isinstance(c, dict))
