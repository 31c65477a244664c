"""Where a closed WARC file is: in the local archive directory, or, once uploaded and checked, in
the bucket that ``object-store.json`` beside the files names. Readers ask here instead of the
file system (``warc_exists``, ``warc_size``, ``open_warc``, ``read_warc_range``), so the
indexer, replay, exports, fixity and timestamps read a file wherever it is, by the same name and
offsets. ``offload_closed`` moves closed files to the bucket: upload, check by reading back,
and only then delete the local copy (unless ``keep_local``)."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from archive.manifest import file_sha256, read_manifest
from archive.naming import WARC_SUFFIXES, closed_warcs, fsync_dir
from archive.store_types import BucketLocation, StoredWarc, WarcStore
from foundation.errors import ArchiveError

log = logging.getLogger(__name__)

_stores: dict[tuple[Path, BucketLocation], WarcStore] = {}


def store_for(archive_dir: Path) -> WarcStore | None:
    """The bucket store of ``archive_dir``, or None when its files are all local."""
    location = BucketLocation.read(Path(archive_dir))
    if location is None:
        return None
    key = (Path(archive_dir).resolve(), location)
    if key not in _stores:
        from archive.s3_store import S3WarcStore  # boto3 is imported only where a bucket is used

        _stores[key] = S3WarcStore(location)
    return _stores[key]


def remote_names(archive_dir: Path) -> list[str]:
    """Closed WARC files that are in the bucket and not (any more) on local disk."""
    store = store_for(archive_dir)
    if store is None:
        return []
    return [
        name
        for name in store.names()
        if name.endswith(WARC_SUFFIXES) and not (Path(archive_dir) / name).exists()
    ]


def all_closed_warcs(archive_dir: Path) -> list[Path]:
    """Closed WARC files, local and stored, sorted by name (for archiveren's names, the order
    they were opened). A stored file's path is where it would be on disk: the readers here
    open it from the bucket."""
    archive_dir = Path(archive_dir)
    local = closed_warcs(archive_dir)
    remote = [archive_dir / name for name in remote_names(archive_dir)]
    return sorted(local + remote, key=lambda path: path.name) if remote else local


def warc_exists(path: Path) -> bool:
    if path.is_file():
        return True
    store = store_for(path.parent)
    return store is not None and store.stat(path.name) is not None


def warc_size(path: Path) -> int:
    """The size of the WARC file at ``path``, local or stored; FileNotFoundError when neither."""
    try:
        return path.stat().st_size
    except FileNotFoundError:
        stored = _stored(path)
        return stored.size


def open_warc(path: Path) -> BinaryIO:
    """A seekable binary file over ``path``: the local file, else the stored object."""
    try:
        return open(path, "rb")
    except FileNotFoundError:
        store = store_for(path.parent)
        if store is None:
            raise
        return store.open(path.name)


def read_warc_range(path: Path, offset: int, length: int) -> bytes:
    """``length`` bytes from ``offset``: one read locally, one range request from the bucket."""
    try:
        with open(path, "rb") as handle:
            handle.seek(offset)
            return handle.read(length)
    except FileNotFoundError:
        store = store_for(path.parent)
        if store is None:
            raise
        return store.read_range(path.name, offset, length)


def _stored(path: Path) -> StoredWarc:
    store = store_for(path.parent)
    stored = store.stat(path.name) if store is not None else None
    if stored is None:
        raise FileNotFoundError(f"{path.name} is neither in {path.parent} nor in an object store")
    return stored


@dataclass
class OffloadReport:
    """What one pass moved to the bucket."""

    uploaded: list[str] = field(default_factory=list)
    waiting: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    bytes: int = 0

    def summary(self) -> str:
        parts = [f"{len(self.uploaded)} file(s) stored ({self.bytes} bytes)"]
        if self.waiting:
            parts.append(f"{len(self.waiting)} waiting for their timestamp")
        if self.failed:
            parts.append(f"{len(self.failed)} FAILED (kept on local disk)")
        return ", ".join(parts)


def offload_closed(
    archive_dir: Path,
    location: BucketLocation,
    *,
    keep_local: bool = False,
    attempts: int = 3,
    ready: Callable[[Path], bool] | None = None,
) -> OffloadReport:
    """Upload every closed WARC file the manifest lists and the bucket does not hold yet (those
    ``ready`` refuses, say not yet timestamped, wait for a later pass), check each by reading it
    back, then delete the local copy. A file whose upload fails stays local and is reported;
    nothing is deleted that the bucket does not hold with the manifest's SHA-256 and size."""
    from archive.s3_store import S3WarcStore  # boto3 is imported only where a bucket is used

    archive_dir = Path(archive_dir)
    location.write(archive_dir)
    store = S3WarcStore(location, attempts=attempts)
    _stores[(archive_dir.resolve(), location)] = store
    store.ensure_bucket()
    manifest, _ = read_manifest(archive_dir)
    report = OffloadReport()
    for name, entry in sorted(manifest.items()):
        path = archive_dir / name
        if not path.is_file():
            continue
        if ready is not None and not ready(path):
            report.waiting.append(name)
            continue
        try:
            stored = store.stat(name)
        except ArchiveError as exc:
            report.failed.append(f"{name}: {exc}")
            continue
        if keep_local and stored is not None and stored.sha256 == entry.sha256:
            continue  # uploaded and checked by an earlier pass
        sha256, size = file_sha256(path)
        if sha256 != entry.sha256 or (entry.size is not None and entry.size != size):
            report.failed.append(
                f"{name}: the file on disk ({size} bytes, SHA-256 {sha256}) does not match its "
                "manifest line; not uploaded: run `archiveren verify`"
            )
            continue
        try:
            if not store.verify(name, sha256, size):
                store.upload(path, name, sha256)
                report.uploaded.append(name)
                report.bytes += size
        except (ArchiveError, FileNotFoundError) as exc:
            report.failed.append(f"{name}: {exc}")
            log.error("%s stays on local disk: %s", name, exc)
            continue
        if not keep_local:  # only now: the bucket holds these very bytes
            os.unlink(path)
            fsync_dir(archive_dir)
    return report
