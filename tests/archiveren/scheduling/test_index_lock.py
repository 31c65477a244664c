"""One writer of the index at a time, and no WARC lost by a rebuild: `index`, `index --rebuild`
and the scheduler share the index lock in the catalogue; a rebuild reads the files collected
while it ran; a rebuild that fails or is killed leaves the live index and no staging index."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from bench.x_corpus import write_corpus
from catalogue.locks import INDEX_LOCK
from catalogue.store import Catalogue
from tests.archiveren.scheduling.conftest import SlowBlog, feed_source
from tests.fixtures.command_line import run_archiveren, staging_indexes, start_archiveren

X_SOURCE = "  - name: x-bench\n    type: x\n    accounts: [bench]\n    bearer_token_env: ARCHIVEREN_BENCH_X_TOKEN\n    enabled: false\n"


def run(
    config: Path, data: Path, *args: str, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    return run_archiveren(
        config, data, *args, timeout=timeout, env={"ARCHIVEREN_BENCH_X_TOKEN": "test-token"}
    )


def start_rebuild(config: Path, data: Path, **popen: Any) -> subprocess.Popen[str]:
    """``index --rebuild`` in the background, once it has made its staging index."""
    rebuild = start_archiveren(config, data, "index", "--rebuild", **popen)
    deadline = time.monotonic() + 60
    while not staging_indexes(data) and time.monotonic() < deadline:
        time.sleep(0.05)
    return rebuild


def count(config: Path, data: Path, query: str) -> int:
    done = run(config, data, "search", query, "--json", "--limit", "1")
    assert done.returncode == 0, done.stderr
    return int(json.loads(done.stdout)["total"])


@pytest.fixture(scope="module")
def tweets(tmp_path_factory: pytest.TempPathFactory) -> Path:
    corpus = tmp_path_factory.mktemp("tweets")
    write_corpus(corpus, 60_000)
    return corpus / "warcs"


@pytest.fixture
def big_archive(tweets: Path, slow_blog: SlowBlog, tmp_path: Path) -> tuple[Path, Path]:
    """A data dir with 60,000 tweets already collected (a rebuild of some seconds) and a
    config with that X source and a blog on loopback not yet collected."""
    data = tmp_path / "data"
    shutil.copytree(tweets, data / "warcs")
    config = tmp_path / "c.yaml"
    config.write_text(
        "http: {delay_seconds: 0, retries: 0, timeout_seconds: 5}\nsources:\n"
        + X_SOURCE
        + feed_source("blog", slow_blog.url, interval=None),
        encoding="utf-8",
    )
    assert run(config, data, "index").returncode == 0
    return config, data


def test_a_collection_during_a_rebuild_is_indexed(
    big_archive: tuple[Path, Path], slow_blog: SlowBlog
) -> None:
    config, data = big_archive
    rebuild = start_rebuild(config, data, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    collected = run(config, data, "collect", "blog")
    assert collected.returncode == 0, collected.stdout + collected.stderr
    assert rebuild.poll() is None, (
        "the rebuild ended before the collection did; the test proves nothing"
    )
    _, errors = rebuild.communicate(timeout=300)
    assert rebuild.returncode == 0, errors
    run(config, data, "index")  # whatever the rebuild could not see any more
    assert count(config, data, "source:blog") == slow_blog.items
    assert count(config, data, "source:x-bench") == 60_000
    status = run(config, data, "status").stdout
    assert "index: 0 of" not in status


def test_index_waits_for_the_lock_then_says_who_holds_it(big_archive: tuple[Path, Path]) -> None:
    config, data = big_archive
    catalogue = Catalogue.open(data)
    assert catalogue.acquire_run_lock(INDEX_LOCK, f"{socket.gethostname()}:{os.getpid()}", 3600)
    try:
        refused = run(config, data, "index", "--wait", "1")
        assert refused.returncode == 1
        assert (
            "indexing is already running" in refused.stderr and f":{os.getpid()}" in refused.stderr
        )
        assert "Traceback" not in refused.stderr
        rebuild = run(config, data, "index", "--rebuild", "--wait", "0")
        assert rebuild.returncode == 1 and "indexing is already running" in rebuild.stderr
    finally:
        catalogue.release_run_lock(INDEX_LOCK, f"{socket.gethostname()}:{os.getpid()}")
        catalogue.close()
    assert run(config, data, "index", "--wait", "0").returncode == 0


def test_a_killed_rebuild_leaves_no_staging_index_after_the_next_run(
    big_archive: tuple[Path, Path],
) -> None:
    config, data = big_archive
    rebuild = start_rebuild(config, data, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.5)
    rebuild.send_signal(signal.SIGKILL)
    rebuild.wait(30)
    assert staging_indexes(data), "the kill came too late to leave a staging index"
    again = run(config, data, "index")  # the dead holder's lock is taken over at once
    assert again.returncode == 0, again.stderr
    assert "left by a rebuild that did not finish" in again.stderr
    assert staging_indexes(data) == []
    assert count(config, data, "source:x-bench") == 60_000
