"""A transfer package of a real collection (issue 23): the demo's feed, X API, Mastodon API and
Scrapy-crawled wiki, collected twice (so there are revisits) into small rolling WARC files,
indexed and exported with `archiveren export --format transfer`, passes `archiveren
verify-export`, JWAT, FastWARC, bagit-java and bagit.py, and its conformance report says every
point is met."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import bagit
import pytest

from demo_sources import DemoSources
from tests.exports.test_transfer import BIN, bagit_java, jwat
from tests.fixtures.cli_world import write_world

pytestmark = pytest.mark.slow


def test_a_demo_collection_is_transferred_and_every_validator_accepts_the_package(
    demo_sources_readonly: DemoSources, tmp_path: Path
) -> None:
    world = write_world(demo_sources_readonly, tmp_path / "world")
    for args in (["init"], ["collect"], ["collect"], ["index"]):
        world.ok(*args, timeout=300)
    out = tmp_path / "overdracht"
    world.ok("export", "--format", "transfer", "--out", str(out), "--reason", "overdracht proef")
    assert "export OK" in world.ok("verify-export", str(out))
    report = json.loads((out / "data" / "conformance.json").read_text(encoding="utf-8"))
    assert report["all_met"], [p for p in report["points"] if not p["met"]]
    warcs = sorted((out / "data" / "warcs").iterdir())
    checked = jwat(warcs)
    assert checked.returncode == 0, checked.stdout[-3000:]
    assert "0 problem(s)" in checked.stdout and "WARNING" not in checked.stdout
    for warc in warcs:
        result = subprocess.run([BIN / "fastwarc", "check", "-q", "-p", warc], capture_output=True)
        assert result.returncode == 0, warc.name
    bagit.Bag(str(out)).validate(processes=1)
    result = bagit_java([out])
    assert result.returncode == 0, result.stdout + result.stderr
    sources = {p.name for p in world.archive_dir.glob("*.warc.gz")}
    assert len(sources) > 3, "small rolling source files: originals and revisits apart"
