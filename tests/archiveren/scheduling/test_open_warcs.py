"""Under `archiveren schedule` a source's runs append to one open WARC file: idle runs leave no
new files behind, what a run collected is searchable while the file is still open, and SIGTERM
closes the file so it is valid and verifies."""

from __future__ import annotations

import json
import signal
import subprocess
from pathlib import Path

from fastwarc.warc import ArchiveIterator as FastIterator
from warcio.archiveiterator import ArchiveIterator

from tests.archiveren.scheduling.conftest import (
    SlowBlog,
    feed_source,
    start_scheduler,
    stop,
    write_config,
)
from tests.archiveren.scheduling.test_scheduler import runs_of, wait_for
from tests.fixtures.command_line import archiveren_argv


def warc_files(data: Path) -> list[Path]:
    warcs = data / "warcs"
    return sorted(p for p in warcs.iterdir() if ".warc" in p.name) if warcs.is_dir() else []


def finished_runs(data: Path) -> int:
    return len([run for run in runs_of(data, "blog") if run.ended_at])


def test_four_idle_cycles_make_one_warc_file_which_sigterm_closes_valid(
    slow_blog: SlowBlog, tmp_path: Path
) -> None:
    config = write_config(tmp_path / "c.yaml", feed_source("blog", slow_blog.url, interval=1))
    data = tmp_path / "data"
    process = start_scheduler(config, data, tmp_path / "log")
    try:
        assert wait_for(lambda: finished_runs(data) >= 4, 60), (tmp_path / "log").read_text()
        files = warc_files(data)
        assert len(files) == 1, files
        assert files[0].name.endswith(".open")
    finally:
        assert stop(process) == 0
    runs = [run for run in runs_of(data, "blog") if run.ended_at]
    assert len(runs) >= 4 and all(run.outcome == "ok" for run in runs)
    files = warc_files(data)
    assert [f.name.endswith(".warc.gz") for f in files] == [True], files
    with files[0].open("rb") as handle:
        types = [record.rec_type for record in ArchiveIterator(handle)]
    assert types[0] == "warcinfo" and types.count("revisit") >= 3, types
    with files[0].open("rb") as handle:
        assert len(list(FastIterator(handle))) == len(types)
    verify = subprocess.run(archiveren_argv(config, data, "verify"), capture_output=True, text=True)
    assert verify.returncode == 0, verify.stdout + verify.stderr
    status = subprocess.run(
        archiveren_argv(config, data, "status", "--json"), capture_output=True, text=True
    )
    assert status.returncode == 0, status.stderr
    assert "blog" in json.dumps(json.loads(status.stdout))


def test_posts_in_a_still_open_file_are_searchable(slow_blog: SlowBlog, tmp_path: Path) -> None:
    config = write_config(tmp_path / "c.yaml", feed_source("blog", slow_blog.url, interval=60))
    data = tmp_path / "data"
    process = start_scheduler(config, data, tmp_path / "log")
    try:
        assert wait_for(lambda: finished_runs(data) >= 1, 60), (tmp_path / "log").read_text()
        assert [f.name.endswith(".open") for f in warc_files(data)] == [True]

        def found() -> list[dict[str, object]]:
            search = subprocess.run(
                archiveren_argv(config, data, "search", "Omgevingswet", "--json"),
                capture_output=True,
                text=True,
            )
            assert search.returncode == 0, search.stdout + search.stderr
            return list(json.loads(search.stdout)["hits"])

        assert wait_for(lambda: len(found()) == 4, 30), found()
        assert [f.name.endswith(".open") for f in warc_files(data)] == [True]
    finally:
        assert stop(process) == 0
    index = subprocess.run(archiveren_argv(config, data, "index"), capture_output=True, text=True)
    assert index.returncode == 0, index.stdout + index.stderr
    assert "posts" not in index.stdout, "the closed file's Posts were indexed while it was open"


def test_a_killed_scheduler_loses_no_finished_run(slow_blog: SlowBlog, tmp_path: Path) -> None:
    config = write_config(tmp_path / "c.yaml", feed_source("blog", slow_blog.url, interval=1))
    data = tmp_path / "data"
    process = start_scheduler(config, data, tmp_path / "log")
    try:
        assert wait_for(lambda: finished_runs(data) >= 3, 60), (tmp_path / "log").read_text()
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(30)
    [left_open] = warc_files(data)
    assert left_open.name.endswith(".open")
    collect = subprocess.run(
        archiveren_argv(config, data, "collect"), capture_output=True, text=True
    )
    assert collect.returncode == 0, collect.stdout + collect.stderr
    assert (
        not left_open.exists() and (data / "warcs" / left_open.name.removesuffix(".open")).exists()
    )
    verify = subprocess.run(archiveren_argv(config, data, "verify"), capture_output=True, text=True)
    assert verify.returncode == 0, verify.stdout + verify.stderr
    search = subprocess.run(
        archiveren_argv(config, data, "search", "Omgevingswet", "--json"),
        capture_output=True,
        text=True,
    )
    assert json.loads(search.stdout)["total"] == 4, search.stdout
    index = subprocess.run(archiveren_argv(config, data, "index"), capture_output=True, text=True)
    assert index.returncode == 0 and "!" not in index.stdout, index.stdout + index.stderr
