"""Writes to the search backend done by a thread of their own, one after another, so that the
indexing process goes on reading WARCs and gathering extracted Posts while the backend indexes
and commits. tantivy's indexing and commit and Elasticsearch's bulk requests release the GIL, so
the two overlap for real.

What has to follow a write (counting a batch, saving the watermark that says it is durable)
runs in the calling thread, in the order the writes were given, and only once the write is done.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

WAITING_WRITES = 2
"""Writes given while another is being done; more only costs memory."""

Write = Callable[[], int]
"""One write: returns how many Posts it wrote."""
Then = Callable[[int], None]


class BackgroundWrites:
    """Do each submitted write in a background thread; use as a context manager, which waits
    for every write on leaving. The first write that fails raises in the calling thread (from
    ``submit`` or on leaving); the writes after it are not done."""

    def __init__(self) -> None:
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="index-writes")
        self._pending: deque[tuple[Future[int], Then | None]] = deque()
        self._failed = False

    def __enter__(self) -> BackgroundWrites:
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

    def submit(self, write: Write, then: Then | None = None) -> None:
        """Do ``write`` after those before it, then call ``then(written)`` in this thread.
        Blocks while more than WAITING_WRITES are still to be done."""
        self._finish(keep=WAITING_WRITES)
        self._pending.append((self._executor.submit(self._write_unless_failed, write), then))

    def _write_unless_failed(self, write: Write) -> int:
        if self._failed:
            raise _AfterFailedWrite
        try:
            return write()
        except BaseException:
            self._failed = True
            raise

    def _finish(self, keep: int) -> None:
        """Finish the oldest writes, running what follows each: waiting for them until at most
        ``keep`` are left, then any more that are done already."""
        while self._pending and (len(self._pending) > keep or self._pending[0][0].done()):
            future, then = self._pending.popleft()
            written = future.result()
            if then is not None:
                then(written)


class _AfterFailedWrite(Exception):
    """A write given after one that failed: not done (the caller sees that failure)."""
