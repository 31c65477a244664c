"""The fixity manifest: one line ``sha256  size  name`` per closed WARC file, in
``manifest-sha256.txt`` inside the archive directory. Lines are added when a file closes; the
manifest is rewritten to a temporary file and renamed under the archive lock, so a crash never
leaves a half-written line and concurrent writers never lose each other's lines."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from archive.naming import MANIFEST_NAME, archive_lock, fsync_dir

_HASH_CHUNK = 4 * 1024 * 1024


@dataclass(frozen=True)
class ManifestEntry:
    name: str
    sha256: str
    size: int


def file_sha256(path: Path) -> tuple[str, int]:
    """SHA-256 (hex) and size of a file, read in constant memory."""
    sha = hashlib.sha256()
    size = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(_HASH_CHUNK):
            sha.update(chunk)
            size += len(chunk)
    return sha.hexdigest(), size


def read_manifest(archive_dir: Path) -> tuple[dict[str, ManifestEntry], list[str]]:
    """The manifest's entries by name, and a readable problem for each malformed line."""
    path = archive_dir / MANIFEST_NAME
    entries: dict[str, ManifestEntry] = {}
    problems: list[str] = []
    if not path.exists():
        return entries, problems
    for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        fields = line.split(None, 2)
        if len(fields) != 3 or len(fields[0]) != 64 or not fields[1].isdigit():
            problems.append(f"{path}:{number}: malformed manifest line {line!r}")
            continue
        sha, size, name = fields
        entries[name] = ManifestEntry(name=name, sha256=sha.lower(), size=int(size))
    return entries, problems


def add_to_manifest(archive_dir: Path, entry: ManifestEntry) -> None:
    """Add (or replace) ``entry``'s line atomically; safe against other writer processes."""
    path = archive_dir / MANIFEST_NAME
    with archive_lock(archive_dir):
        lines = path.read_text("utf-8").splitlines() if path.exists() else []
        lines = [line for line in lines if line.split(None, 2)[2:] != [entry.name]]
        lines.append(f"{entry.sha256}  {entry.size}  {entry.name}")
        tmp = path.with_name(f".{MANIFEST_NAME}.{os.getpid()}.tmp")
        try:
            with open(tmp, "w", encoding="utf-8") as handle:
                handle.write("\n".join(lines) + "\n")
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        except OSError:
            tmp.unlink(missing_ok=True)
            raise
        fsync_dir(archive_dir)
