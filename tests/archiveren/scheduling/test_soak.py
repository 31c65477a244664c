"""The scheduler left alone under a compressed long run (bench/soak.py): every source of the
demo on a 2 s interval, three runs at once, indexing after each run, the UI and an operator's
`archiveren index` beside it, one source failing throughout. ARCHIVEREN_SOAK_SECONDS sets the
length (default 180 s, about 600 runs: a week of a 20-minute schedule for each of the nine
sources)."""

from __future__ import annotations

import os
from typing import Any

import pytest

from bench.soak import FAILING_SOURCE, SoakResult, soak

SOAK_SECONDS = float(os.environ.get("ARCHIVEREN_SOAK_SECONDS", "180"))
MAX_RSS_FLOOR_GROWTH_MB = 40.0
"""How far the scheduler's memory floor (RssAnon, the lowest sample of a quarter) may rise over
the second half of the soak, about 370 runs: a leak of some 100 KB a run or more. A finer
figure needs a longer run than a test has: the samples swing 20-30 MB with the runs in flight,
so a per-run slope fitted over 370 runs moved between -17 and +70 MB per thousand runs on the
same commit (quiet machine, 2026-12-06) while the floor moved -12 and +15 MB. bench/soak.py
reports the slope too, over a longer run."""


@pytest.fixture(scope="module")
def soaked(tmp_path_factory: pytest.TempPathFactory) -> SoakResult:
    return soak(tmp_path_factory.mktemp("soak"), SOAK_SECONDS)


pytestmark = [pytest.mark.slow, pytest.mark.timeout(int(SOAK_SECONDS) + 600)]


def test_nothing_went_wrong_that_an_operator_would_see(soaked: SoakResult) -> None:
    assert soaked.problems == [], "\n".join(soaked.problems)
    assert soaked.runs >= 100, soaked.figures()
    assert soaked.index_runs and soaked.searches


def test_every_planned_run_ran_once_or_is_recorded_as_skipped_with_a_reason(
    soaked: SoakResult,
) -> None:
    for name, runs in soaked.runs_by_source.items():
        ran = [run for run in runs if run["outcome"] != "skipped"]
        assert ran, f"{name} never ran"
        for earlier, later in zip(ran, ran[1:], strict=False):
            assert earlier["ended_at"] is not None and later["started_at"] >= earlier["ended_at"], (
                f"two runs of {name} overlapped"
            )
        assert all(
            run["errors"] and "skipped" in run["errors"][0]
            for run in runs
            if run["outcome"] == "skipped"
        )
        planned = soaked.seconds / soaked.interval + 1
        assert len(runs) <= planned + 1, (
            f"{name}: {len(runs)} runs and skips for {planned:.0f} planned"
        )
    busy = sum(len(runs) for runs in soaked.runs_by_source.values())
    planned_all = len(soaked.runs_by_source) * (soaked.seconds / soaked.interval)
    assert busy >= 0.5 * planned_all, (
        f"only {busy} of about {planned_all:.0f} planned runs are accounted for"
    )


def ended_by_the_final_stop(run: dict[str, Any]) -> bool:
    """A source that cannot be reached fails every run it finishes; only a stop makes one partial."""
    return bool(run["outcome"] == "partial")


def test_the_failing_source_is_notified_and_the_others_are_unaffected(soaked: SoakResult) -> None:
    ran = [run for run in soaked.runs_by_source[FAILING_SOURCE] if run["outcome"] != "skipped"]
    if ran and ended_by_the_final_stop(ran[-1]):
        ran = ran[:-1]  # the SIGTERM that ends the soak may cut its last run short
    failing = [run["outcome"] for run in ran]
    assert set(failing) == {"failed"} and len(failing) >= 3, failing
    assert soaked.notifications and {n["source"] for n in soaked.notifications} == {FAILING_SOURCE}
    for name, runs in soaked.runs_by_source.items():
        if name != FAILING_SOURCE:
            assert "failed" not in {run["outcome"] for run in runs}, (
                name,
                [run["errors"] for run in runs if run["outcome"] == "failed"][:3],
            )


def test_the_archive_verifies_and_the_index_holds_every_post_the_sources_served(
    soaked: SoakResult,
) -> None:
    assert soaked.verify_ok
    assert soaked.posts == soaked.reference_posts
    assert all(count > 0 for count in soaked.reference_posts.values()), soaked.reference_posts


def test_the_scheduler_does_not_grow_in_memory_threads_or_open_files(soaked: SoakResult) -> None:
    figures = soaked.figures()
    assert soaked.rss_floor_growth_mb() <= MAX_RSS_FLOOR_GROWTH_MB, figures
    early, _, late = figures["threads"]  # medians of the first and last quarter after warm-up
    assert late <= early + 4, figures
    early_files, _, late_files = figures["open_files"]
    assert late_files <= early_files + 10, figures
