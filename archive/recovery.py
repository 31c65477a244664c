"""Recovery of ``.open`` WARC files left behind by a writer that died (SIGKILL, power loss).
A file is only touched when no live writer holds its lock. Its gzip members are checked one by
one; the file is cut after the last complete record and closed normally (manifest, index,
callback), with the cut-off bytes kept in ``quarantine/``; a file without a single complete
record is moved to ``quarantine/`` whole. Every decision is logged and returned."""

from __future__ import annotations

import fcntl
import logging
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from archive.closing import ClosedWarc, close_warc
from archive.dedup import DedupStore
from archive.manifest import file_sha256
from archive.naming import (
    DEDUP_NAME,
    OPEN_SUFFIX,
    QUARANTINE_DIR,
    archive_lock,
    fsync_dir,
    open_warcs,
)
from archive.scan import scan_complete_records

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RecoveryOutcome:
    """What recovery did with one abandoned ``.open`` file."""

    open_path: Path
    action: str  # "closed" (cut at its last complete record) or "set_aside"
    records: int
    kept_bytes: int
    dropped_bytes: int
    reason: str
    closed: ClosedWarc | None = None
    set_aside_path: Path | None = None


def recover_open_files(
    archive_dir: Path,
    *,
    on_file_closed: Callable[[ClosedWarc], None] | None = None,
    dedup_store: DedupStore | None = None,
) -> list[RecoveryOutcome]:
    """Close or set aside every abandoned ``.open`` file in ``archive_dir``; files that a live
    writer (in any process) holds are left alone."""
    claimed: list[tuple[Path, int]] = []
    # Under the archive lock a writer creates and locks its file in one step, so a file we can
    # lock here really has no writer.
    with archive_lock(archive_dir):
        for path in open_warcs(archive_dir):
            fd = os.open(path, os.O_RDWR)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue
            claimed.append((path, fd))
    if not claimed:
        return []
    store = dedup_store
    if store is None and (archive_dir / DEDUP_NAME).exists():
        store = DedupStore(archive_dir / DEDUP_NAME)
    outcomes = []
    try:
        for path, fd in claimed:
            try:
                outcomes.append(_recover_one(archive_dir, path, fd, on_file_closed, store))
            finally:
                os.close(fd)
    finally:
        if store is not None and dedup_store is None:
            store.close()
    return outcomes


def _recover_one(
    archive_dir: Path,
    open_path: Path,
    fd: int,
    on_file_closed: Callable[[ClosedWarc], None] | None,
    store: DedupStore | None,
) -> RecoveryOutcome:
    name = open_path.name.removesuffix(OPEN_SUFFIX)
    size = os.fstat(fd).st_size
    scan = scan_complete_records(open_path)
    quarantine = archive_dir / QUARANTINE_DIR
    if scan.records == 0:
        quarantine.mkdir(exist_ok=True)
        target = quarantine / open_path.name
        os.rename(open_path, target)
        fsync_dir(archive_dir)
        if store is not None:
            store.forget_file(name)
        reason = scan.problem or "no complete record"
        log.warning(
            "set aside %s as %s: no complete WARC record in it (%s)", open_path, target, reason
        )
        return RecoveryOutcome(open_path, "set_aside", 0, 0, size, reason, set_aside_path=target)
    tail_path = None
    if scan.good_end < size:
        quarantine.mkdir(exist_ok=True)
        tail_path = quarantine / f"{name}.tail-at-{scan.good_end}"
        with open(open_path, "rb") as src, open(tail_path, "wb") as dst:
            src.seek(scan.good_end)
            shutil.copyfileobj(src, dst)
            dst.flush()
            os.fsync(dst.fileno())
        os.truncate(fd, scan.good_end)
        if store is not None:
            store.forget_file(name, scan.good_end)
    os.fsync(fd)
    final_path = archive_dir / name
    sha256, kept = file_sha256(open_path)
    closed = ClosedWarc(path=final_path, name=name, size=kept, sha256=sha256, records=scan.records)
    close_warc(open_path, closed, archive_dir, on_file_closed)
    reason = scan.problem or "file was complete"
    if tail_path is not None:
        log.warning(
            "closed %s at its last complete record (%d records, %d bytes); %d trailing bytes "
            "set aside as %s (%s)",
            name,
            scan.records,
            kept,
            size - kept,
            tail_path,
            reason,
        )
    else:
        log.warning("closed abandoned %s as it was (%d records)", name, scan.records)
    return RecoveryOutcome(
        open_path,
        "closed",
        scan.records,
        kept,
        size - kept,
        reason,
        closed=closed,
        set_aside_path=tail_path,
    )
