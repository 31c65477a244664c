"""Fixtures for the fault tests: command-line worlds over the demo sources (a sources file naming
a few of them, with WARC files rolling over small so a run closes many files and a kill has
many close windows to land in), and a reference world collected and indexed without faults."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from demo_sources import DemoSources
from tests.fixtures.cli_world import KILL_SOURCES, CliWorld, post_fingerprints, write_world  # noqa: F401

WorldFactory = Callable[[Path], CliWorld]


@pytest.fixture(scope="session")
def kill_world_factory(demo_sources_readonly: DemoSources) -> WorldFactory:
    return lambda root: write_world(demo_sources_readonly, root)


@dataclass(frozen=True)
class Reference:
    """A world collected and indexed without faults, and what it took."""

    world: CliWorld
    posts: dict[str, tuple[str, ...]]
    collect_seconds: float
    index_seconds: float
    collected_only: Path
    """A copy of the data dir after collecting, before indexing."""


@pytest.fixture(scope="session")
def reference_world(
    kill_world_factory: WorldFactory, tmp_path_factory: pytest.TempPathFactory
) -> Reference:
    root = tmp_path_factory.mktemp("reference")
    world = kill_world_factory(root)
    started = time.monotonic()
    world.ok("collect")
    collect_seconds = time.monotonic() - started
    collected_only = root / "collected-only"
    shutil.copytree(world.data_dir, collected_only, symlinks=True)
    started = time.monotonic()
    world.ok("index")
    index_seconds = time.monotonic() - started
    return Reference(
        world, post_fingerprints(world), collect_seconds, index_seconds, collected_only
    )
