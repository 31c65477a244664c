"""The kill-test harness: run ``python -m archiveren`` against a data dir as a real subprocess,
SIGKILL it at a seeded random moment, and inspect what it left behind (closed WARCs, the index,
exports) with the same readers the product uses.

A ``CliWorld`` is one config file plus one data dir; ``kill_at`` starts a command and kills it
after a given delay, reporting whether the kill landed mid-run or the command had already
finished. The checks return readable problem lines so a failing seed says what broke where.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from fastwarc.warc import ArchiveIterator

from archive.naming import closed_warcs
from archive.scan import scan_complete_records

LONG_RUNS = os.environ.get("ARCHIVEREN_LONG_FUZZ") == "1"
"""Set ARCHIVEREN_LONG_FUZZ=1 for many more seeds and fuzz examples than the default suite."""

REPO_ROOT = Path(__file__).resolve().parents[2]
STRAY_SECONDS = 30.0


def seeds(default: int, long: int) -> list[int]:
    """The seeds a kill test runs: a handful by default, many behind ARCHIVEREN_LONG_FUZZ."""
    return list(range(long if LONG_RUNS else default))


@dataclass
class CliWorld:
    """One config + data dir, driven through the real command line in subprocesses."""

    config_path: Path
    data_dir: Path
    env: dict[str, str] = field(default_factory=dict)

    def argv(self, *args: str, verbose: bool = False) -> list[str]:
        base = [sys.executable, "-m", "archiveren", "--config", str(self.config_path)]
        base += ["--data-dir", str(self.data_dir)]
        return base + (["-v"] if verbose else []) + list(args)

    def _env(self) -> dict[str, str]:
        return {**os.environ, **self.env, "PYTHONPATH": str(REPO_ROOT)}

    def run(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            self.argv(*args),
            env=self._env(),
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def ok(self, *args: str, timeout: float = 120) -> str:
        """Run a command that must succeed; its stdout."""
        done = self.run(*args, timeout=timeout)
        assert done.returncode == 0, (
            f"archiveren {' '.join(args)} exited {done.returncode}\n"
            f"stdout: {done.stdout[-2000:]}\nstderr: {done.stderr[-3000:]}"
        )
        return done.stdout

    def kill_at(self, delay: float, *args: str) -> KillOutcome:
        """Start ``archiveren ARGS`` and SIGKILL it ``delay`` seconds later (if still running).
        Only the command's own process is killed, as the OOM killer would; children it started
        (the Scrapy crawl) live on and are waited for, so the next run finds what they left."""
        started = time.monotonic()
        process = subprocess.Popen(
            self.argv(*args),
            env=self._env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            process.wait(timeout=delay)
            killed = False
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout=30)
            killed = True
        after = time.monotonic() - started
        strays = _wait_for_group(process.pid, STRAY_SECONDS)
        return KillOutcome(killed=killed, after=after, strays_ended=strays)

    def copy_to(self, data_dir: Path) -> CliWorld:
        """The same config over a copy of this world's data dir."""
        shutil.copytree(self.data_dir, data_dir, symlinks=True)
        return CliWorld(self.config_path, data_dir, dict(self.env))

    @property
    def archive_dir(self) -> Path:
        return self.data_dir / "warcs"


@dataclass(frozen=True)
class KillOutcome:
    killed: bool
    """False when the command finished before the kill point."""
    after: float
    strays_ended: bool
    """True when children of the killed command were still running after STRAY_SECONDS and
    had to be ended too."""


def _wait_for_group(group: int, seconds: float) -> bool:
    """Wait for every process of session ``group`` to exit; SIGKILL the rest after ``seconds``
    (they are this test's own children). True when some had to be killed."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not _live_members(group):
            return False
        time.sleep(0.05)
    for pid in _live_members(group):
        os.kill(pid, signal.SIGKILL)
    return True


def _live_members(group: int) -> list[int]:
    """Running (not zombie) processes in process group ``group``, from /proc: an orphan that
    exited may linger as a zombie if nobody reaps it, and that must not count as running."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == group and fields[0] != "Z":
            members.append(int(stat.parent.name))
    return members


def timed(world: CliWorld, *args: str) -> float:
    """How long ``archiveren ARGS`` takes to run to completion (it must succeed)."""
    started = time.monotonic()
    world.ok(*args)
    return time.monotonic() - started


def damaged_closed_warcs(archive_dir: Path) -> list[str]:
    """Problems in closed WARC files: a gzip member that is not one complete record, bytes after
    the last complete record, or a record whose block digest does not match. ``.open`` files
    are not closed and are not looked at."""
    problems: list[str] = []
    for path in closed_warcs(archive_dir):
        scan = scan_complete_records(path)
        if scan.problem or scan.good_end != path.stat().st_size:
            problems.append(f"{path.name}: {scan.problem or 'bytes after the last record'}")
        with open(path, "rb") as handle:
            for record in ArchiveIterator(handle, parse_http=False):
                if record.headers.get("WARC-Block-Digest") and not record.verify_block_digest():
                    problems.append(f"{path.name}@{record.stream_pos}: block digest mismatch")
    return problems


def leftover_paths(directory: Path, marker: str) -> list[Path]:
    """Files or directories in ``directory`` whose name contains ``marker``."""
    return sorted(p for p in directory.iterdir() if marker in p.name)


def post_fingerprints(world: CliWorld, *, whole: bool = False) -> dict[str, tuple[str, ...]]:
    """Every Post the index holds, by id, as the fields a reader sees (not where it was captured,
    which differs between a killed-and-resumed collection and a clean one); ``whole`` compares
    every field, capture pointers and history included."""
    from indexer.query_model import SearchRequest
    from workspace import Workspace

    workspace = Workspace(config_path=world.config_path, data_dir=world.data_dir)
    try:
        backend = workspace.backend()
        request = SearchRequest(facets=[], date_histogram=None, highlight=False)
        fingerprints: dict[str, tuple[str, ...]] = {}
        for post in backend.scan(request):
            assert post.id not in fingerprints, f"Post {post.id} is in the index twice"
            fingerprints[post.id] = (
                (post.model_dump_json(),)
                if whole
                else (
                    post.kind,
                    post.title,
                    post.text,
                    post.author,
                    str(post.published_at),
                    post.parent_id,
                )
            )
        assert backend.count() == len(fingerprints), "the index counts more documents than ids"
    finally:
        workspace.close()
    return fingerprints


@contextmanager
def small_tmpfs(directory: Path, size: str) -> Iterator[Path]:
    """Mount a tmpfs of ``size`` (e.g. "400k") on ``directory`` for the block: a disk that fills
    up. Mounting needs root (CAP_SYS_ADMIN): elsewhere the test is skipped, and in CI, which
    runs as root, failing to mount fails the test."""
    directory.mkdir(parents=True, exist_ok=True)
    mount = ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(directory)]
    try:
        mounted = subprocess.run(mount, capture_output=True).returncode == 0
    except OSError:
        mounted = False
    if not mounted and os.environ.get("CI") and os.geteuid() == 0:
        pytest.fail("CI runs as root but could not mount a tmpfs: " + " ".join(mount))
    if not mounted:
        pytest.skip(
            "mounting a small tmpfs needs root (CAP_SYS_ADMIN); RLIMIT_FSIZE is no substitute, "
            "as SQLite reports EFBIG as a disk I/O error rather than a full disk"
        )
    try:
        yield directory
    finally:
        subprocess.run(["umount", "-l", str(directory)], check=False)


def resize_tmpfs(directory: Path, size: str) -> None:
    subprocess.run(["mount", "-o", f"remount,size={size}", str(directory)], check=True)
