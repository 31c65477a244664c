"""Named locks in the catalogue that hold across processes and hosts: one collection run per
source, one indexing run per index. A holder refreshes its lock while it works (a heartbeat),
so a lock whose holder died on another host is taken over after ``stale_after_seconds``, and one
whose holder was a process on this host that is gone is taken over at once."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from catalogue.store import this_holder
from foundation.errors import AlreadyRunning

if TYPE_CHECKING:
    from catalogue.store import Catalogue

INDEX_LOCK = "__index__"
"""The lock every writer of the index takes: `index`, `index --rebuild` and the scheduler."""
HEARTBEAT_MAX_SECONDS = 60.0


class HeldLock:
    """A lock this process holds; ``still_here`` refreshes it, at most every ``interval`` s."""

    def __init__(self, catalogue: Catalogue, name: str, holder: str, interval: float) -> None:
        self.catalogue, self.name, self.holder, self.interval = catalogue, name, holder, interval
        self._refreshed = time.monotonic()

    def still_here(self) -> None:
        if time.monotonic() - self._refreshed < self.interval:
            return
        self._refreshed = time.monotonic()
        try:
            self.catalogue.refresh_run_lock(self.name, self.holder)
        except Exception:  # noqa: BLE001 - a catalogue hiccup costs one heartbeat, never the work
            pass


@contextmanager
def holding(
    catalogue: Catalogue,
    name: str,
    what: str,
    *,
    stale_after_seconds: float,
    wait_seconds: float = 0.0,
    heartbeat_thread: bool = True,
) -> Iterator[HeldLock]:
    """Hold the lock ``name`` while the block runs; wait up to ``wait_seconds`` for it, then
    raise AlreadyRunning naming ``what`` and the holder. The lock is kept fresh by a thread, or,
    with ``heartbeat_thread=False`` (a process that must stay single-threaded to fork), by the
    holder calling ``still_here()`` as it makes progress."""
    holder = this_holder()
    deadline = time.monotonic() + wait_seconds
    while not catalogue.acquire_run_lock(name, holder, stale_after_seconds):
        if time.monotonic() >= deadline:
            row = catalogue.run_lock(name)
            by = (
                f" by {row.holder} since {row.acquired_at:%Y-%m-%d %H:%M:%S} UTC (last sign of life)"
                if row
                else ""
            )
            raise AlreadyRunning(f"{what} is already running{by}; try again when it has finished")
        time.sleep(min(0.5, max(deadline - time.monotonic(), 0.01)))
    held = HeldLock(catalogue, name, holder, min(HEARTBEAT_MAX_SECONDS, stale_after_seconds / 4))
    done = threading.Event()
    heartbeat = threading.Thread(
        target=_beat, args=(held, done), name=f"lock-heartbeat-{name}", daemon=True
    )
    if heartbeat_thread:
        heartbeat.start()
    try:
        yield held
    finally:
        done.set()
        if heartbeat_thread:
            heartbeat.join()
        catalogue.release_run_lock(name, holder)


def _beat(held: HeldLock, done: threading.Event) -> None:
    while not done.wait(held.interval):
        held.still_here()
