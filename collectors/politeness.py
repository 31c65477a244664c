"""Politeness towards the hosts archiveren collects from: at most N requests in flight per host,
a minimum delay between the starts of two requests to one host, and the waiting rules for
retries (exponential backoff with jitter, or the server's own ``Retry-After``). Every wait
listens to the run's stop event, so a shutdown never hangs on a sleeping collector."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime


class HostGate:
    """Per-host concurrency semaphore and start-to-start delay, shared by every source of a run."""

    def __init__(self, concurrency_per_host: int, default_delay: float) -> None:
        self._concurrency = concurrency_per_host
        self._default_delay = default_delay
        self._lock = threading.Lock()
        self._slots: dict[str, threading.BoundedSemaphore] = {}
        self._next_start: dict[str, float] = {}

    def _slot(self, host: str) -> threading.BoundedSemaphore:
        with self._lock:
            slot = self._slots.get(host)
            if slot is None:
                slot = self._slots[host] = threading.BoundedSemaphore(self._concurrency)
            return slot

    @contextmanager
    def request(self, host: str, delay: float | None, stop: threading.Event) -> Iterator[None]:
        """Hold one of ``host``'s request slots, starting no sooner than ``delay`` seconds after
        the previous request to that host started."""
        slot = self._slot(host)
        while not slot.acquire(timeout=0.2):
            if stop.is_set():
                raise InterruptedError("stop requested while waiting for a request slot")
        try:
            gap = self._default_delay if delay is None else delay
            with self._lock:
                now = time.monotonic()
                start = max(now, self._next_start.get(host, 0.0))
                # reserve the start time under the lock so concurrent callers queue up in turn
                self._next_start[host] = start + gap
            if start > now and stop.wait(start - now):
                raise InterruptedError("stop requested while waiting for the politeness delay")
            yield
        finally:
            slot.release()

    def hold_off(self, host: str, seconds: float) -> None:
        """Let no request start on ``host`` for ``seconds`` (a 429 or 503 with Retry-After)."""
        with self._lock:
            until = time.monotonic() + seconds
            self._next_start[host] = max(self._next_start.get(host, 0.0), until)


def backoff_seconds(attempt: int, base: float, cap: float = 300.0) -> float:
    """Exponential backoff with full jitter: uniform in [base * 2**attempt / 2, base * 2**attempt]."""
    ceiling = min(cap, base * (2**attempt))
    return random.uniform(ceiling / 2, ceiling)


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP-date); None if the
    header is absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())
