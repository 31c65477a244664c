"""robots.txt, read once per origin per run and obeyed by default (RFC 9309).

The fetch of robots.txt itself goes through the fetcher, so it is archived like every other
exchange. Unreadable answers follow the RFC: a 4xx means no rules, a 5xx or a network failure
means everything is disallowed until the next run. A verdict carries the reason, so a skipped
source can say exactly why.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

ROBOTS_AGENT = "archiveren"
"""The product token matched against robots.txt User-agent lines."""


@dataclass(frozen=True)
class RobotsVerdict:
    allowed: bool
    reason: str
    crawl_delay: float | None = None
    unreachable: bool = False
    """robots.txt got no HTTP answer at all: the host itself is unreachable."""


@dataclass(frozen=True)
class RobotsAnswer:
    """What fetching robots.txt gave: an HTTP status and body, or None for a network failure."""

    status: int | None
    body: bytes
    error: str = ""


class _Rules:
    def __init__(self, robots_url: str, answer: RobotsAnswer) -> None:
        self.robots_url = robots_url
        self.parser: RobotFileParser | None = None
        self.block_all = ""
        status = answer.status
        self.unreachable = status is None
        if status is None:
            self.block_all = f"robots.txt at {robots_url} could not be fetched ({answer.error}); RFC 9309 says to treat that as disallow-all"
        elif status >= 500:
            self.block_all = f"robots.txt at {robots_url} answered HTTP {status}; RFC 9309 says to treat that as disallow-all"
        elif 200 <= status < 300:
            parser = RobotFileParser(robots_url)
            parser.parse(answer.body.decode("utf-8", errors="replace").splitlines())
            self.parser = parser

    def verdict(self, url: str) -> RobotsVerdict:
        if self.block_all:
            return RobotsVerdict(False, self.block_all, unreachable=self.unreachable)
        if self.parser is None:
            return RobotsVerdict(True, f"robots.txt at {self.robots_url} is absent")
        delay = self.parser.crawl_delay(ROBOTS_AGENT)
        crawl_delay = float(delay) if delay is not None else None
        if self.parser.can_fetch(ROBOTS_AGENT, url):
            return RobotsVerdict(True, f"robots.txt at {self.robots_url} allows it", crawl_delay)
        path = urlsplit(url).path or "/"
        return RobotsVerdict(
            False,
            f"robots.txt at {self.robots_url} disallows {path} for user agent {ROBOTS_AGENT!r}",
            crawl_delay,
        )


class RobotsCache:
    """Rules per origin, fetched on first use through ``fetch_robots(robots_url)``."""

    def __init__(self, fetch_robots: Callable[[str], RobotsAnswer]) -> None:
        self._fetch_robots = fetch_robots
        self._lock = threading.Lock()
        self._origin_locks: dict[str, threading.Lock] = {}
        self._rules: dict[str, _Rules] = {}

    def verdict(self, url: str) -> RobotsVerdict:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        with self._lock:
            origin_lock = self._origin_locks.setdefault(origin, threading.Lock())
        # one fetch per origin even when several threads ask at once
        with origin_lock:
            rules = self._rules.get(origin)
            if rules is None:
                robots_url = origin + "/robots.txt"
                rules = self._rules[origin] = _Rules(robots_url, self._fetch_robots(robots_url))
        return rules.verdict(url)
