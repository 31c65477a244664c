"""The HTTP layer the six demo servers share: a threaded stdlib server per site, a request log,
and the wire details real sites get right (ETag and Last-Modified with 304 answers, gzip when the
client accepts it, HEAD, redirects). Each site is an ``App`` that maps a ``Request`` to a
``Response``; this module owns the bytes on the wire so every site behaves the same way there.
A test can make a site misbehave for chosen addresses (``DemoServer.misbehave``): answer 503 or
429, or keep the client waiting past its timeout, as real sites do on a bad day.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import socketserver
import sys
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from email.message import Message
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, NamedTuple, Protocol
from urllib.parse import parse_qs, urlsplit


class LoggedRequest(NamedTuple):
    """One request as a demo server saw it, for tests that count requests or check headers."""

    method: str
    path: str
    status: int
    headers: dict[str, str]


STALL = "stall"
"""A misbehaviour: answer nothing for ``DemoServer.stall_seconds``, then close the connection."""


@dataclass
class _Misbehaviour:
    address: re.Pattern[str]
    answers: list[int | str]
    repeat: bool = False


@dataclass
class Request:
    method: str
    target: str
    path: str
    query: dict[str, list[str]]
    headers: Message
    body: bytes = b""
    """The request body as sent (a POSTed GraphQL query); empty for GET and HEAD."""

    def arg(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[0] if values else default

    def header(self, name: str) -> str | None:
        return self.headers.get(name)


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    content_type: str = "text/html; charset=UTF-8"
    headers: list[tuple[str, str]] = field(default_factory=list)

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)


class App(Protocol):
    server_header: str

    def handle(self, request: Request) -> Response: ...


Handler = Callable[..., Response]


def html(text: str, status: int = 200, headers: list[tuple[str, str]] | None = None) -> Response:
    return Response(status, text.encode("utf-8"), "text/html; charset=UTF-8", headers or [])


def json_response(
    obj: Any, status: int = 200, headers: list[tuple[str, str]] | None = None
) -> Response:
    body = json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return Response(status, body, "application/json; charset=utf-8", headers or [])


def redirect(location: str, status: int = 301) -> Response:
    return Response(status, b"", "text/html; charset=UTF-8", [("Location", location)])


def http_date(when: datetime) -> str:
    return format_datetime(when, usegmt=True)


def route(routes: list[tuple[re.Pattern[str], Handler]], request: Request) -> Response | None:
    """Call the first handler whose pattern matches the whole path, with the named groups."""
    for pattern, handler in routes:
        match = pattern.fullmatch(request.path)
        if match:
            return handler(request, **match.groupdict())
    return None


def conditional(request: Request, response: Response, last_modified: datetime) -> Response:
    """Add a strong ETag (hash of the body) and Last-Modified; answer 304 when the client's copy
    is current. If-None-Match wins over If-Modified-Since, as RFC 9110 says."""
    etag = '"' + hashlib.sha1(response.body).hexdigest()[:20] + '"'
    response.headers += [("ETag", etag), ("Last-Modified", http_date(last_modified))]
    if_none_match = request.header("If-None-Match")
    if if_none_match is not None:
        tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
        fresh = "*" in tags or etag in tags
    else:
        fresh = _not_modified_since(request.header("If-Modified-Since"), last_modified)
    if fresh:
        return Response(
            304,
            b"",
            response.content_type,
            [
                h
                for h in response.headers
                if h[0] in ("ETag", "Last-Modified", "Vary", "Cache-Control")
            ],
        )
    return response


def _not_modified_since(value: str | None, last_modified: datetime) -> bool:
    if not value:
        return False
    try:
        since = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return False
    return since.tzinfo is not None and last_modified.replace(microsecond=0) <= since


def accepts_gzip(value: str | None) -> bool:
    for part in (value or "").split(","):
        coding, _, params = part.strip().partition(";")
        if coding.strip().lower() in ("gzip", "*"):
            q = re.search(r"q\s*=\s*([0-9.]+)", params)
            return not q or float(q.group(1)) > 0
    return False


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def server_bind(self) -> None:
        # HTTPServer.server_bind looks the host up with getfqdn(), which can take seconds
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = (
            str(self.server_address[0]),
            int(self.server_address[1]),
        )


class DemoServer:
    """One demo site on its own port, served by daemon threads so a test never hangs on exit."""

    def __init__(self, name: str, app: App, host: str = "127.0.0.1", port: int = 0) -> None:
        self.name = name
        self.app = app
        self.request_log: list[LoggedRequest] = []
        self.httpd = _Server((host, port), _handler_for(self))
        self.host = host
        self.port = self.httpd.server_address[1]
        self._thread: threading.Thread | None = None
        self.misbehaviours: list[_Misbehaviour] = []
        self.stall_seconds = 5.0
        self._lock = threading.Lock()

    def misbehave(self, address: str, *answers: int | str, repeat: bool = False) -> None:
        """Answer the next requests whose path and query match the regular expression
        ``address`` with ``answers`` in turn: an HTTP status (503, 429 with Retry-After: 3600,
        a bare 200 page, ...) or ``STALL``; after those the site answers as usual again. With
        ``repeat`` the last answer is given until ``behave``."""
        with self._lock:
            self.misbehaviours.append(_Misbehaviour(re.compile(address), list(answers), repeat))

    def behave(self) -> None:
        """Forget every misbehaviour still planned: answer as usual from now on."""
        with self._lock:
            self.misbehaviours.clear()

    def misbehaviour_for(self, target: str) -> int | str | None:
        """The next misbehaviour planned for ``target`` (taken), or None."""
        with self._lock:
            for planned in self.misbehaviours:
                if planned.answers and planned.address.search(target):
                    if planned.repeat and len(planned.answers) == 1:
                        return planned.answers[0]
                    return planned.answers.pop(0)
        return None

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}/"

    def start(self) -> None:
        self._thread = threading.Thread(
            target=self.httpd.serve_forever,
            kwargs={"poll_interval": 0.02},
            name=f"demo-{self.name}",
            daemon=True,
        )
        self._thread.start()

    def stop(self) -> None:
        if self._thread:
            self.httpd.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self.httpd.server_close()


def _misbehaving(status: int) -> Response:
    if status == 429:  # as X and Mastodon say it: come back in an hour
        reset = str(int(time.time()) + 3600)
        limits = [("Retry-After", "3600"), ("x-rate-limit-remaining", "0")]
        limits += [("x-rate-limit-reset", reset), ("X-RateLimit-Reset", reset)]
        return Response(429, b"Too Many Requests\n", "text/plain; charset=utf-8", limits)
    return Response(status, b"Temporarily unavailable\n", "text/plain; charset=utf-8")


def _handler_for(server: DemoServer) -> type[BaseHTTPRequestHandler]:
    class _Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = server.app.server_header
        sys_version = ""

        def do_GET(self) -> None:
            self._serve(send_body=True)

        def do_HEAD(self) -> None:
            self._serve(send_body=False)

        do_POST = do_PUT = do_DELETE = do_GET

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the request log is the record, stderr stays clean for test output."""

        def _serve(self, send_body: bool) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            parts = urlsplit(self.path)
            request = Request(
                self.command,
                self.path,
                parts.path,
                parse_qs(parts.query, keep_blank_values=True),
                self.headers,
                body,
            )
            misbehaviour = server.misbehaviour_for(self.path)
            if misbehaviour == STALL:
                server.request_log.append(LoggedRequest(self.command, self.path, 0, {}))
                time.sleep(server.stall_seconds)
                self.close_connection = True
                return
            try:
                if isinstance(misbehaviour, int):
                    response = _misbehaving(misbehaviour)
                else:
                    response = server.app.handle(request)
            except Exception:
                traceback.print_exc(file=sys.stderr)
                response = Response(500, b"Internal Server Error\n", "text/plain; charset=utf-8")
            body = response.body
            headers = list(response.headers)
            compressible = not response.content_type.startswith("image/")
            if compressible and accepts_gzip(self.headers.get("Accept-Encoding")):
                # like nginx: the compressed representation keeps the tag, but only as a weak
                # one, and a 304 to a gzip-accepting client names that same weak tag
                headers = [
                    (k, "W/" + v if k == "ETag" and not v.startswith("W/") else v)
                    for k, v in headers
                ]
                if response.status == 200 and body:
                    body = gzip.compress(body, mtime=0)
                    headers += [("Content-Encoding", "gzip"), ("Vary", "Accept-Encoding")]
            # logged before the answer goes out, so a client that has its answer finds it logged
            server.request_log.append(
                LoggedRequest(self.command, self.path, response.status, dict(self.headers.items()))
            )
            self.send_response(response.status)
            if response.status != 304:
                self.send_header("Content-Type", response.content_type)
                self.send_header("Content-Length", str(len(body)))
            for name, value in headers:
                self.send_header(name, value)
            self.end_headers()
            if send_body and response.status != 304:
                self.wfile.write(body)

    return _Handler
