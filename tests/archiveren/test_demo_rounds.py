"""`archiveren demo` collects twice by default and the demo sources change in between, so the
demo shows versions and a tombstone: an edited blog post, a tweet edited through X's edit chain
and a toot edited with its history answer `changed:true`; a deleted toot, tweet and blog post
and a removed Ning comment `deleted:true`. A number of rounds that makes no sense is
refused with a sentence, before anything runs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from archiveren.demo import DEMO_CONFIG
from indexer.query_model import SearchRequest
from workspace import Workspace

REPO = Path(__file__).resolve().parents[2]


def demo(tmp_path: Path, *args: str, timeout: int) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "archiveren", "--data-dir", str(tmp_path / "data"), "demo", *args],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.mark.parametrize("rounds", ["0", "11"])
def test_a_senseless_number_of_rounds_is_refused_before_anything_runs(
    tmp_path: Path, rounds: str
) -> None:
    result = demo(tmp_path, "--no-serve", "--rounds", rounds, timeout=60)
    assert result.returncode == 1
    assert f"demo --rounds {rounds}: give a number of collection rounds from 1 to 10" in (
        result.stderr
    )
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "data").exists()


@pytest.mark.slow  # two collections of every demo source: about one minute on 2 cores
@pytest.mark.timeout(900)
def test_two_rounds_show_edits_and_deletions_at_every_kind_of_source(tmp_path: Path) -> None:
    result = demo(tmp_path, "--no-serve", timeout=850)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "(round 2 of 2)" in result.stdout
    assert result.stdout.count("changed at the source:") == 7

    data = tmp_path / "data"
    ws = Workspace(config_path=data / DEMO_CONFIG, data_dir=data)
    try:
        hits = ws.backend().search(
            SearchRequest(query="changed:true", limit=200, facets=["platform"])
        )
        platforms = {bucket.value for bucket in hits.facets["platform"]}
        assert {"blog", "x", "mastodon"} <= platforms
        edited_blog = [h.post for h in hits.hits if h.post.title.endswith("(bijgewerkt)")]
        assert len(edited_blog) == 1 and len(edited_blog[0].versions) == 1
        assert any("Correctie: donderdag" in h.post.text for h in hits.hits)
        assert any("Correctie: het begint om tien uur" in h.post.text for h in hits.hits)
        gone = ws.backend().search(SearchRequest(query="deleted:true", facets=[]))
        assert sorted(hit.post.platform for hit in gone.hits) == [
            "blog",
            "mastodon",
            "network",
            "x",
        ]
    finally:
        ws.close()
