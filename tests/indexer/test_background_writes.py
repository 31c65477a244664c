"""Batches written by a thread of their own: in the order given, what follows each batch done in
the calling thread only after that batch is written, at most one batch waiting, and a failed
write stopping the rest and surfacing where the batches are given."""

from __future__ import annotations

import threading

import pytest

from indexer.background_writes import BackgroundWrites


def test_batches_are_written_in_order_and_followed_in_the_calling_thread() -> None:
    written: list[list[int]] = []
    followed: list[tuple[int, str]] = []
    caller = threading.current_thread().name

    def write(batch: list[int]) -> int:
        assert threading.current_thread().name != caller
        written.append(batch)
        return len(batch)

    with BackgroundWrites(write) as writes:
        for size in (3, 1, 0, 2):
            writes.submit(
                list(range(size)),
                then=lambda n: followed.append((n, threading.current_thread().name)),
            )

    assert written == [[0, 1, 2], [0], [], [0, 1]]
    assert followed == [(3, caller), (1, caller), (0, caller), (2, caller)]


def test_what_follows_a_batch_waits_until_it_is_written() -> None:
    release = threading.Event()
    followed: list[int] = []

    def write(batch: int) -> int:
        release.wait(10)
        return batch

    with BackgroundWrites(write) as writes:
        writes.submit(1, then=followed.append)
        assert followed == []  # still being written
        release.set()
    assert followed == [1]


def test_giving_a_batch_blocks_while_one_is_written_and_another_waits() -> None:
    started, release = threading.Semaphore(0), threading.Event()

    def write(batch: int) -> int:
        started.release()
        release.wait(10)
        return batch

    given: list[int] = []
    with BackgroundWrites(write) as writes:

        def give() -> None:
            for batch in (1, 2, 3):
                writes.submit(batch, then=lambda n: None)
                given.append(batch)

        giver = threading.Thread(target=give)
        giver.start()
        assert started.acquire(timeout=10)  # the first batch is being written
        giver.join(0.3)
        assert given == [1, 2]  # the third waits until the first is written
        release.set()
        giver.join(10)
    assert given == [1, 2, 3]


def test_a_failed_write_stops_the_batches_after_it_and_raises_for_the_caller() -> None:
    written: list[int] = []
    followed: list[int] = []

    def write(batch: int) -> int:
        if batch == 2:
            raise OSError("disk full while committing batch 2")
        written.append(batch)
        return batch

    with pytest.raises(OSError, match="batch 2"), BackgroundWrites(write) as writes:
        for batch in (1, 2, 3, 4):
            writes.submit(batch, then=followed.append)

    assert written == [1]
    assert followed == [1]


def test_leaving_on_an_error_lets_the_batch_in_hand_finish_and_follows_none() -> None:
    release = threading.Event()
    finished: list[int] = []
    followed: list[int] = []

    def write(batch: int) -> int:
        release.wait(10)
        finished.append(batch)
        return batch

    with pytest.raises(KeyboardInterrupt), BackgroundWrites(write) as writes:
        writes.submit(1, then=followed.append)
        release.set()
        raise KeyboardInterrupt

    assert finished == [1]  # not cut off halfway
    assert followed == []  # the caller is failing: it saves nothing more
