"""SIGKILL of ``archiveren index`` (the tantivy engine runs inside that process, so this is also
the search engine dying mid-indexing) at seeded random moments: the next ``index`` resumes from
the watermarks, and the index then equals one built by ``index --rebuild`` from the WARCs, field
for field, capture history included."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest

from tests.fixtures.cli_world import CliWorld, post_fingerprints, seeds
from tests.reliability.conftest import Reference

SEEDS = seeds(default=4, long=40)


@pytest.mark.timeout(120)
@pytest.mark.parametrize("seed", SEEDS)
def test_killed_indexing_resumes_to_the_same_index_as_a_rebuild(
    seed: int, reference_world: Reference, tmp_path: Path
) -> None:
    world = CliWorld(
        reference_world.world.config_path, tmp_path / "data", reference_world.world.env
    )
    shutil.copytree(reference_world.collected_only, world.data_dir, symlinks=True)
    delay = random.Random(seed).uniform(0.3, reference_world.index_seconds)
    world.kill_at(delay, "index")

    world.ok("index")
    resumed = post_fingerprints(world, whole=True)
    world.ok("index", "--rebuild")
    rebuilt = post_fingerprints(world, whole=True)

    assert set(resumed) == set(reference_world.posts), f"seed {seed}: killed at {delay:.2f}s"
    differing = sorted(pid for pid in rebuilt if resumed.get(pid) != rebuilt[pid])
    assert differing == [], f"seed {seed}: {len(differing)} Posts differ from the rebuild"
