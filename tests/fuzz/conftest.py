"""Settings and seed material for the fuzz tests: how many examples hypothesis tries (a few
hundred per test by default, thousands with ARCHIVEREN_LONG_FUZZ=1), and real captures of every
platform (collected once from the demo sources) whose bodies the tests mutate."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from collectors.runner import run_sources
from demo_sources import DemoSources
from indexer.extractors.base import Capture
from tests.fixtures.captures import read_captures
from tests.fixtures.fuzzing import EXAMPLES, FUZZ  # noqa: F401 - the fuzz tests import them from here too
from tests.fixtures.material import material
from workspace import Workspace

SEED_SOURCES = (
    "blog-zoe",
    "x-ambtenaren",
    "mastodon-overheid",
    "wiki-ambtenaar20",
    "pleio-ambtenaar20",
)


@pytest.fixture(scope="session")
def seed_captures(
    demo_sources_readonly: DemoSources, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, list[Capture]]:
    """Real captures by collector (feed, x, mastodon, network, pleio), from one demo collection."""
    root = tmp_path_factory.mktemp("fuzz-seeds")
    config = yaml.safe_load(demo_sources_readonly.config_yaml())
    config["sources"] = [s for s in config["sources"] if s["name"] in SEED_SOURCES]
    (root / "sources.yaml").write_text(yaml.safe_dump(config), "utf-8")
    workspace = Workspace(config_path=root / "sources.yaml", data_dir=root / "data")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ARCHIVEREN_DEMO_X_TOKEN", demo_sources_readonly.x_bearer_token)
        run_sources(workspace.config(), workspace.data_dir)
    by_collector: dict[str, list[Capture]] = {}
    for capture in read_captures(workspace.data_dir / "warcs"):
        by_collector.setdefault(str(capture.metadata.get("collector")), []).append(capture)
    return by_collector


def corpus_files(relative: str, pattern: str) -> list[Path]:
    """Files of the shared real-world corpus (see its README), sorted: from ../shared, else from
    the registry copy tests/fixtures/material.py fetches; [] when neither is there."""
    return material(relative).files(pattern)


def seeded(seeds: list[bytes], relative: str) -> pytest.MarkDecorator:
    """Skips a fuzz test whose corpus seeds are missing, saying so: never fuzz without seeds."""
    found = material(relative)
    why = found.reason if not found.available else f"{found.origin} has no seed files"
    return pytest.mark.skipif(not seeds, reason=f"no seeds from {relative}: {why}")
