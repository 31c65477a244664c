"""`archiveren schedule`: second-level schedules fire on time, never overlap, survive restarts
without double runs, reload config without a restart, and stop gracefully on SIGTERM."""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path

from archiveren.scheduler import in_shard
from catalogue.store import Catalogue
from tests.archiveren.scheduling.conftest import (
    SlowBlog,
    feed_source,
    start_scheduler,
    stop,
    write_config,
)
from tests.fixtures.command_line import archiveren_argv


def runs_of(data_dir: Path, source: str, *, skipped: bool = False, url: str | None = None) -> list:
    """The runs of ``source`` that ran, oldest first (or, with ``skipped``, the planned runs
    that were recorded as skipped), from the catalogue in ``data_dir`` or at ``url``."""
    catalogue = Catalogue.open(data_dir, url)
    try:
        runs = sorted(catalogue.runs(source, limit=500), key=lambda run: run.id)
    finally:
        catalogue.close()
    return [run for run in runs if (run.outcome == "skipped") == skipped]


def wait_for(predicate, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_jobs_fire_on_time_and_never_overlap(slow_blog: SlowBlog, tmp_path: Path) -> None:
    slow_blog.page_delay = 0.4  # a run (4 pages) takes longer than the 1 s interval
    config = write_config(tmp_path / "c.yaml", feed_source("blog", slow_blog.url, interval=1))
    process = start_scheduler(config, tmp_path / "data", tmp_path / "log")
    try:
        assert wait_for(
            lambda: len([r for r in runs_of(tmp_path / "data", "blog") if r.ended_at]) >= 3, 30
        ), (tmp_path / "log").read_text()
    finally:
        assert stop(process) == 0
    runs = [r for r in runs_of(tmp_path / "data", "blog") if r.ended_at]
    for earlier, later in zip(runs, runs[1:], strict=False):
        assert later.started_at >= earlier.ended_at, "two runs of one source overlapped"
    skipped = runs_of(tmp_path / "data", "blog", skipped=True)
    assert skipped, "a planned run that fell inside a running one is recorded as skipped"
    assert all("skipped: the run before it was still going" in run.errors[0] for run in skipped)


def test_a_failing_or_slow_source_does_not_delay_the_others(
    slow_blog: SlowBlog, tmp_path: Path
) -> None:
    slow_blog.page_delay = 3.0
    sources = feed_source("traag", slow_blog.url, interval=1) + feed_source(
        "kapot", "http://127.0.0.1:9", interval=1
    )
    fast = SlowBlog(
        ("127.0.0.1", 0),
        type(
            slow_blog.RequestHandlerClass.__mro__[0].__name__, (slow_blog.RequestHandlerClass,), {}
        ),
    )
    import threading

    threading.Thread(target=fast.serve_forever, daemon=True).start()
    sources += feed_source("snel", fast.url, interval=1)
    config = write_config(tmp_path / "c.yaml", sources)
    process = start_scheduler(config, tmp_path / "data", tmp_path / "log")
    try:
        assert wait_for(lambda: len(runs_of(tmp_path / "data", "snel")) >= 3, 20), (
            tmp_path / "log"
        ).read_text()
        assert any(run.outcome == "failed" for run in runs_of(tmp_path / "data", "kapot"))
    finally:
        stop(process)
        fast.shutdown()


def test_restart_does_not_run_a_source_twice(
    slow_blog: SlowBlog, tmp_path: Path, catalogue_url: str | None
) -> None:
    """The job store (APScheduler's, in the catalogue) remembers the next run time."""
    config = write_config(
        tmp_path / "c.yaml", feed_source("blog", slow_blog.url, interval=3), "", catalogue_url
    )
    data = tmp_path / "data"
    first = start_scheduler(config, data, tmp_path / "log")
    assert wait_for(lambda: len(runs_of(data, "blog", url=catalogue_url)) >= 1, 20)
    stop(first)
    before = len(runs_of(data, "blog", url=catalogue_url))
    second = start_scheduler(config, data, tmp_path / "log")
    time.sleep(1.5)
    stop(second)
    assert len(runs_of(data, "blog", url=catalogue_url)) == before, (
        "a restart must not fire the source again before its next time"
    )


def test_a_second_scheduler_for_the_same_sources_is_refused_and_runs_never_overlap(
    slow_blog: SlowBlog, tmp_path: Path, catalogue_url: str | None
) -> None:
    """On PostgreSQL the two could be on two hosts: the first claims all sources in the
    catalogue, so the second, which would run every source a second time each period, stops
    with the reason; several hosts each take a scheduler.shard (test_two_hosts.py)."""
    slow_blog.page_delay = 0.3
    config = write_config(
        tmp_path / "c.yaml", feed_source("blog", slow_blog.url, interval=1), "", catalogue_url
    )
    data = tmp_path / "data"
    first = start_scheduler(config, data, tmp_path / "log0")

    def finished() -> list:
        return [r for r in runs_of(data, "blog", url=catalogue_url) if r.ended_at]

    try:
        assert wait_for(lambda: len(finished()) >= 1, 40)
        second = start_scheduler(config, data, tmp_path / "log1")
        assert second.wait(60) != 0
        assert wait_for(lambda: len(finished()) >= 4, 40)
    finally:
        stop(first)
    refusal = (tmp_path / "log1").read_text(encoding="utf-8")
    assert "a scheduler for all sources (no scheduler.shard) is already running by" in refusal
    runs = finished()
    assert {run.host for run in runs} == {runs[0].host}
    for earlier, later in zip(runs, runs[1:], strict=False):
        assert later.started_at >= earlier.ended_at


def test_shards_divide_sources_between_hosts() -> None:
    names = [f"bron-{n}" for n in range(40)]
    first = {name for name in names if in_shard(name, "1/2")}
    second = {name for name in names if in_shard(name, "2/2")}
    assert first and second and first.isdisjoint(second) and first | second == set(names)


def test_config_reload_adds_sources_and_refuses_a_bad_config(
    slow_blog: SlowBlog, tmp_path: Path
) -> None:
    config = write_config(tmp_path / "c.yaml", feed_source("eerste", slow_blog.url, interval=1))
    data = tmp_path / "data"
    process = start_scheduler(config, data, tmp_path / "log")
    try:
        assert wait_for(lambda: len(runs_of(data, "eerste")) >= 1)
        config.write_text(
            config.read_text() + "  - name: kapot\n    type: hyves\n", encoding="utf-8"
        )
        process.send_signal(signal.SIGHUP)
        assert wait_for(lambda: "new config refused" in (tmp_path / "log").read_text(), 10)
        count = len(runs_of(data, "eerste"))
        assert wait_for(lambda: len(runs_of(data, "eerste")) > count, 10), (
            "the old schedule keeps running"
        )
        write_config(
            config,
            feed_source("eerste", slow_blog.url, interval=1)
            + feed_source("tweede", slow_blog.url, interval=1),
        )
        process.send_signal(signal.SIGHUP)
        assert wait_for(lambda: len(runs_of(data, "tweede")) >= 1, 15)
    finally:
        stop(process)


def test_sigterm_during_collection_leaves_a_valid_archive_and_the_next_run_continues(
    slow_blog: SlowBlog, tmp_path: Path
) -> None:
    slow_blog.page_delay = 1.0
    slow_blog.items = 6
    config = write_config(tmp_path / "c.yaml", feed_source("blog", slow_blog.url, interval=60))
    data = tmp_path / "data"
    process = start_scheduler(config, data, tmp_path / "log")
    assert wait_for(lambda: slow_blog.requests >= 3, 20)  # mid-way through the first run's pages
    assert stop(process, timeout=30) == 0
    verify = subprocess.run(
        archiveren_argv(config, data, "verify"),
        capture_output=True,
        text=True,
    )
    assert verify.returncode == 0, verify.stdout + verify.stderr
    first = runs_of(data, "blog")[-1]
    assert first.outcome in ("partial", "ok")
    slow_blog.page_delay = 0
    collect = subprocess.run(
        archiveren_argv(config, data, "collect"),
        capture_output=True,
        text=True,
    )
    assert collect.returncode == 0, collect.stdout + collect.stderr
    assert runs_of(data, "blog")[-1].outcome == "ok"


def test_each_run_is_one_log_line_without_asking_for_more(
    slow_blog: SlowBlog, tmp_path: Path
) -> None:
    config = write_config(tmp_path / "c.yaml", feed_source("blog", slow_blog.url, interval=2))
    data, log = tmp_path / "data", tmp_path / "log"
    process = start_scheduler(config, data, log, verbose=False)
    try:
        assert wait_for(lambda: len([r for r in runs_of(data, "blog") if r.ended_at]) >= 2)
    finally:
        stop(process)
    lines = [line for line in log.read_text().splitlines() if "run of blog" in line]
    ended = [r for r in runs_of(data, "blog") if r.ended_at]
    assert len(lines) == len(ended), log.read_text()
    assert all(" ok in " in line and "requests" in line for line in lines), lines


def test_status_shows_last_and_next_run(slow_blog: SlowBlog, tmp_path: Path) -> None:
    config = write_config(tmp_path / "c.yaml", feed_source("blog", slow_blog.url, interval=30))
    data = tmp_path / "data"
    process = start_scheduler(config, data, tmp_path / "log")
    try:
        assert wait_for(lambda: any(r.ended_at for r in runs_of(data, "blog")))
    finally:
        stop(process)
    status = subprocess.run(
        archiveren_argv(config, data, "status"),
        capture_output=True,
        text=True,
    )
    assert status.returncode == 0, status.stderr
    line = next(line for line in status.stdout.splitlines() if line.startswith("blog"))
    assert "ok" in line and line.count("20") >= 2, line


def test_a_second_collect_of_a_running_source_is_refused_and_recorded(
    slow_blog: SlowBlog, tmp_path: Path
) -> None:
    slow_blog.page_delay = 1.0
    slow_blog.items = 15  # the first run takes 15 s: long enough on a loaded machine
    config = write_config(tmp_path / "c.yaml", feed_source("blog", slow_blog.url, interval=None))
    data = tmp_path / "data"
    first = subprocess.Popen(
        archiveren_argv(config, data, "collect", "blog"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert wait_for(lambda: slow_blog.requests >= 2, 20)
        second = subprocess.run(
            archiveren_argv(config, data, "collect", "blog"),
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert first.poll() is None, "the first run ended before the second began"
        assert second.returncode == 1
        assert "collecting blog is already running by" in second.stdout, (
            second.stdout + second.stderr
        )
        assert "Traceback" not in second.stderr
    finally:
        assert first.wait(timeout=90) == 0, first.communicate()
    assert [run.outcome for run in runs_of(data, "blog")] == ["ok"]
    assert "already running" in runs_of(data, "blog", skipped=True)[0].errors[0]


def test_status_after_a_killed_collection_says_interrupted_not_running(
    slow_blog: SlowBlog, tmp_path: Path
) -> None:
    slow_blog.page_delay = 1.0
    config = write_config(tmp_path / "c.yaml", feed_source("blog", slow_blog.url, interval=None))
    data = tmp_path / "data"
    killed = subprocess.Popen(
        archiveren_argv(config, data, "collect", "blog"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    assert wait_for(lambda: slow_blog.requests >= 2, 20)
    killed.send_signal(signal.SIGKILL)
    killed.wait(10)
    assert runs_of(data, "blog")[-1].outcome == "running"
    status = subprocess.run(
        archiveren_argv(config, data, "status"), capture_output=True, text=True, timeout=60
    )
    line = next(line for line in status.stdout.splitlines() if line.startswith("blog"))
    assert "interrupted" in line, status.stdout
    slow_blog.page_delay = 0
    again = subprocess.run(
        archiveren_argv(config, data, "collect", "blog"), capture_output=True, text=True, timeout=60
    )
    assert again.returncode == 0, again.stdout + again.stderr  # the dead run's lock is taken over


def test_a_run_that_cannot_even_start_is_a_recorded_failure_and_the_scheduler_goes_on(
    slow_blog: SlowBlog, tmp_path: Path
) -> None:
    sources = feed_source("blog", slow_blog.url, interval=1) + feed_source(
        "ander", slow_blog.url, interval=1
    )
    config = write_config(tmp_path / "c.yaml", sources)
    data = tmp_path / "data"
    process = start_scheduler(config, data, tmp_path / "log")
    try:
        assert wait_for(
            lambda: len(runs_of(data, "blog")) >= 1 and len(runs_of(data, "ander")) >= 1, 30
        )
        (data / "warcs").rename(data / "warcs-moved")
        (data / "warcs").write_text(
            "not a directory"
        )  # from now on every run fails before its collector starts
        assert wait_for(
            lambda: (
                sum(r.outcome == "failed" for r in runs_of(data, "blog")) >= 3
                and sum(r.outcome == "failed" for r in runs_of(data, "ander")) >= 3
            ),
            30,
        ), (tmp_path / "log").read_text()
    finally:
        stop(process)
    log = (tmp_path / "log").read_text()
    for mark in ("Traceback", "raised an exception"):
        where = log.find(mark)
        assert where < 0, log[max(0, where - 1500) : where + 3000]
    assert "warcs" in runs_of(data, "blog")[-1].errors[0]
    restart = subprocess.run(
        archiveren_argv(config, data, "schedule"), capture_output=True, text=True, timeout=60
    )
    assert restart.returncode != 0 and "Traceback" not in restart.stderr, restart.stderr[-3000:]
    assert "warcs" in restart.stderr
