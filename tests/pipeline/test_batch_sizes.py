"""Where an indexing run cuts its batches: BATCH_SIZE Posts each, until the end of the backlog
is near; then each batch holds about as many Posts as are still to come, so the last batch,
written after everything else, is short."""

from __future__ import annotations

from indexer.pipeline import BATCH_SIZE, LAST_BATCH_MIN, BacklogProgress


def test_a_batch_is_full_at_batch_size_while_much_is_left() -> None:
    progress = BacklogProgress(backlog_bytes=100_000_000)
    progress.read_to(10_000_000, 30_000)  # 270,000 Posts estimated still to come
    assert not progress.batch_full(BATCH_SIZE - 1)
    assert progress.batch_full(BATCH_SIZE)


def test_near_the_end_a_batch_holds_as_many_as_are_left() -> None:
    left = 2 * LAST_BATCH_MIN
    progress = BacklogProgress(backlog_bytes=1_000_000)
    progress.read_to(800_000, 4 * left)  # a fifth of the backlog still to read
    assert progress.posts_left() == left
    assert not progress.batch_full(left - 1)
    assert progress.batch_full(left)
    progress.read_to(950_000, 3 * left // 4)  # now a twentieth
    assert progress.posts_left() == left / 4
    assert not progress.batch_full(LAST_BATCH_MIN - 1)  # but no batch is made that small
    assert progress.batch_full(LAST_BATCH_MIN)


def test_progress_counts_the_files_already_read() -> None:
    progress = BacklogProgress(backlog_bytes=3_000)
    progress.read_to(900, 90)
    progress.file_done(1_000)
    progress.read_to(500, 60)  # 1,500 of 3,000 bytes read, 150 Posts in them
    assert progress.posts_left() == 150


def test_before_anything_is_read_nothing_is_known_to_be_left() -> None:
    assert BacklogProgress(backlog_bytes=1_000).posts_left() == float("inf")
    assert not BacklogProgress(backlog_bytes=1_000).batch_full(LAST_BATCH_MIN)
