"""A writer killed mid-record: its .open file is never taken for a closed one, and recovery
closes it at its last complete record (or sets it aside), saying which."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from archive import CaptureMetadata, WarcWriter, iter_records, recover_open_files, verify_archive
from archive.naming import MANIFEST_NAME, QUARANTINE_DIR
from tests.archive.test_writer import closed_files

KILLED_CHILD = """
import os, sys
from pathlib import Path
from archive import CaptureMetadata, HttpExchange, WarcWriter
meta = CaptureMetadata("s", "web", "test", "1", "page")
writer = WarcWriter(Path(sys.argv[1]))
for n in range(3):
    writer.write_exchange(HttpExchange(url=f"https://example.org/{n}", status=200, reason="OK",
        response_headers=[("Content-Type", "text/plain")], body=b"complete %d" % n,
        remote_ip="127.0.0.1"), meta)
print(os.path.getsize(writer.current_file), flush=True)
big = os.urandom(64 * 1024 * 1024)
writer.write_exchange(HttpExchange(url="https://example.org/big", status=200, reason="OK",
    response_headers=[("Content-Type", "application/octet-stream")], body=big,
    remote_ip="127.0.0.1"), meta)
print("finished", flush=True)
"""


def kill_mid_record(archive_dir: Path) -> Path:
    """Run a writer, SIGKILL it while its big fourth response is half written; return the
    .open file it left."""
    archive_dir.mkdir(parents=True)
    child = subprocess.Popen(
        [sys.executable, "-c", KILLED_CHILD, str(archive_dir)], stdout=subprocess.PIPE, text=True
    )
    assert child.stdout is not None
    complete_size = int(child.stdout.readline())
    (open_file,) = archive_dir.glob("*.open")
    deadline = time.monotonic() + 30
    while open_file.stat().st_size <= complete_size + 1_000_000 and time.monotonic() < deadline:
        time.sleep(0.005)
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=10)
    assert child.stdout.read() == ""  # the big record never finished
    return open_file


def test_killed_writer_leaves_an_open_file_that_no_reader_takes_for_closed(tmp_path: Path) -> None:
    archive_dir = tmp_path / "warcs"
    open_file = kill_mid_record(archive_dir)
    assert open_file.exists() and closed_files(archive_dir) == []
    assert list(iter_records(archive_dir)) == []
    report = verify_archive(archive_dir)
    assert any(p.startswith("abandoned: ") and open_file.name in p for p in report.problems)


def test_recovery_closes_at_last_complete_record_and_keeps_the_cut_bytes(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    archive_dir = tmp_path / "warcs"
    open_file = kill_mid_record(archive_dir)
    left_size = open_file.stat().st_size
    with caplog.at_level(logging.WARNING, logger="archive.recovery"):
        (outcome,) = recover_open_files(archive_dir)
    assert outcome.action == "closed" and outcome.records == 1 + 3 * 3
    assert outcome.closed is not None and outcome.closed.path.exists()
    assert outcome.set_aside_path is not None
    assert outcome.set_aside_path.parent.name == QUARANTINE_DIR
    assert outcome.kept_bytes + outcome.set_aside_path.stat().st_size == left_size
    assert f"closed {outcome.closed.name} at its last complete record" in caplog.text
    urls = [r.pointer.target_uri for r in iter_records(archive_dir) if r.rec_type == "response"]
    assert urls == [f"https://example.org/{n}" for n in range(3)]
    assert outcome.closed.name in (archive_dir / MANIFEST_NAME).read_text()
    assert verify_archive(archive_dir).ok


def test_next_writer_start_recovers_but_never_touches_a_live_writers_file(
    tmp_path: Path, capture_metadata: CaptureMetadata
) -> None:
    archive_dir = tmp_path / "warcs"
    kill_mid_record(archive_dir)
    live = WarcWriter(archive_dir, recover=False)
    live.write_resource("https://example.org/live", "text/plain", b"live", capture_metadata)
    assert live.current_file is not None
    starting = WarcWriter(archive_dir)
    assert [o.action for o in starting.recovered] == ["closed"]
    assert live.current_file.exists()
    live.close()
    starting.close()
    assert verify_archive(archive_dir).ok


def test_file_without_a_complete_record_is_set_aside(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    archive_dir = tmp_path / "warcs"
    archive_dir.mkdir()
    stub = archive_dir / "archiveren-20240101000000000-00000-host.warc.gz.open"
    stub.write_bytes(b"\x1f\x8b\x08\x00partial")
    with caplog.at_level(logging.WARNING, logger="archive.recovery"):
        (outcome,) = recover_open_files(archive_dir)
    assert outcome.action == "set_aside" and not stub.exists()
    assert outcome.set_aside_path == archive_dir / QUARANTINE_DIR / stub.name
    assert "no complete WARC record" in caplog.text
    assert closed_files(archive_dir) == []
