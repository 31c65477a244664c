"""Progress of long runs (collect, index, export, verify), told to whoever listens. A stage says
what it is doing (``begin``: a name and, when known, the items and bytes ahead) and how far it
got (``advance``); the command line listens on a terminal and draws a progress bar. Nobody
listens in the scheduler, under a pipe or with --log-json, and then each call is one look-up."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Protocol, TypeVar

T = TypeVar("T")


class ProgressListener(Protocol):
    def begin(self, task: str, total_items: int | None, total_bytes: int | None) -> None:
        """A new stretch of work starts; totals are None when not known in advance."""

    def advance(self, items: int, nbytes: int) -> None:
        """``items`` more done, ``nbytes`` more bytes read or written."""


_listener: ProgressListener | None = None
_lock = threading.Lock()


@contextmanager
def listening(listener: ProgressListener) -> Iterator[ProgressListener]:
    """Tell ``listener`` of all progress made in this process while the block runs."""
    global _listener
    with _lock:
        previous, _listener = _listener, listener
    try:
        yield listener
    finally:
        with _lock:
            _listener = previous


def begin(task: str, total_items: int | None = None, total_bytes: int | None = None) -> None:
    listener = _listener
    if listener is not None:
        listener.begin(task, total_items, total_bytes)


def advance(items: int = 1, nbytes: int = 0) -> None:
    listener = _listener
    if listener is not None:
        listener.advance(items, nbytes)


def counted(things: Iterable[T]) -> Iterator[T]:
    """``things``, one ``advance`` per item taken."""
    for thing in things:
        yield thing
        advance()
