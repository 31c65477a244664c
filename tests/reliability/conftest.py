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
import yaml

from demo_sources import DemoSources
from demo_sources.runner import X_TOKEN_ENV
from tests.reliability.harness import CliWorld, post_fingerprints

KILL_SOURCES = ("blog-zoe", "x-ambtenaren", "mastodon-overheid", "wiki-ambtenaar20")
"""Feeds, an API with since-ids, an API with paging, and a Scrapy crawl in a child process."""

ROLLOVER_BYTES = 48 * 1024

WorldFactory = Callable[[Path], CliWorld]


def write_world(demo: DemoSources, root: Path, sources: tuple[str, ...] = KILL_SOURCES) -> CliWorld:
    """A sources file for ``sources`` of the running demo sites, and a data dir, under ``root``."""
    root.mkdir(parents=True, exist_ok=True)
    config = yaml.safe_load(demo.config_yaml())
    config["sources"] = [s for s in config["sources"] if s["name"] in sources]
    config["archive"]["rollover_bytes"] = ROLLOVER_BYTES
    config["http"].update(timeout_seconds=10, retries=1)
    config_path = root / "sources.yaml"
    config_path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return CliWorld(config_path, root / "data", {X_TOKEN_ENV: demo.x_bearer_token})


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
