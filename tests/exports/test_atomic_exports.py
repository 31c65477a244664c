"""Exports are atomic and honestly logged: two ``archiveren export`` processes racing to one path
give one export and one audit row that matches it, the loser a clear "already exists"; a
symbolic link at the target is refused; export files are private; staging left by killed
exports is gone after a restart of ``export``, ``serve`` or ``schedule``, while a running
export's staging is never touched; the command line refuses an empty reason."""

from __future__ import annotations

import os
import signal
import socket
import stat
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from catalogue.store import Catalogue
from exports import verify_export_package
from exports.package import sha256_file
from exports.staging import STALE_AFTER_SECONDS, Staging, sweep_stale_partials
from tests.exports.conftest import CONFIG, make_posts
from workspace import Workspace

REPO_ROOT = Path(__file__).resolve().parents[2]
FORMATS = ("bag", "wacz", "csv", "jsonl")


@dataclass
class ExportWorld:
    config: Path
    data_dir: Path

    def argv(self, *args: str) -> list[str]:
        return [
            sys.executable,
            "-m",
            "archiveren",
            "--config",
            str(self.config),
            "--data-dir",
            str(self.data_dir),
            *args,
        ]

    def env(self) -> dict[str, str]:
        return {**os.environ, "PYTHONPATH": str(REPO_ROOT)}

    def start(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            self.argv(*args),
            env=self.env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            self.argv(*args), env=self.env(), capture_output=True, text=True, timeout=120
        )

    def audit(self, action: str) -> list[dict[str, object]]:
        catalogue = Catalogue.open(self.data_dir)
        try:
            return [row.detail for row in catalogue.audit_log(action, limit=1000)]
        finally:
            catalogue.close()


@pytest.fixture
def world(tmp_path: Path) -> ExportWorld:
    config = tmp_path / "sources.yaml"
    config.write_text(CONFIG, encoding="utf-8")
    ws = Workspace(config_path=config, data_dir=tmp_path / "data")
    ws.catalogue()
    ws.backend().index_posts(make_posts(ws.archive_dir, 8))
    ws.close()
    return ExportWorld(config, ws.data_dir)


def export_args(fmt: str, out: Path) -> list[str]:
    return ["export", "--format", fmt, "--out", str(out), "--reason", "Woo-verzoek 2026-114"]


def partials(directory: Path) -> list[Path]:
    return [p for p in directory.iterdir() if ".partial-" in p.name] if directory.exists() else []


def published_digest(path: Path) -> str:
    return sha256_file(path / "tagmanifest-sha256.txt") if path.is_dir() else sha256_file(path)


@pytest.mark.timeout(240)
@pytest.mark.parametrize("fmt", FORMATS)
def test_two_exports_started_at_once_to_one_path_give_one_export_and_one_matching_audit_row(
    world: ExportWorld, tmp_path: Path, fmt: str
) -> None:
    out = tmp_path / "exports" / f"woo.{fmt}"
    racers = [world.start(*export_args(fmt, out)) for _ in range(2)]
    results = [(racer.wait(timeout=180), *racer.communicate()) for racer in racers]

    codes = sorted(code for code, _, _ in results)
    assert codes == [0, 1], results
    _, _, loser_err = next(r for r in results if r[0] == 1)
    assert "already exists" in loser_err and "Traceback" not in loser_err, loser_err
    assert verify_export_package(out).ok
    successes = [row for row in world.audit("export") if row["path"] == str(out)]
    assert len(successes) == 1, successes
    assert successes[0]["sha256"] == published_digest(out), (
        "the audit names the digest of the file that is there"
    )
    assert not partials(out.parent), "the loser's staging is removed"


def test_export_losing_at_publish_leaves_the_winner_untouched(tmp_path: Path) -> None:
    for make_winner, make_product in (
        (
            lambda p: p.write_text("eerste", encoding="utf-8"),
            lambda p: p.write_text("tweede", encoding="utf-8"),
        ),
        (
            lambda p: (p.mkdir(), (p / "bag-info.txt").write_text("eerste", encoding="utf-8")),
            lambda p: (p.mkdir(), (p / "bag-info.txt").write_text("tweede", encoding="utf-8")),
        ),
    ):
        target = tmp_path / f"doel-{len(list(tmp_path.iterdir()))}"
        with Staging(target) as staging:
            make_product(staging.product)
            make_winner(target)
            with pytest.raises(Exception, match="already exists"):
                staging.publish()
        winner = target / "bag-info.txt" if target.is_dir() else target
        assert winner.read_text(encoding="utf-8") == "eerste"
    assert not partials(tmp_path)


def test_a_listing_that_cannot_be_published_takes_its_manifest_back(tmp_path: Path) -> None:
    target = tmp_path / "woo.csv"
    with Staging(target) as staging:
        staging.product.write_text("id\r\n", encoding="utf-8")
        staging.beside(".manifest.json").write_text("{}", encoding="utf-8")
        target.write_text("eerste", encoding="utf-8")
        with pytest.raises(Exception, match="already exists"):
            staging.publish((".manifest.json",))
    assert target.read_text(encoding="utf-8") == "eerste"
    assert not (tmp_path / "woo.csv.manifest.json").exists() and not partials(tmp_path)


def test_a_manifest_left_at_the_target_is_never_overwritten(
    world: ExportWorld, tmp_path: Path
) -> None:
    (tmp_path / "woo.csv.manifest.json").write_text("van iemand anders", encoding="utf-8")
    done = world.run(*export_args("csv", tmp_path / "woo.csv"))
    assert done.returncode == 1 and "woo.csv.manifest.json already exists" in done.stderr
    assert not (tmp_path / "woo.csv").exists()
    assert (tmp_path / "woo.csv.manifest.json").read_text(encoding="utf-8") == "van iemand anders"


def test_dangling_symlink_as_out_is_refused_and_nothing_is_written(
    world: ExportWorld, tmp_path: Path
) -> None:
    link = tmp_path / "woo.csv"
    link.symlink_to(tmp_path / "elders" / "woo.csv")
    done = world.run(*export_args("csv", link))
    assert (
        done.returncode == 1 and "symbolic link" in done.stderr and "Traceback" not in done.stderr
    ), done.stderr
    assert link.is_symlink() and not (tmp_path / "elders").exists()
    assert world.audit("export") == [] and world.audit("export_publishing") == []


def test_out_in_a_symlinked_directory_is_written_and_logged_at_its_real_path(
    world: ExportWorld, tmp_path: Path
) -> None:
    real = tmp_path / "echt"
    real.mkdir()
    (tmp_path / "snelkoppeling").symlink_to(real)
    done = world.run(*export_args("jsonl", tmp_path / "snelkoppeling" / "woo.jsonl"))
    assert done.returncode == 0, done.stderr
    [row] = world.audit("export")
    assert row["path"] == str((real / "woo.jsonl").resolve())
    assert row["sha256"] == sha256_file(real / "woo.jsonl")


@pytest.mark.parametrize("reason", [None, "", "   "])
def test_cli_export_needs_a_reason(world: ExportWorld, tmp_path: Path, reason: str | None) -> None:
    args = ["export", "--format", "csv", "--out", str(tmp_path / "a.csv")]
    done = world.run(*args, *([] if reason is None else ["--reason", reason]))
    assert done.returncode == 2, done.stderr
    assert "--reason" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "a.csv").exists()


def test_export_files_and_directories_are_private(world: ExportWorld, tmp_path: Path) -> None:
    for fmt in ("csv", "bag"):
        assert world.run(*export_args(fmt, tmp_path / "nieuw" / f"woo.{fmt}")).returncode == 0
    assert stat.S_IMODE((tmp_path / "nieuw").stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "nieuw" / "woo.csv").stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "nieuw" / "woo.csv.manifest.json").stat().st_mode) == 0o600
    bag = tmp_path / "nieuw" / "woo.bag"
    modes = {stat.S_IMODE(p.stat().st_mode) for p in [bag, *bag.rglob("*")] if p.is_dir()}
    assert modes == {0o700}
    assert {stat.S_IMODE(p.stat().st_mode) for p in bag.rglob("*") if p.is_file()} == {0o600}


def killed_export_staging(world: ExportWorld, out: Path) -> Path:
    """SIGKILL an export once its staging directory exists; that staging."""
    export = world.start(*export_args("bag", out))
    deadline = time.monotonic() + 60
    while not partials(out.parent):
        assert export.poll() is None and time.monotonic() < deadline, "the export never staged"
        time.sleep(0.01)
    export.send_signal(signal.SIGKILL)
    export.communicate(timeout=30)
    [left] = partials(out.parent)
    return left


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.timeout(180)
@pytest.mark.parametrize("restart", ["export", "serve", "schedule"])
def test_staging_of_a_killed_export_does_not_survive_a_restart(
    world: ExportWorld, restart: str
) -> None:
    exports = world.data_dir / "exports"
    left = killed_export_staging(world, exports / "killed.bag")
    if restart == "export":
        assert world.run(*export_args("csv", exports / "volgende.csv")).returncode == 0
    else:
        command = world.start(
            *(["serve", "--port", str(free_port())] if restart == "serve" else ["schedule"])
        )
        try:
            deadline = time.monotonic() + 60
            while left.exists() and command.poll() is None and time.monotonic() < deadline:
                time.sleep(0.1)
        finally:
            command.terminate()
            command.communicate(timeout=30)
    assert not left.exists(), f"{restart} left {left.name}"
    assert not (exports / "killed.bag").exists()


HOLD_STAGING = """
import sys, time
from pathlib import Path
from exports.staging import Staging
with Staging(Path(sys.argv[1])) as staging:
    staging.product.write_text("half")
    print(staging.dir, flush=True)
    time.sleep(120)
"""


def test_a_running_exports_staging_is_never_swept_however_old(tmp_path: Path) -> None:
    running = subprocess.Popen(
        [sys.executable, "-c", HOLD_STAGING, str(tmp_path / "lopend.csv")],
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        staging = Path(running.stdout.readline().strip())  # type: ignore[union-attr]
        old = time.time() - 2 * STALE_AFTER_SECONDS
        os.utime(staging, (old, old))
        assert sweep_stale_partials([tmp_path]) == [] and staging.is_dir()
    finally:
        running.kill()
        running.communicate(timeout=30)
    assert staging.is_dir(), "a killed export's staging stays until a sweep"
    assert sweep_stale_partials([tmp_path]) == [staging] and not staging.exists()


def test_staging_from_another_host_is_swept_only_when_old(tmp_path: Path) -> None:
    fresh = tmp_path / f".a.csv.partial-elders.example.nl-{os.getpid()}-0a1b2c3d"
    old = tmp_path / f".b.csv.partial-elders.example.nl-{os.getpid()}-0a1b2c3d"
    for path in (fresh, old):
        path.mkdir()
    past = time.time() - STALE_AFTER_SECONDS - 60
    os.utime(old, (past, past))
    assert sweep_stale_partials([tmp_path]) == [old]
    assert fresh.is_dir()
