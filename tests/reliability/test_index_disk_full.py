"""The disk holding the index fills up while `index` or `index --rebuild` writes: each stops
with one clear message (no traceback), a rebuild leaves the live index as it was and no
staging index behind, and once there is room again the index is complete.

The data dir is a small tmpfs, which needs root to mount; the test is skipped elsewhere (and
fails in CI, which runs as root)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.x_corpus import write_corpus
from tests.fixtures.cli_world import resize_tmpfs, small_tmpfs
from tests.fixtures.command_line import run_archiveren, staging_indexes

TWEETS = 20_000
CONFIG = "sources:\n  - name: x-bench\n    type: x\n    accounts: [bench]\n    bearer_token_env: ARCHIVEREN_BENCH_X_TOKEN\n"


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    with small_tmpfs(tmp_path / "data", "2m") as data:
        yield data


def grow(data: Path, size: str) -> None:
    resize_tmpfs(data, size)


def tweets_in_index(config: Path, data: Path) -> int:
    found = run_archiveren(config, data, "search", "source:x-bench", "--json", "--limit", "1")
    assert found.returncode == 0, found.stderr
    return int(json.loads(found.stdout)["total"])


@pytest.mark.timeout(300)
def test_a_full_disk_stops_index_and_rebuild_with_a_clear_message_and_loses_nothing(
    small_disk: Path, tmp_path: Path
) -> None:
    corpus = tmp_path / "corpus"
    write_corpus(corpus, TWEETS)
    (small_disk / "warcs").symlink_to(corpus / "warcs", target_is_directory=True)
    config = tmp_path / "c.yaml"
    config.write_text(CONFIG, encoding="utf-8")

    full = run_archiveren(config, small_disk, "index")
    assert full.returncode != 0
    assert "Traceback" not in full.stderr, full.stderr[-3000:]
    assert "full" in full.stderr.strip().splitlines()[-1], full.stderr[-3000:]

    grow(small_disk, "64m")
    assert run_archiveren(config, small_disk, "index").returncode == 0
    assert tweets_in_index(config, small_disk) == TWEETS

    used = shutil.disk_usage(small_disk).used
    grow(small_disk, f"{used // 1024 + 512}k")  # room for the live index, not for a second one
    rebuild = run_archiveren(config, small_disk, "index", "--rebuild")
    assert rebuild.returncode != 0
    assert "Traceback" not in rebuild.stderr, rebuild.stderr[-3000:]
    assert "the live index is unchanged" in rebuild.stderr, rebuild.stderr[-3000:]
    assert staging_indexes(small_disk) == []
    assert tweets_in_index(config, small_disk) == TWEETS
