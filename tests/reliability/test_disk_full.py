"""The disk fills up while a collection writes its WARCs: the run stops with one clear error
(no traceback, later sources are not attempted), every WARC stays valid up to its last complete
capture, and once there is room again the next run closes what was left open, ``verify`` passes
and nothing is missing from the index.

The data dir is a 400 KB tmpfs, which needs root to mount; the test is skipped elsewhere."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from archive.naming import open_warcs
from archive.scan import scan_complete_records
from catalogue.store import Catalogue
from tests.fixtures.cli_world import (
    CliWorld,
    damaged_closed_warcs,
    post_fingerprints,
    resize_tmpfs,
    small_tmpfs,
)
from tests.reliability.conftest import KILL_SOURCES, Reference, WorldFactory

SMALL_DISK = "400k"
ROOMY_DISK = "16m"


@pytest.fixture
def small_disk_world(kill_world_factory: WorldFactory, tmp_path: Path) -> Iterator[CliWorld]:
    """A world whose data dir is a 400 KB tmpfs; ``grow_disk`` gives it room again."""
    world = kill_world_factory(tmp_path)
    with small_tmpfs(world.data_dir, SMALL_DISK):
        yield world


def grow_disk(world: CliWorld) -> None:
    resize_tmpfs(world.data_dir, ROOMY_DISK)


def runs_recorded(data_dir: Path) -> set[str]:
    catalogue = Catalogue.open(data_dir)
    try:
        return {run.source for run in catalogue.runs(limit=1000)}
    finally:
        catalogue.close()


@pytest.mark.timeout(120)
def test_full_disk_stops_the_run_with_a_clear_error_and_a_valid_archive(
    small_disk_world: CliWorld, reference_world: Reference
) -> None:
    world = small_disk_world
    failed = world.run("collect")

    assert failed.returncode != 0
    last_line = failed.stderr.strip().splitlines()[-1]
    assert last_line.startswith("archiveren collect: "), failed.stderr[-3000:]
    assert "free space" in last_line and "Traceback" not in failed.stderr, failed.stderr[-3000:]
    assert len(runs_recorded(world.data_dir)) < len(KILL_SOURCES), "the run went on after it"
    assert damaged_closed_warcs(world.archive_dir) == []
    for path in open_warcs(world.archive_dir):
        scan = scan_complete_records(path)
        assert scan.problem == "" and scan.good_end == path.stat().st_size, path.name

    grow_disk(world)
    world.ok("collect")
    verified = world.run("verify")
    assert verified.returncode == 0, verified.stdout
    world.ok("index")
    assert set(post_fingerprints(world)) == set(reference_world.posts)
