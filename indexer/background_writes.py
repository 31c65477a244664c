"""Batches of documents written to the search backend by a thread of its own, one batch after
another, so that the indexing process goes on reading WARCs and gathering extracted Posts while
the backend commits. tantivy's commit and Elasticsearch's bulk requests release the GIL, so the
two overlap for real.

What has to follow a batch (counting it, saving the watermark that says it is durable) runs in
the calling thread, in the order the batches were given, and only once the batch is written.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Generic, TypeVar

B = TypeVar("B")

WAITING_BATCHES = 1
"""Batches given while another is being written; more only costs memory."""


class BackgroundWrites(Generic[B]):
    """``write`` each submitted batch in a background thread; use as a context manager, which
    waits for every batch on leaving. The first write that fails raises in the calling thread
    (from ``submit`` or on leaving); the batches after it are not written."""

    def __init__(self, write: Callable[[B], int]) -> None:
        self._write = write
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="index-writes")
        self._pending: deque[tuple[Future[int], Callable[[int], None]]] = deque()
        self._failed = False

    def __enter__(self) -> BackgroundWrites[B]:
        return self

    def __exit__(self, exc_type: object, *exc_info: object) -> None:
        try:
            if exc_type is None:
                self._finish(keep=0)
            else:  # already failing: let the writes in hand end, keep that first error
                for future, _ in self._pending:
                    future.exception()
        finally:
            self._executor.shutdown(wait=True, cancel_futures=True)

    def submit(self, batch: B, then: Callable[[int], None]) -> None:
        """Write ``batch`` after those before it, then call ``then(written)`` in this thread.
        Blocks while more than WAITING_BATCHES are still to be written."""
        self._finish(keep=WAITING_BATCHES)
        self._pending.append((self._executor.submit(self._write_unless_failed, batch), then))

    def _write_unless_failed(self, batch: B) -> int:
        if self._failed:
            raise _AfterFailedWrite
        try:
            return self._write(batch)
        except BaseException:
            self._failed = True
            raise

    def _finish(self, keep: int) -> None:
        """Finish the oldest batches, running what follows each: waiting for them until at most
        ``keep`` are left, then any more that are written already."""
        while self._pending and (len(self._pending) > keep or self._pending[0][0].done()):
            future, then = self._pending.popleft()
            then(future.result())


class _AfterFailedWrite(Exception):
    """A batch given after one whose write failed: not written (the caller sees that failure)."""
