"""Runs that start, close and register WARC files at the same time: no run dies on a duplicate
registration, no run is told another left an orphan while that other is still at work, and
the catalogue ends up with every closed file exactly once."""

from __future__ import annotations

import logging
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from archive import WarcWriter
from archive.capture import CaptureMetadata
from archive.naming import closed_warcs
from catalogue.store import Catalogue
from collectors.runner import _catch_up_catalogue
from tests.archiveren.scheduling.conftest import SlowBlog, feed_source, write_config

REPO = Path(__file__).resolve().parents[3]
ORPHAN_WARNING = "closed by a run that stopped before recording it"


def note(source: str) -> CaptureMetadata:
    return CaptureMetadata(
        source=source, platform="web", collector="test", collector_version="1", capture_kind="page"
    )


def test_a_run_starting_while_another_closes_a_file_leaves_that_file_to_its_writer(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    catalogue = Catalogue.open(tmp_path)
    closing, caught_up = threading.Event(), threading.Event()
    registered: list[str] = []

    def register_after_the_other_run_looked(closed) -> None:  # the writer's on_file_closed
        closing.set()
        assert caught_up.wait(10)
        catalogue.register_warc(closed.name, closed.size, closed.sha256, closed.records)
        registered.append(closed.name)

    writer = WarcWriter(tmp_path / "warcs", on_file_closed=register_after_the_other_run_looked)
    writer.write_resource("https://example.org/a", "text/plain", b"een", note("a"))
    closer = threading.Thread(target=writer.close)
    closer.start()
    assert closing.wait(10)
    with caplog.at_level(logging.WARNING, logger="archiveren.collectors"):
        _catch_up_catalogue(catalogue, tmp_path / "warcs")  # a second run starting right now
    assert not catalogue.warc_files(), (
        "the second run registered a file its writer was still closing"
    )
    caught_up.set()
    closer.join(10)
    assert [row.name for row in catalogue.warc_files()] == registered
    assert ORPHAN_WARNING not in caplog.text
    catalogue.close()


def test_a_file_whose_writer_died_before_registering_it_is_caught_up(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    catalogue = Catalogue.open(tmp_path)
    with WarcWriter(tmp_path / "warcs") as writer:  # nobody registers: as if killed after closing
        writer.write_resource("https://example.org/a", "text/plain", b"een", note("a"))
    with caplog.at_level(logging.WARNING, logger="archiveren.collectors"):
        _catch_up_catalogue(catalogue, tmp_path / "warcs")
    assert [row.name for row in catalogue.warc_files()] == [
        p.name for p in closed_warcs(tmp_path / "warcs")
    ]
    assert ORPHAN_WARNING in caplog.text
    catalogue.close()


def test_registering_one_file_from_many_processes_at_once_always_succeeds(tmp_path: Path) -> None:
    Catalogue.open(tmp_path).close()
    script = (
        "import sys; from pathlib import Path; from catalogue.store import Catalogue\n"
        "c = Catalogue.open(Path(sys.argv[1]))\n"
        "for n in range(40): c.register_warc(f'f-{n:03d}.warc.gz', n, 'ab' * 32, n)\n"
    )
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", script, str(tmp_path)],
            cwd=REPO,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    errors = [process.communicate(timeout=60)[1] for process in processes]
    assert [process.returncode for process in processes] == [0] * 4, "\n".join(errors)
    catalogue = Catalogue.open(tmp_path)
    assert len(catalogue.warc_files()) == 40
    catalogue.close()


def test_concurrent_collections_closing_files_all_the_time_never_fail_or_warn(
    slow_blog: SlowBlog, tmp_path: Path, catalogue_url: str | None
) -> None:
    """The soak run's race, forced: four `collect` processes of four sources, three rounds,
    each closing files while the others start and catch up; the first round also creates the
    catalogue, all four at once."""
    names = [f"blog-{n}" for n in range(4)]
    config = write_config(
        tmp_path / "c.yaml",
        "".join(feed_source(name, slow_blog.url, interval=None) for name in names),
        "",
        catalogue_url,
    )
    data = tmp_path / "data"
    base = [
        sys.executable,
        "-m",
        "archiveren",
        "-v",
        "--config",
        str(config),
        "--data-dir",
        str(data),
        "collect",
    ]
    for _ in range(3):
        processes = [
            subprocess.Popen(
                [*base, name], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
            )
            for name in names
        ]
        outputs = [process.communicate(timeout=120)[0] for process in processes]
        log = "\n".join(outputs)
        assert [process.returncode for process in processes] == [0] * 4, log[-4000:]
        assert "Traceback" not in log and "IntegrityError" not in log, log[-4000:]
        assert ORPHAN_WARNING not in log, log[-4000:]
    catalogue = Catalogue.open(data, catalogue_url)
    registered = sorted(row.name for row in catalogue.warc_files())
    assert {run.source for run in catalogue.runs(limit=100)} == set(names)
    assert len(catalogue.runs(limit=100)) == 3 * len(names), "no run record lost"
    catalogue.close()
    assert registered == [path.name for path in closed_warcs(data / "warcs")]
    verify = subprocess.run(
        [*base[:-1], "verify"], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert verify.returncode == 0, verify.stdout + verify.stderr
