"""Which scheduler runs which sources when several collector hosts share one catalogue.

``scheduler.shard: i/n`` gives a host the sources whose name hashes to slot i of n
(``in_shard``). That rule alone would let a mistake run a source twice every period: two hosts
configured with the same shard, or one host left without a shard (it runs every source) beside
sharded ones, or hosts counting to different n. So a scheduler claims its shard as a lock in
the catalogue for as long as it runs, with a heartbeat (catalogue.locks), and refuses to start
when a live scheduler holds the same shard or a layout that overlaps its own. The run lock of
each source still keeps any two runs of one source apart; the claim keeps the schedule itself
from being doubled. A claim whose holder died is taken over like any run lock: at once on the
same host, after ``scheduler.lock_stale_seconds`` from another."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from catalogue.locks import HeldLock, holding
from foundation.errors import AlreadyRunning

if TYPE_CHECKING:
    from catalogue.store import Catalogue

CLAIM_PREFIX = "__scheduler "
ALL_SOURCES = "all"


def in_shard(source_name: str, shard: str | None) -> bool:
    """Whether this host runs ``source_name``: 'i/n' takes the names that hash to slot i of n."""
    if not shard:
        return True
    index, count = (int(part) for part in shard.split("/"))
    digest = int(hashlib.sha1(source_name.encode()).hexdigest(), 16)
    return digest % count == (index - 1) % count


def claim_name(shard: str | None) -> str:
    return f"{CLAIM_PREFIX}{shard or ALL_SOURCES}__"


def _overlaps(mine: str | None, theirs: str) -> bool:
    """Whether a scheduler of shard ``mine`` would run sources one of ``theirs`` runs too."""
    if not mine or theirs == ALL_SOURCES:
        return True
    return theirs == mine or theirs.split("/")[1] != mine.split("/")[1]


def _conflicts(catalogue: Catalogue, shard: str | None, stale_after_seconds: float) -> list[str]:
    found = []
    for row in catalogue.live_run_locks(CLAIM_PREFIX, stale_after_seconds):
        theirs = row.source.removeprefix(CLAIM_PREFIX).removesuffix("__")
        if row.source != claim_name(shard) and _overlaps(shard, theirs):
            found.append(f"{theirs} (held by {row.holder})")
    return found


@contextmanager
def claimed_shard(
    catalogue: Catalogue, shard: str | None, stale_after_seconds: float
) -> Iterator[HeldLock]:
    """Hold this scheduler's shard while the block runs; raise AlreadyRunning, naming the other
    scheduler and what to change, when another live one holds it or overlaps it."""
    what = (
        f"a scheduler for {'all sources (no scheduler.shard)' if not shard else f'shard {shard}'}"
    )
    advice = (
        "give every collector host its own scheduler.shard i/n with the same n "
        "(or stop the other scheduler)"
    )
    before = _conflicts(catalogue, shard, stale_after_seconds)
    if before:
        raise AlreadyRunning(
            f"{what} would run sources another scheduler runs: {', '.join(before)}; {advice}"
        )
    with holding(
        catalogue, claim_name(shard), what, stale_after_seconds=stale_after_seconds
    ) as held:
        # Two schedulers starting at the same moment both passed the first look; the second
        # look, after the claim, sees the other's claim and at least one of them gives way.
        after = _conflicts(catalogue, shard, stale_after_seconds)
        if after:
            raise AlreadyRunning(
                f"{what} would run sources another scheduler runs: {', '.join(after)}; {advice}"
            )
        yield held
