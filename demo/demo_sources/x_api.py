"""An X API v2 emulator over the demo dataset, answering like api.x.com for the read endpoints a
collector uses: user lookup, user timelines, recent search, List timelines and tweet lookup.

Wire behaviour follows the recorded responses: app-only ``Authorization: Bearer`` (401 problem
JSON otherwise), ``x-rate-limit-limit/remaining/reset`` on every answer and a 429 problem JSON
when a window is used up (tests force one with ``force_rate_limit``, and make tweet lookups
fail with ``fail_lookup``), 400 problem JSON for
unknown or out-of-range parameters, opaque ``next_token``/``previous_token`` paging with
``meta.result_count/newest_id/oldest_id``. Differences from the real service, on purpose: recent
search covers the whole dataset rather than the last seven days (the demo content is
historical), and only the query operators listed in ``x_render.matches_query`` are understood.
"""

from __future__ import annotations

import math
import re
import secrets
import time
from datetime import datetime, timedelta
from typing import Any

from demo_sources.dataset import Dataset, Tweet, utcnow
from demo_sources.httpbase import Handler, Request, Response, json_response, route
from demo_sources.markup import Links, mp4, png
from demo_sources.social import x_snowflake
from demo_sources.x_params import (
    Problem,
    check_params,
    decode_token,
    encode_token,
    endpoint_of,
    id_arg,
    invalid,
    time_arg,
)
from demo_sources.x_render import XRenderer, fields, matches_query, not_found_error

WINDOW_SECONDS = 15 * 60
COMMON = [
    "expansions",
    "media.fields",
    "place.fields",
    "poll.fields",
    "tweet.fields",
    "user.fields",
]
TIMELINE = COMMON + [
    "end_time",
    "exclude",
    "max_results",
    "pagination_token",
    "since_id",
    "start_time",
    "until_id",
]
SEARCH = COMMON + [
    "end_time",
    "max_results",
    "next_token",
    "pagination_token",
    "query",
    "since_id",
    "sort_order",
    "start_time",
    "until_id",
]
LIST = COMMON + ["max_results", "pagination_token"]
# (limit per 15-minute window, max_results range, default max_results), as documented by X
ENDPOINTS = {
    "user": (300, None, None),
    "timeline": (1500, (5, 100), 10),
    "search": (450, (10, 100), 10),
    "list": (900, (1, 100), 100),
    "lookup": (300, None, None),
}


class XApiApp:
    server_header = "tsa_b"

    def __init__(self, data: Dataset, links: Links, bearer_token: str | None = None) -> None:
        self.data = data
        self.render = XRenderer(data, links)
        self.bearer_token = bearer_token or "demo-bearer-token-" + secrets.token_hex(8)
        self._windows: dict[str, tuple[float, int]] = {}
        self._forced_after: int | None = None
        self._forced_reset_in = 2.0
        self._forced_until: float | None = None
        self._lookup_faults: list[int | str] = []
        n = r"(?P<id>\d{1,19})"
        self.routes: list[tuple[re.Pattern[str], Handler]] = [
            (re.compile(r"/2/users/by/username/(?P<username>\w{1,15})"), self.user_by_username),
            (re.compile(rf"/2/users/{n}"), self.user_by_id),
            (re.compile(rf"/2/users/{n}/tweets"), self.user_tweets),
            (re.compile(r"/2/tweets/search/recent"), self.search_recent),
            (re.compile(rf"/2/lists/{n}/tweets"), self.list_tweets),
            (re.compile(rf"/2/tweets/{n}"), self.tweet_by_id),
            (re.compile(r"/2/tweets"), self.tweets_by_ids),
        ]

    # --- controls ----------------------------------------------------------------------------

    def force_rate_limit(self, after_requests: int = 0, reset_in_seconds: float = 2) -> None:
        """Answer 429 once ``after_requests`` more API requests have been served, until
        ``reset_in_seconds`` later (the reset header says when, as epoch seconds)."""
        self._forced_after = after_requests
        self._forced_reset_in = reset_in_seconds
        self._forced_until = None

    def fail_lookup(self, *answers: int | str) -> None:
        """Answer the next tweet lookups by ids (``GET /2/tweets?ids=``) with ``answers``, in
        order: an HTTP status (503; 429 with a reset an hour away) or ``"not-authorized"`` (200
        with a ``not-authorized-for-resource`` error per id, as for a protected account)."""
        with self.data.lock:
            self._lookup_faults.extend(answers)

    def set_bearer_token(self, token: str) -> None:
        self.bearer_token = token

    # --- serving -----------------------------------------------------------------------------

    def handle(self, request: Request) -> Response:
        if request.path.startswith("/media/") and request.path.endswith(".png"):
            return Response(
                200, png(request.path), "image/png", [("Cache-Control", "max-age=604800")]
            )
        if request.path.startswith("/media/") and request.path.endswith(".mp4"):
            return Response(
                200, mp4(request.path), "video/mp4", [("Cache-Control", "max-age=604800")]
            )
        if request.method != "GET":
            return json_response(
                {
                    "title": "Method Not Allowed",
                    "type": "about:blank",
                    "status": 405,
                    "detail": "Method Not Allowed",
                },
                405,
            )
        if request.header("Authorization") != f"Bearer {self.bearer_token}":
            return json_response(
                {
                    "title": "Unauthorized",
                    "type": "about:blank",
                    "status": 401,
                    "detail": "Unauthorized",
                },
                401,
            )
        limited = self._rate_limited()
        if limited:
            return limited
        fault = self._lookup_fault(request)
        if fault is not None:
            return fault
        try:
            with self.data.lock:
                response = route(self.routes, request)
        except Problem as problem:
            response = problem.response
        if response is None:
            return json_response(
                {"errors": [{"message": "Sorry, that page does not exist", "code": 34}]}, 404
            )
        return self._count(request, response)

    def _rate_limited(self) -> Response | None:
        now = time.time()
        if self._forced_until is not None:
            if now < self._forced_until:
                return self._too_many(self._forced_until)
            self._forced_until = None
        if self._forced_after is not None:
            if self._forced_after <= 0:
                self._forced_after = None
                self._forced_until = float(math.ceil(now + self._forced_reset_in))
                return self._too_many(self._forced_until)
            self._forced_after -= 1
        return None

    def _lookup_fault(self, request: Request) -> Response | None:
        """The answer ``fail_lookup`` queued for this tweet lookup by ids, if any."""
        if request.path.rstrip("/") != "/2/tweets":
            return None
        with self.data.lock:
            if not self._lookup_faults:
                return None
            fault = self._lookup_faults.pop(0)
        if fault == 429:
            return self._too_many(float(math.ceil(time.time() + 3600)))
        if isinstance(fault, int):
            return json_response(
                {"title": "Service Unavailable", "type": "about:blank", "status": fault}, fault
            )
        ids = [i for i in (request.arg("ids") or "").split(",") if i]
        return self._count(
            request, json_response({"errors": [not_authorized_error(i) for i in ids]})
        )

    def _too_many(self, until: float) -> Response:
        body = {
            "title": "Too Many Requests",
            "detail": "Too Many Requests",
            "type": "about:blank",
            "status": 429,
        }
        return json_response(
            body,
            429,
            [
                ("x-rate-limit-limit", "1500"),
                ("x-rate-limit-remaining", "0"),
                ("x-rate-limit-reset", str(int(until))),
            ],
        )

    def _count(self, request: Request, response: Response) -> Response:
        endpoint = endpoint_of(request.path)
        limit = ENDPOINTS[endpoint][0]
        started, used = self._windows.get(endpoint, (time.time(), 0))
        if time.time() - started >= WINDOW_SECONDS:
            started, used = time.time(), 0
        self._windows[endpoint] = (started, used + 1)
        response.headers += [
            ("x-rate-limit-limit", str(limit)),
            ("x-rate-limit-remaining", str(max(limit - used - 1, 0))),
            ("x-rate-limit-reset", str(int(started + WINDOW_SECONDS))),
            ("api-version", "2.100"),
        ]
        return response

    # --- endpoints ---------------------------------------------------------------------------

    def user_by_username(self, request: Request, username: str) -> Response:
        check_params(request, ["expansions", "tweet.fields", "user.fields"])
        person = self.data.person_by_x(username)
        if not person:
            return json_response({"errors": [not_found_error(username, "user", "username")]})
        return json_response({"data": self.render.user(person, fields(request.arg("user.fields")))})

    def user_by_id(self, request: Request, id: str) -> Response:
        check_params(request, ["expansions", "tweet.fields", "user.fields"])
        person = self.data.person_by_x_id(id)
        if not person:
            return json_response({"errors": [not_found_error(id, "user", "id")]})
        return json_response({"data": self.render.user(person, fields(request.arg("user.fields")))})

    def user_tweets(self, request: Request, id: str) -> Response:
        check_params(request, TIMELINE)
        person = self.data.person_by_x_id(id)
        if not person:
            return json_response({"errors": [not_found_error(id, "user", "id")]})
        excluded = fields(request.arg("exclude"))
        tweets = [t for t in self.data.visible_tweets() if t.author == person.key]
        if "retweets" in excluded:
            tweets = [t for t in tweets if not any(k == "retweeted" for k, _ in t.referenced)]
        if "replies" in excluded:
            tweets = [t for t in tweets if not any(k == "replied_to" for k, _ in t.referenced)]
        return self.page(request, tweets, "timeline", "pagination_token")

    def search_recent(self, request: Request) -> Response:
        check_params(request, SEARCH)
        query = request.arg("query")
        if not query:
            raise invalid({"query": [""]}, "The `query` query parameter can not be empty")
        tweets = [
            t
            for t in self.data.visible_tweets()
            if matches_query(t, self.data.person(t.author), query)
        ]
        if request.arg("sort_order") not in (None, "recency", "relevancy"):
            raise invalid(
                {"sort_order": [request.arg("sort_order") or ""]},
                "The `sort_order` query parameter value is not one of [recency,relevancy]",
            )
        token = "next_token" if request.arg("next_token") else "pagination_token"
        return self.page(request, tweets, "search", token)

    def list_tweets(self, request: Request, id: str) -> Response:
        check_params(request, LIST)
        found = self.data.x_lists.get(id)
        if not found:
            return json_response({"errors": [not_found_error(id, "list", "id")]})
        tweets = [t for t in self.data.visible_tweets() if t.author in found.members]
        return self.page(request, tweets, "list", "pagination_token", ids_in_meta=False)

    def tweet_by_id(self, request: Request, id: str) -> Response:
        check_params(request, COMMON)
        tweet = self.data.tweets.get(id)
        if not tweet or tweet.deleted:
            return json_response({"errors": [not_found_error(id, "tweet", "id")]})
        body = self.render.payload([tweet], request.arg)
        body["data"] = body["data"][0]
        return json_response(body)

    def tweets_by_ids(self, request: Request) -> Response:
        check_params(request, COMMON + ["ids"])
        ids = [i for i in (request.arg("ids") or "").split(",") if i]
        if not ids or len(ids) > 100 or not all(i.isdigit() for i in ids):
            raise invalid(
                {"ids": [request.arg("ids") or ""]},
                "The `ids` query parameter value must be 1 to 100 comma-separated tweet ids",
            )
        found = [
            self.data.tweets[i]
            for i in ids
            if i in self.data.tweets and not self.data.tweets[i].deleted
        ]
        body = self.render.payload(found, request.arg) if found else {}
        missing = [
            not_found_error(i, "tweet", "ids") for i in ids if i not in {t.id for t in found}
        ]
        if missing:
            body["errors"] = body.get("errors", []) + missing
        return json_response(body)

    # --- paging ------------------------------------------------------------------------------

    def page(
        self,
        request: Request,
        tweets: list[Tweet],
        endpoint: str,
        token_name: str,
        ids_in_meta: bool = True,
    ) -> Response:
        """One page of ``tweets`` (newest first) after the id, time and token filters."""
        low, high = ENDPOINTS[endpoint][1] or (1, 100)
        raw = request.arg("max_results")
        size = ENDPOINTS[endpoint][2] or 10
        if raw is not None:
            if not raw.isdigit() or not low <= int(raw) <= high:
                raise invalid(
                    {"max_results": [raw]},
                    f"The `max_results` query parameter value [{raw}] is not between {low} and {high}",
                )
            size = int(raw)
        since, until = id_arg(request, "since_id"), id_arg(request, "until_id")
        start, end = time_arg(request, "start_time"), time_arg(request, "end_time")
        tweets = [
            t
            for t in tweets
            if (since is None or int(t.id) > since) and (until is None or int(t.id) < until)
        ]
        tweets = [
            t
            for t in tweets
            if (start is None or t.created_at >= start) and (end is None or t.created_at < end)
        ]
        token = request.arg(token_name)
        index = 0
        if token:
            direction, anchor = decode_token(token, token_name)
            if direction == "n":
                index = next((i for i, t in enumerate(tweets) if int(t.id) <= anchor), len(tweets))
            else:
                newer = [i for i, t in enumerate(tweets) if int(t.id) > anchor]
                index = max(0, (newer[-1] + 1 if newer else 0) - size)
        chosen = tweets[index : index + size]
        body = self.render.payload(chosen, request.arg) if chosen else {}
        meta: dict[str, Any] = {"result_count": len(chosen)}
        if chosen and ids_in_meta:
            meta |= {"newest_id": chosen[0].id, "oldest_id": chosen[-1].id}
        if index + size < len(tweets):
            meta["next_token"] = encode_token("n", int(tweets[index + size].id))
        if index > 0 and chosen:
            meta["previous_token"] = encode_token("p", int(chosen[0].id))
        body["meta"] = meta
        return json_response(body)

    # --- mutations ---------------------------------------------------------------------------

    def add_tweet(
        self, author: str, text: str, *, reply_to: str | None = None, when: datetime | None = None
    ) -> Tweet:
        """Post a tweet as person ``author`` (a dataset key), optionally as a reply."""
        with self.data.lock:
            created = when or utcnow()
            tid = x_snowflake(created, len(self.data.tweets) + 1)
            tweet = Tweet(tid, author, created, text, tid)
            if reply_to:
                parent = self.data.tweets[reply_to]
                tweet.conversation_id = parent.conversation_id
                tweet.referenced = [("replied_to", parent.id)]
                tweet.in_reply_to_user_id = self.data.person(parent.author).x_id
            self.data.tweets[tid] = tweet
            self.data.touch("x_api")
            return tweet

    def edit_tweet(self, tweet_id: str, text: str) -> Tweet:
        """Edit as X does: a new tweet id whose edit history lists every version."""
        with self.data.lock:
            old = self.data.tweets[tweet_id]
            newer = self.add_tweet(
                old.author, text, when=max(utcnow(), old.created_at + timedelta(seconds=1))
            )
            newer.conversation_id, newer.referenced, newer.in_reply_to_user_id = (
                old.conversation_id,
                old.referenced,
                old.in_reply_to_user_id,
            )
            history = old.edit_history + [newer.id]
            for tid in history:
                self.data.tweets[tid].edit_history = list(history)
                self.data.tweets[tid].superseded = tid != newer.id
            return newer

    def delete_tweet(self, tweet_id: str, deleted: bool = True) -> Tweet:
        """Delete a tweet (``deleted=False`` brings it back, as a reinstated tweet comes back)."""
        with self.data.lock:
            tweet = self.data.tweets[tweet_id]
            tweet.deleted = deleted
            self.data.touch("x_api")
            return tweet


def not_authorized_error(value: str) -> dict[str, Any]:
    """The error X gives for a tweet the app may not see (a protected account's)."""
    return {
        "value": value,
        "detail": f"Sorry, you are not authorized to see the Tweet with ids: [{value}].",
        "title": "Authorization Error",
        "resource_type": "tweet",
        "parameter": "ids",
        "resource_id": value,
        "type": "https://api.twitter.com/2/problems/not-authorized-for-resource",
    }
