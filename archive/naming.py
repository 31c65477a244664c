"""Names and places inside an archive directory: WARC file names
(``{prefix}-{YYYYmmddHHMMSSfff}-{serial:05d}-{host}.warc.gz``, ``.open`` while being written),
the shared state files beside them, and the lock that serialises updates to that shared state
between writer processes. Everything that decides "is this a closed WARC?" asks this module."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from foundation.errors import ArchiveError
from foundation.host_name import host_name

OPEN_SUFFIX = ".open"
WARC_SUFFIXES = (".warc.gz", ".warc", ".arc.gz", ".arc")
MANIFEST_NAME = "manifest-sha256.txt"
SIZES_NAME = "sizes.txt"
INDEX_NAME = "index.cdxj"
DEDUP_NAME = "dedup.sqlite3"
LOCK_NAME = ".archive.lock"
QUARANTINE_DIR = "quarantine"


def host_label() -> str:
    """This machine's host name as WARC names carry it (foundation.host_name: the system's
    host name or ARCHIVEREN_HOST_NAME), safe in a file name."""
    return host_name()


def warc_name(prefix: str, when: datetime, serial: int, host: str) -> str:
    stamp = when.strftime("%Y%m%d%H%M%S") + f"{when.microsecond // 1000:03d}"
    return f"{prefix}-{stamp}-{serial:05d}-{host}.warc.gz"


def is_closed_warc(path: Path) -> bool:
    return path.is_file() and path.name.endswith(WARC_SUFFIXES)


def closed_warcs(archive_dir: Path) -> list[Path]:
    """Closed WARC (and ARC) files directly in the archive directory, sorted by name, which for
    archiveren's names is the order they were opened. ``.open`` files are never included."""
    if not archive_dir.is_dir():
        raise ArchiveError(
            f"archive directory {archive_dir} does not exist; check the archive path in the config"
        )
    return sorted(p for p in archive_dir.iterdir() if is_closed_warc(p))


def open_warcs(archive_dir: Path) -> list[Path]:
    return sorted(p for p in archive_dir.glob(f"*{OPEN_SUFFIX}") if p.is_file())


def resolve_inside(archive_dir: Path, relative: str) -> Path:
    """``archive_dir / relative``, refusing names that climb out of the archive directory
    (pointers come from the index and URLs, so they are not trusted)."""
    if not relative or relative.startswith(("/", "\\")) or "\x00" in relative:
        raise ArchiveError(f"WARC name {relative!r} is not a plain name inside {archive_dir}")
    base = archive_dir.resolve()
    target = (base / relative).resolve()
    if target == base or base not in target.parents:
        raise ArchiveError(
            f"WARC name {relative!r} points outside the archive directory {archive_dir}; refused"
        )
    return target


@contextmanager
def archive_lock(archive_dir: Path) -> Iterator[None]:
    """An exclusive lock on the archive directory's shared files (manifest, index), held across
    processes with flock; the kernel drops it if the holder dies."""
    fd = os.open(archive_dir / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def fsync_dir(directory: Path) -> None:
    """Make a rename or create in ``directory`` durable."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
