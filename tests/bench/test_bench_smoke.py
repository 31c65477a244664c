"""CI smoke check of the benchmark suite: the ``--quick`` subset runs for real (small synthetic
corpora, a few seconds) and each of its ratios to a same-run reference must stay within 3x of
bench/baseline.json; absolute times are never compared, so a slow or busy machine cannot fail
it, only a gross regression in archiveren's own cost can."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bench.run_all import BASELINE, regressions
from bench.stages import median_of

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("bench-out")
    done = subprocess.run(
        [sys.executable, "-m", "bench.run_all", "--quick", "--check-baseline"],
        cwd=REPO,
        env={**os.environ, "ARCHIVEREN_BENCH_OUT": str(out)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    return {
        "returncode": done.returncode,
        "stderr": done.stderr,
        "results": json.loads((out / "quick-results.json").read_text())
        if (out / "quick-results.json").exists()
        else None,
        "report": (out / "quick-RESULTS.md").read_text()
        if (out / "quick-RESULTS.md").exists()
        else "",
    }


def test_quick_ratios_stay_within_three_times_the_baseline(quick_run: dict[str, Any]) -> None:
    assert quick_run["results"] is not None, quick_run["stderr"][-3000:]
    baseline = json.loads(BASELINE.read_text())["ratios"]
    assert regressions(quick_run["results"]["ratios"], baseline) == []
    assert quick_run["returncode"] == 0, quick_run["stderr"][-3000:]


def test_quick_run_indexes_every_tweet_it_archived(quick_run: dict[str, Any]) -> None:
    results = quick_run["results"]
    assert results is not None, quick_run["stderr"][-3000:]
    pipeline = results["pipeline"]["2000"]
    assert pipeline["tantivy"]["posts"] == 2000
    assert pipeline["read"]["records"] == results["corpora"]["2000"]["pages"] * 3 + 1
    assert results["export"]["csv-2000"]["posts"] == 2000


def test_report_states_each_target_with_its_figure(quick_run: dict[str, Any]) -> None:
    report = quick_run["report"]
    assert "## Targets" in report
    assert "Posts/s end to end (tantivy, 2,000 tweets)" in report
    assert "peak memory < 500 MB: index tantivy 2,000 tweets" in report
    for target in quick_run["results"]["targets"]:
        assert target["met"] in (True, False, None)
        assert target["figure"]


def test_a_ratio_three_times_worse_than_recorded_is_a_regression() -> None:
    baseline = {"index / read": 0.006, "write / gzip": 0.5}
    assert regressions({"index / read": 0.0021, "write / gzip": 0.2}, baseline) == []
    flagged = regressions({"index / read": 0.0019, "write / gzip": 0.5}, baseline)
    assert len(flagged) == 1 and flagged[0].startswith("index / read: 0.0019")
    assert regressions({"write / gzip": 0.5}, baseline) == [
        "index / read: recorded 0.006, not measured in this run"
    ]


def test_median_over_runs_keeps_the_largest_peak_memory_and_the_majority_verdict() -> None:
    runs = [
        {"posts_per_s": 900, "peak_rss_mb": 120.0, "detail": {"seconds": 3.0}, "target_met": False},
        {"posts_per_s": 1100, "peak_rss_mb": 180.0, "detail": {"seconds": 1.0}, "target_met": True},
        {"posts_per_s": 1000, "peak_rss_mb": 90.0, "detail": {"seconds": 2.0}, "target_met": True},
    ]
    assert median_of(runs) == {
        "posts_per_s": 1000,
        "peak_rss_mb": 180.0,
        "detail": {"seconds": 2.0},
        "target_met": True,
    }
