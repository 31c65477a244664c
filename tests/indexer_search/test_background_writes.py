"""Writes done by a thread of their own: in the order given, what follows each write done in the
calling thread only after that write, at most two writes waiting, and a failed write stopping
the rest and surfacing where the writes are given."""

from __future__ import annotations

import threading
from functools import partial

import pytest

from indexer.background_writes import WAITING_WRITES, BackgroundWrites


def test_writes_are_done_in_order_and_followed_in_the_calling_thread() -> None:
    written: list[list[int]] = []
    followed: list[tuple[int, str]] = []
    caller = threading.current_thread().name

    def write(batch: list[int]) -> int:
        assert threading.current_thread().name != caller
        written.append(batch)
        return len(batch)

    with BackgroundWrites() as writes:
        for size in (3, 1, 0, 2):
            writes.submit(
                partial(write, list(range(size))),
                then=lambda n: followed.append((n, threading.current_thread().name)),
            )

    assert written == [[0, 1, 2], [0], [], [0, 1]]
    assert followed == [(3, caller), (1, caller), (0, caller), (2, caller)]


def test_a_write_need_not_be_followed_by_anything() -> None:
    written: list[str] = []
    followed: list[int] = []
    with BackgroundWrites() as writes:
        writes.submit(lambda: written.append("part") or 1)
        writes.submit(lambda: written.append("commit") or 0, then=followed.append)
    assert written == ["part", "commit"]
    assert followed == [0]


def test_what_follows_a_write_waits_until_it_is_done() -> None:
    release = threading.Event()
    followed: list[int] = []

    def write() -> int:
        release.wait(10)
        return 1

    with BackgroundWrites() as writes:
        writes.submit(write, then=followed.append)
        assert followed == []  # still being written
        release.set()
    assert followed == [1]


def test_giving_a_write_blocks_while_one_is_done_and_the_limit_waits() -> None:
    started, release = threading.Semaphore(0), threading.Event()

    def write() -> int:
        started.release()
        release.wait(10)
        return 1

    given: list[int] = []
    with BackgroundWrites() as writes:

        def give() -> None:
            for number in range(WAITING_WRITES + 2):
                writes.submit(write)
                given.append(number)

        giver = threading.Thread(target=give)
        giver.start()
        assert started.acquire(timeout=10)  # the first write is being done
        giver.join(0.3)
        assert given == list(range(WAITING_WRITES + 1))  # the next waits for the first
        release.set()
        giver.join(10)
    assert given == list(range(WAITING_WRITES + 2))


def test_a_failed_write_stops_the_writes_after_it_and_raises_for_the_caller() -> None:
    written: list[int] = []
    followed: list[int] = []

    def write(batch: int) -> int:
        if batch == 2:
            raise OSError("disk full while committing batch 2")
        written.append(batch)
        return batch

    with pytest.raises(OSError, match="batch 2"), BackgroundWrites() as writes:
        for batch in (1, 2, 3, 4):
            writes.submit(partial(write, batch), then=followed.append)

    assert written == [1]
    assert followed == [1]


def test_leaving_on_an_error_lets_the_write_in_hand_finish_and_follows_none() -> None:
    release = threading.Event()
    finished: list[int] = []
    followed: list[int] = []

    def write() -> int:
        release.wait(10)
        finished.append(1)
        return 1

    with pytest.raises(KeyboardInterrupt), BackgroundWrites() as writes:
        writes.submit(write, then=followed.append)
        release.set()
        raise KeyboardInterrupt

    assert finished == [1]  # not cut off halfway
    assert followed == []  # the caller is failing: it saves nothing more
