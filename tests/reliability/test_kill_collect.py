"""SIGKILL of ``archiveren collect`` at seeded random moments: no closed WARC is ever damaged,
the next run recovers what the killed one left open, ``verify`` then passes, and the index holds
exactly the Posts of a collection that was never interrupted — none lost, none twice."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from tests.fixtures.cli_world import damaged_closed_warcs, post_fingerprints, seeds
from tests.reliability.conftest import Reference, WorldFactory

SEEDS = seeds(default=3, long=30)


@pytest.mark.timeout(240)
@pytest.mark.parametrize("seed", SEEDS)
def test_killed_collection_loses_and_duplicates_nothing_after_the_next_run(
    seed: int,
    kill_world_factory: WorldFactory,
    reference_world: Reference,
    tmp_path: Path,
) -> None:
    reference_posts, collect_seconds = reference_world.posts, reference_world.collect_seconds
    world = kill_world_factory(tmp_path)
    # the first half-second is interpreter start-up; the kill must land in the work
    delay = random.Random(seed).uniform(0.8, collect_seconds)
    outcome = world.kill_at(delay, "collect")

    assert damaged_closed_warcs(world.archive_dir) == [], f"seed {seed}: killed at {delay:.2f}s"

    world.ok("collect")
    verified = world.run("verify")
    assert verified.returncode == 0, (
        f"seed {seed} (killed at {outcome.after:.2f}s): {verified.stdout}"
    )
    world.ok("index")
    posts = post_fingerprints(world)
    assert set(reference_posts) - set(posts) == set(), f"seed {seed}: Posts lost"
    assert set(posts) - set(reference_posts) == set(), f"seed {seed}: Posts that should not exist"
    changed = [pid for pid in posts if posts[pid] != reference_posts[pid]]
    assert changed == [], f"seed {seed}: Posts differ from an uninterrupted run"
