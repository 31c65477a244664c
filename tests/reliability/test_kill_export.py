"""SIGKILL of ``archiveren export`` at seeded random moments, for every format: the export path
afterwards holds a complete, verifiable export or nothing at all; an export that exists is in
the audit log with its digest (an unlogged export would be a compliance hole), at least as
being published if the kill fell between publishing and the success row; exporting again
works and removes the killed export's staging."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest

from catalogue.store import Catalogue
from exports.package import sha256_file
from tests.fixtures.cli_world import CliWorld, seeds
from tests.reliability.conftest import Reference

SEEDS = seeds(default=5, long=40)  # every format killed at least once
FORMATS = ("bag", "wacz", "jsonl", "csv", "transfer")
KILL_WINDOW = (0.3, 1.6)
"""An export of the reference world takes about 1-1.8 s, start-up included."""


def export_args(fmt: str, out: Path) -> list[str]:
    return ["export", "--format", fmt, "--out", str(out), "--reason", "Woo-verzoek kill test"]


def audited_digests(data_dir: Path) -> dict[str, str]:
    """Path -> SHA-256 of every export the audit log shows as published or being published."""
    catalogue = Catalogue.open(data_dir)
    try:
        rows = [
            *catalogue.audit_log("export_publishing", limit=1000),
            *catalogue.audit_log("export", limit=1000),
        ]
        return {row.detail.get("path", ""): row.detail.get("sha256", "") for row in rows}
    finally:
        catalogue.close()


def published_digest(path: Path) -> str:
    return sha256_file(path / "tagmanifest-sha256.txt") if path.is_dir() else sha256_file(path)


@pytest.mark.timeout(120)
@pytest.mark.parametrize("seed", SEEDS)
def test_killed_export_is_complete_or_absent_and_never_unlogged(
    seed: int, reference_world: Reference, tmp_path: Path
) -> None:
    world = CliWorld(
        reference_world.world.config_path, tmp_path / "data", reference_world.world.env
    )
    shutil.copytree(reference_world.world.data_dir, world.data_dir, symlinks=True)
    fmt = FORMATS[seed % len(FORMATS)]
    out = tmp_path / "exports" / f"woo.{fmt}"
    delay = random.Random(seed).uniform(*KILL_WINDOW)
    outcome = world.kill_at(delay, *export_args(fmt, out))

    context = f"seed {seed} ({fmt}, killed={outcome.killed} at {outcome.after:.2f}s)"
    if out.exists():
        checked = world.run("verify-export", str(out))
        assert checked.returncode == 0, f"{context}: {checked.stdout}"
        audited = audited_digests(world.data_dir)
        assert str(out.resolve()) in audited, f"{context}: not audited"
        assert audited[str(out.resolve())] == published_digest(out), (
            f"{context}: audit digest differs"
        )
    again = out.with_name("again-" + out.name)
    world.ok(*export_args(fmt, again))
    assert world.run("verify-export", str(again)).returncode == 0
    assert [p.name for p in out.parent.iterdir() if ".partial-" in p.name] == [], (
        f"{context}: staging left"
    )
