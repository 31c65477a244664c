"""The X and Mastodon collectors archive the files posts show (photos, the best video
variant with its poster, avatars, attachments) once: a second run fetches none of them again,
a run's quota is kept and what it skipped is counted, and a file that fails is an error of
the run, not a silent gap."""

from __future__ import annotations

from pathlib import Path

from collectors.runner import run_sources
from demo_sources import DemoSources
from tests.fixtures.demo import demo_workspace


def social_sources(ws: object) -> list[str]:
    return [source.name for source in ws.config().sources if source.type in ("x", "mastodon")]  # type: ignore[attr-defined]


def test_media_are_fetched_once_across_runs(demo_sources: DemoSources, tmp_path: Path) -> None:
    ws = demo_workspace(demo_sources, tmp_path)
    names = social_sources(ws)
    first = {r.source: r for r in run_sources(ws.config(), ws.data_dir, names)}
    assert all(report.counts["media"] > 0 for report in first.values()), {
        name: dict(report.counts) for name, report in first.items()
    }
    assert not any(report.counts["media_failed"] for report in first.values())
    second = run_sources(ws.config(), ws.data_dir, names)
    assert [report.counts["media"] for report in second] == [0] * len(second)


def test_a_run_keeps_its_media_quota_and_counts_what_it_skipped(
    demo_sources: DemoSources, tmp_path: Path
) -> None:
    ws = demo_workspace(demo_sources, tmp_path)
    config = ws.config()
    for source in config.sources:
        if source.type in ("x", "mastodon"):
            source.media_per_run = 2  # type: ignore[union-attr]
    reports = run_sources(config, ws.data_dir, social_sources(ws))
    for report in reports:
        assert report.counts["media"] == 2
        assert report.counts["media_skipped_quota"] > 0
