"""The fetcher: the one layer every collector's HTTP goes through.

``Fetcher.fetch`` obeys robots.txt (unless the source says otherwise), waits its turn on the
host (politeness delay and concurrency), sends a User-Agent naming archiveren and the operator's
contact address, streams the response body (kept as received, capped in size), writes the
exchange to the WARC writer as soon as it is complete, and retries 429, 5xx and network
failures with exponential backoff or the server's ``Retry-After``. Every hop of a redirect is
its own archived exchange. The collector gets the decoded body back, bounded.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from http.cookiejar import CookieJar, DefaultCookiePolicy
from typing import Any
from urllib.parse import urlsplit

import httpx

from archive import CaptureMetadata, HttpExchange, WarcWriter, WriteResult
from collectors.body import decode_content, spool_body
from collectors.politeness import HostGate, backoff_seconds, retry_after_seconds
from collectors.robots import RobotsAnswer, RobotsCache, RobotsVerdict
from config.models import HttpSettings
from foundation import __version__
from foundation.errors import CaptureError
from foundation.urls import join_url

log = logging.getLogger("archiveren.collectors.http")

MAX_REDIRECTS = 10
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


class FetchError(CaptureError):
    """A URL could not be fetched: the network failed or the host kept refusing after retries.
    ``status`` is the last HTTP status when there was an answer, None for a network failure."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class RobotsDisallowed(CaptureError):
    """robots.txt forbids the URL; the message says which robots.txt and which path."""


class StopRequested(CaptureError):
    """The run was asked to stop (shutdown) while this fetch was waiting or running."""


@dataclass(frozen=True)
class SourceProfile:
    """Who is fetching: goes into every capture's metadata record, and sets the per-source rules."""

    source: str
    platform: str
    collector: str
    collector_version: str
    run_id: int | None = None
    obey_robots: bool = True
    delay_seconds: float | None = None


@dataclass
class FetchResult:
    """The final response of a fetch (after redirects), with its body decoded and bounded."""

    url: str
    status: int
    reason: str
    headers: list[tuple[str, str]]
    body: bytes
    write_result: WriteResult | None
    truncated: str | None = None
    decode_error: str = ""
    redirects: list[str] = field(default_factory=list)
    attempts: int = 1

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def content_type(self) -> str:
        return self.header("content-type") or ""

    def header(self, name: str) -> str | None:
        wanted = name.lower()
        return next((value for key, value in self.headers if key.lower() == wanted), None)


def user_agent(contact: str) -> str:
    return f"archiveren/{__version__} (+{contact})"


class Fetcher:
    """Shared by all sources of one run; thread-safe. Close it (or use ``with``) when done."""

    def __init__(
        self,
        settings: HttpSettings,
        writer: WarcWriter,
        *,
        stop: threading.Event | None = None,
        backoff_base: float = 1.0,
        max_retry_after: float = 600.0,
        max_body_seconds: float | None = None,
    ) -> None:
        self.settings = settings
        self.writer = writer
        self.stop = stop or threading.Event()
        self.backoff_base = backoff_base
        self.max_retry_after = max_retry_after
        self.max_body_seconds = max_body_seconds or settings.timeout_seconds * 10
        self.user_agent = user_agent(settings.contact)
        self._gate = HostGate(settings.concurrency_per_host, settings.delay_seconds)
        self._profiles_lock = threading.Lock()
        self._robots_profile: dict[str, SourceProfile] = {}
        self._robots = RobotsCache(self._fetch_robots)
        # no cookie is ever stored: sources must not leak state into each other
        cookies = CookieJar(policy=DefaultCookiePolicy(allowed_domains=[]))
        self._client = httpx.Client(
            timeout=settings.timeout_seconds,
            follow_redirects=False,
            cookies=cookies,
            headers={"User-Agent": self.user_agent, "Accept-Encoding": "gzip, deflate"},
            limits=httpx.Limits(max_connections=64, max_keepalive_connections=16),
        )

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def robots_verdict(self, url: str, profile: SourceProfile) -> RobotsVerdict:
        """The robots.txt verdict for ``url``; fetching (and archiving) robots.txt on first use."""
        # the robots.txt exchange is archived under the first source that needed it
        with self._profiles_lock:
            self._robots_profile.setdefault(_origin(url), profile)
        return self._robots.verdict(url)

    def fetch(
        self,
        url: str,
        *,
        profile: SourceProfile,
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
        """Fetch ``url`` for ``profile``, archiving every exchange as capture ``kind``.

        ``conditional`` is (ETag, Last-Modified) from the previous run. ``auth_headers`` are sent
        only to the origin of ``url`` (dropped on a cross-origin redirect) and never logged; the
        writer strips them from the WARC. 4xx answers are returned; robots.txt refusals raise
        ``RobotsDisallowed``, exhausted retries raise ``FetchError``."""
        metadata = CaptureMetadata(
            source=profile.source,
            platform=profile.platform,
            collector=profile.collector,
            collector_version=profile.collector_version,
            capture_kind=kind,
            run_id=profile.run_id,
            extra=dict(extra or {}),
        )
        send: list[tuple[str, str]] = [("Accept", accept), *headers]
        etag, last_modified = conditional or (None, None)
        if etag:
            send.append(("If-None-Match", etag))
        if last_modified:
            send.append(("If-Modified-Since", last_modified))
        origin = _origin(url)
        hops: list[str] = []
        current = url
        for _ in range(MAX_REDIRECTS + 1):
            if profile.obey_robots:
                verdict = self.robots_verdict(current, profile)
                if verdict.unreachable:
                    raise FetchError(f"{current}: not fetched: {verdict.reason}")
                if not verdict.allowed:
                    raise RobotsDisallowed(
                        f"{current}: not fetched: {verdict.reason} (set obey_robots: false on source {profile.source!r} to override)"
                    )
            delay = self._delay(current, profile)
            auth = list(auth_headers) if _origin(current) == origin else []
            result = self._with_retries(
                method,
                current,
                send + auth,
                body,
                metadata,
                delay,
                want_body,
                max_bytes or self.settings.max_response_bytes,
            )
            location = result.header("location")
            if result.status not in REDIRECT_STATUSES or not location:
                result.redirects = hops
                return result
            hops.append(current)
            following = join_url(current, location)
            if not following:
                raise FetchError(f"{current}: redirect to {location!r}, which is not a URL")
            current = following
            if result.status == 303 or (result.status in (301, 302) and method == "POST"):
                method, body = "GET", b""
        raise FetchError(
            f"{url}: more than {MAX_REDIRECTS} redirects (last to {current}); check the source URL",
            status=result.status,
        )

    def _delay(self, url: str, profile: SourceProfile) -> float:
        delay = (
            self.settings.delay_seconds if profile.delay_seconds is None else profile.delay_seconds
        )
        if profile.obey_robots:
            crawl_delay = self._robots.verdict(url).crawl_delay
            if crawl_delay is not None:
                delay = max(delay, crawl_delay)
        return delay

    def _fetch_robots(self, robots_url: str) -> RobotsAnswer:
        with self._profiles_lock:
            profile = self._robots_profile.get(_origin(robots_url))
        assert profile is not None, "robots_verdict registers the profile before the cache fetches"
        robots_profile = SourceProfile(
            profile.source,
            profile.platform,
            profile.collector,
            profile.collector_version,
            profile.run_id,
            obey_robots=False,
            delay_seconds=profile.delay_seconds,
        )
        try:
            result = self.fetch(
                robots_url,
                profile=robots_profile,
                kind="robots",
                accept="text/plain",
                max_bytes=512 * 1024,
            )
        except FetchError as exc:
            return RobotsAnswer(exc.status, b"", str(exc))
        return RobotsAnswer(result.status, result.body)

    def _with_retries(
        self,
        method: str,
        url: str,
        headers: list[tuple[str, str]],
        body: bytes,
        metadata: CaptureMetadata,
        delay: float,
        want_body: bool,
        max_bytes: int,
    ) -> FetchResult:
        host = urlsplit(url).netloc
        retries = self.settings.retries
        for attempt in range(retries + 1):
            if self.stop.is_set():
                raise StopRequested(f"{url}: run stopped before the request was sent")
            try:
                result = self._exchange(
                    method, url, headers, body, metadata, host, delay, want_body, max_bytes
                )
            except httpx.TransportError as exc:
                problem = f"{exc.__class__.__name__}: {exc}" if str(exc) else exc.__class__.__name__
                if attempt == retries:
                    raise FetchError(
                        f"{method} {url}: {problem}, after {attempt + 1} attempts; the host may be down or too slow (http.timeout_seconds is {self.settings.timeout_seconds})"
                    ) from None
                wait = backoff_seconds(attempt, self.backoff_base)
                log.info("%s %s: %s; retrying in %.1fs", method, url, problem, wait)
                self._gate.hold_off(host, wait)
                continue
            result.attempts = attempt + 1
            if result.status not in RETRY_STATUSES:
                return result
            asked = retry_after_seconds(result.header("retry-after"))
            if asked is not None and asked > self.max_retry_after:
                raise FetchError(
                    f"{method} {url}: HTTP {result.status} with Retry-After of {asked:.0f}s, longer than the {self.max_retry_after:.0f}s archiveren waits; the next run will try again",
                    status=result.status,
                )
            if attempt == retries:
                raise FetchError(
                    f"{method} {url}: HTTP {result.status} {result.reason} after {attempt + 1} attempts; gave up (the host is overloaded or failing; the next run will try again)",
                    status=result.status,
                )
            wait = asked if asked is not None else backoff_seconds(attempt, self.backoff_base)
            log.info(
                "%s %s: HTTP %s; waiting %.1fs before retry %d of %d",
                method,
                url,
                result.status,
                wait,
                attempt + 1,
                retries,
            )
            self._gate.hold_off(host, wait)
        raise AssertionError("unreachable: the loop returns or raises")

    def _exchange(
        self,
        method: str,
        url: str,
        headers: list[tuple[str, str]],
        body: bytes,
        metadata: CaptureMetadata,
        host: str,
        delay: float,
        want_body: bool,
        max_bytes: int,
    ) -> FetchResult:
        request = self._client.build_request(method, url, headers=headers, content=body or None)
        try:
            with self._gate.request(host, delay, self.stop):
                response = self._client.send(request, stream=True)
                try:
                    stream = response.extensions.get("network_stream")
                    server = stream.get_extra_info("server_addr") if stream is not None else None
                    timed_out: list[bool] = []
                    raw = spool_body(self._chunks(response, timed_out), max_bytes)
                finally:
                    response.close()
        except InterruptedError as exc:
            raise StopRequested(f"{url}: {exc}") from None
        truncated = "length" if raw.truncated else "time" if timed_out else None
        try:
            exchange = HttpExchange(
                url=url,
                method=method,
                request_headers=[
                    (k.decode("latin-1"), v.decode("latin-1")) for k, v in request.headers.raw
                ],
                request_body=body,
                http_version=response.http_version,
                status=response.status_code,
                reason=response.reason_phrase,
                response_headers=[
                    (k.decode("latin-1"), v.decode("latin-1")) for k, v in response.headers.raw
                ],
                body=raw.file,
                remote_ip=server[0] if server else None,
                truncated=truncated,
            )
            write_result = self.writer.write_exchange(exchange, metadata)
            decoded, decode_error = (
                decode_content(raw, response.headers.get("content-encoding", ""), max_bytes)
                if want_body
                else (b"", "")
            )
        finally:
            raw.close()
        if truncated:
            log.warning(
                "%s %s: response cut off (%s) at %d bytes; archived as truncated",
                method,
                url,
                truncated,
                raw.size,
            )
        return FetchResult(
            url,
            response.status_code,
            response.reason_phrase,
            exchange.response_headers,
            decoded,
            write_result,
            truncated,
            decode_error,
        )

    def _chunks(self, response: httpx.Response, timed_out: list[bool]) -> Iterator[bytes]:
        """The raw body; stops (and notes it) on a read timeout or when the body takes too long,
        because a partial capture marked truncated beats none."""
        deadline = time.monotonic() + self.max_body_seconds
        try:
            for chunk in response.iter_raw():
                yield chunk
                if time.monotonic() > deadline or self.stop.is_set():
                    timed_out.append(True)
                    return
        except httpx.ReadTimeout:
            timed_out.append(True)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()
