"""tweepy's API v2 client, with every request sent to the source's API base and archived.

``RecordingXClient`` keeps tweepy for what it is good at (the endpoints, their parameters and
field lists) and replaces its ``request`` so each call goes over the wire once, to
``api_base`` instead of tweepy's fixed host, and is written to the WARC exactly as it came:
request headers in the order sent, the response body with its content-encoding kept. The
bearer token travels only in the Authorization header, which the writer strips from request
records. Rate limits are honoured here, below the paging: a 429 is waited out until
``x-rate-limit-reset`` and the same request is sent again, and when a window's
``x-rate-limit-remaining`` reaches 0 the next request waits for the reset instead of burning a
429. 401/403 become ``XAuthError`` so the collector can fail that source with a clear message.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import requests
import tweepy

from archive import CaptureMetadata, HttpExchange, WarcWriter
from collectors.body import decode_content, spool_body
from collectors.http import StopRequested
from foundation.errors import CaptureError

_READ_CHUNK = 64 * 1024


class XAuthError(CaptureError):
    """The X API refused the bearer token (missing, wrong, revoked or without access)."""


class XRateLimited(CaptureError):
    """A rate-limit window resets later than the collector may wait; ``reset_at`` says when."""

    def __init__(self, message: str, reset_at: float) -> None:
        super().__init__(message)
        self.reset_at = reset_at


class XApiError(CaptureError):
    """The X API answered a request with an error status other than 401/403/429."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class RecordingXClient(tweepy.Client):  # type: ignore[misc]  # tweepy is untyped (Any)
    """A tweepy Client whose HTTP goes to ``api_base`` and into ``writer``.

    Set ``extra`` before each call: it becomes the capture's metadata ``extra`` (endpoint,
    account, list or query), which is all the extractor needs to read the page later."""

    def __init__(
        self,
        bearer_token: str,
        *,
        api_base: str,
        writer: WarcWriter,
        metadata: Callable[[dict[str, Any]], CaptureMetadata],
        user_agent: str,
        timeout: float = 30.0,
        max_bytes: int = 50 * 1024 * 1024,
        max_wait: float = 900.0,
        stop: threading.Event | None = None,
        log: Callable[[str], None] = lambda message: None,
    ) -> None:
        super().__init__(bearer_token=bearer_token, return_type=dict, wait_on_rate_limit=False)
        self.api_base = api_base.rstrip("/")
        self.writer = writer
        self.metadata = metadata
        self.user_agent = user_agent
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.max_wait = max_wait
        self.stop = stop or threading.Event()
        self.log = log
        self.extra: dict[str, Any] = {}
        self.requests_sent = 0
        self.bytes_received = 0
        self.rate_limit_waits = 0
        self._window_resets_at = 0.0

    def request(
        self,
        method: str,
        route: str,
        params: dict[str, Any] | None = None,
        json: Any = None,
        user_auth: bool = False,
    ) -> requests.Response:  # noqa: ARG002 - tweepy's signature; only app-only (bearer) auth is used
        """Send one API call (waiting out rate limits), archive it, and hand tweepy the response."""
        while True:
            self._wait_for_window()
            response = self._send(method, self.api_base + route, params)
            if response.status_code != 429:
                break
            reset_at = _reset_time(response) or time.time() + 60
            if reset_at - time.time() > self.max_wait:
                raise XRateLimited(
                    f"{method} {response.url}: rate limited until {time.strftime('%H:%M:%S', time.localtime(reset_at))}, longer than the {self.max_wait:.0f}s the collector waits; the next run resumes where this one stopped",
                    reset_at,
                )
            self.rate_limit_waits += 1
            self._window_resets_at = reset_at
        if response.status_code in (401, 403):
            raise XAuthError(
                f"{method} {response.url}: the X API refused the bearer token (HTTP {response.status_code} {response.reason}): {_error_detail(response)}"
            )
        if not 200 <= response.status_code < 300:
            raise XApiError(
                f"{method} {response.url}: HTTP {response.status_code} {response.reason}: {_error_detail(response)}",
                response.status_code,
            )
        return response

    def _wait_for_window(self) -> None:
        wait = self._window_resets_at - time.time()
        if wait <= 0:
            return
        if wait > self.max_wait:
            raise XRateLimited(
                f"{self.api_base}: rate-limit window exhausted until {time.strftime('%H:%M:%S', time.localtime(self._window_resets_at))}; the next run resumes where this one stopped",
                self._window_resets_at,
            )
        self.log(f"rate limit reached; waiting {wait:.1f}s for the window to reset")
        # +0.5s: the reset time is in whole seconds and the server's clock may lag ours
        if self.stop.wait(wait + 0.5):
            raise StopRequested(
                f"{self.api_base}: run stopped while waiting for the rate limit to reset"
            )
        self._window_resets_at = 0.0

    def _send(self, method: str, url: str, params: dict[str, Any] | None) -> requests.Response:
        if self.stop.is_set():
            raise StopRequested(f"{url}: run stopped before the request was sent")
        prepared = self.session.prepare_request(
            requests.Request(
                method,
                url,
                params=params,
                headers={
                    "User-Agent": self.user_agent,
                    "Authorization": f"Bearer {self.bearer_token}",
                },
            )
        )
        try:
            response: requests.Response = self.session.send(
                prepared, stream=True, timeout=self.timeout, allow_redirects=False
            )
        except requests.RequestException as exc:
            raise CaptureError(
                f"{method} {prepared.url}: {exc.__class__.__name__}; the API host did not answer (check api_base and the network)"
            ) from None
        try:
            remote_ip = _peer_ip(response)
            raw = spool_body(response.raw.stream(_READ_CHUNK, decode_content=False), self.max_bytes)
        finally:
            response.close()
        self.requests_sent += 1
        self.bytes_received += raw.size
        try:
            host = urlsplit(str(prepared.url)).netloc
            exchange = HttpExchange(
                url=str(prepared.url),
                method=method,
                request_headers=[
                    ("Host", host),
                    *((str(k), str(v)) for k, v in prepared.headers.items()),
                ],
                request_body=b"",
                http_version="HTTP/1.0" if response.raw.version == 10 else "HTTP/1.1",
                status=response.status_code,
                reason=response.reason or "",
                response_headers=[(str(k), str(v)) for k, v in response.raw.headers.items()],
                body=raw.file,
                remote_ip=remote_ip,
                truncated="length" if raw.truncated else None,
            )
            self.writer.write_exchange(exchange, self.metadata(dict(self.extra)))
            body, _ = decode_content(
                raw, response.headers.get("content-encoding", ""), self.max_bytes
            )
        finally:
            raw.close()
        response._content = body  # what tweepy's .json() reads: the decoded body
        self._note_window(response)
        return response

    def _note_window(self, response: requests.Response) -> None:
        if response.headers.get("x-rate-limit-remaining") == "0":
            self._window_resets_at = _reset_time(response) or 0.0


def _reset_time(response: requests.Response) -> float | None:
    try:
        return float(response.headers["x-rate-limit-reset"])
    except (KeyError, ValueError):
        return None


def _peer_ip(response: requests.Response) -> str | None:
    # urllib3 keeps the connection on a streamed response until it is read or closed
    connection = getattr(response.raw, "connection", None) or getattr(
        response.raw, "_connection", None
    )
    sock = getattr(connection, "sock", None)
    try:
        return str(sock.getpeername()[0]) if sock is not None else None
    except OSError:
        return None


def _error_detail(response: requests.Response) -> str:
    try:
        payload = response.json()
    except ValueError:
        return response.text[:200] or "no details"
    if isinstance(payload, dict):
        detail = payload.get("detail") or payload.get("title") or payload.get("errors")
        return str(detail)[:300]
    return str(payload)[:300]
