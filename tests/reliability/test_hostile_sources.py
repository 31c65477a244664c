"""Sources whose servers misbehave — hang, reset, send an endless body, redirect in a loop, lie
about Content-Length, drip a byte at a time, serve a gzip bomb — next to one well-behaved blog:
the collection ends in bounded time and memory, every source gets a run with a clear outcome
and a message naming its URL, and the good source is collected as if nothing happened."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import yaml

from catalogue.store import Catalogue
from demo_sources import DemoSources
from tests.fixtures.cli_world import CliWorld
from tests.reliability.conftest import write_world
from tests.reliability.hostile import HostileServer

TIMEOUT_SECONDS = 1.0
MAX_RESPONSE_BYTES = 2 * 1024 * 1024
RUN_SECONDS_LIMIT = 20.0
"""Per source: a read timeout, a retry with backoff, or the whole-body deadline (10 timeouts)."""
RSS_LIMIT_BYTES = 320 * 1024 * 1024
"""About 110 MB is the interpreter with archiveren loaded; the rest is a few response-size caps.
Decoding the gzip bomb whole (1 GB) would blow through it."""


@pytest.fixture(scope="module")
def hostile_server() -> Iterator[HostileServer]:
    with HostileServer() as server:
        yield server


@pytest.fixture
def hostile_world(
    demo_sources_readonly: DemoSources, hostile_server: HostileServer, tmp_path: Path
) -> CliWorld:
    world = write_world(demo_sources_readonly, tmp_path, sources=("blog-zoe",))
    config = yaml.safe_load(world.config_path.read_text("utf-8"))
    config["http"].update(
        timeout_seconds=TIMEOUT_SECONDS, retries=1, max_response_bytes=MAX_RESPONSE_BYTES
    )
    for behaviour in HostileServer.BEHAVIOURS:
        config["sources"].append(
            {"name": behaviour, "type": "feed", "url": hostile_server.url(behaviour)}
        )
    world.config_path.write_text(yaml.safe_dump(config, sort_keys=False), "utf-8")
    return world


PEAK_REPORTER = """
import atexit, runpy, sys
out = sys.argv[1]
def report():
    with open("/proc/self/status") as status:
        peak = next(line for line in status if line.startswith("VmHWM:"))
    with open(out, "w") as handle:
        handle.write(peak.split()[1])
atexit.register(report)
sys.argv = ["archiveren", *sys.argv[2:]]
runpy.run_module("archiveren", run_name="__main__")
"""
"""Runs archiveren and writes its own peak RSS (VmHWM, kB) on exit. Read from inside, because a
child's ru_maxrss starts from the forking pytest process's size and survives exec."""


def run_measured(world: CliWorld, *args: str) -> tuple[int, float, int]:
    """Exit status, wall seconds and peak RSS in bytes of ``archiveren ARGS``."""
    peak_file = world.data_dir.parent / "peak-rss-kb"
    argv = world.argv(*args)
    started = time.monotonic()
    process = subprocess.run(
        [argv[0], "-c", PEAK_REPORTER, str(peak_file), *argv[3:]],
        env={**os.environ, **world.env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return process.returncode, time.monotonic() - started, int(peak_file.read_text()) * 1024


@pytest.mark.timeout(180)
def test_hostile_servers_cost_bounded_time_and_memory_and_say_what_happened(
    hostile_world: CliWorld,
) -> None:
    sources = 1 + len(HostileServer.BEHAVIOURS)
    code, seconds, peak_rss = run_measured(hostile_world, "collect")

    assert code == 1, "hostile sources fail the run's exit status"
    assert seconds < sources * RUN_SECONDS_LIMIT
    assert 20 * 1024 * 1024 < peak_rss < RSS_LIMIT_BYTES, f"peak RSS {peak_rss / 1e6:.0f} MB"
    catalogue = Catalogue.open(hostile_world.data_dir)
    try:
        runs = {run.source: run for run in catalogue.runs(limit=100)}
    finally:
        catalogue.close()
    assert runs["blog-zoe"].outcome == "ok" and runs["blog-zoe"].counts["entries"] > 0
    for behaviour in HostileServer.BEHAVIOURS:
        run = runs[behaviour]
        assert run.ended_at is not None
        took = run.ended_at - run.started_at
        assert took < timedelta(seconds=RUN_SECONDS_LIMIT), f"{behaviour}: took {took}"
        assert run.outcome in ("failed", "partial"), f"{behaviour}: {run.outcome}"
        assert any(f"/{behaviour}" in error for error in run.errors), f"{behaviour}: {run.errors}"
    assert hostile_world.run("verify").returncode == 0
