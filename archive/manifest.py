"""The fixity manifest of an archive directory, in the format coreutils and BagIt read:
``manifest-sha256.txt`` holds one line ``sha256  name`` per closed WARC file (``sha256sum -c
manifest-sha256.txt`` in the directory checks every file), and ``sizes.txt`` beside it one line
``size  name``, so a truncated file can be named as such. Lines are added when a file closes;
each file is rewritten to a temporary file and renamed under the archive lock, so a crash never
leaves a half-written line and concurrent writers never lose each other's lines.

Archives written before issue 23 have one file with lines ``sha256  size  name``; they are read
as they are, and rewritten in the new format (sizes moved to ``sizes.txt``) when the next file
closes. The sizes are written before the manifest: a crash between the two leaves a size for a
file the manifest does not list yet, which is ignored."""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

from archive.naming import MANIFEST_NAME, SIZES_NAME, archive_lock, fsync_dir

_HASH_CHUNK = 4 * 1024 * 1024
# the old form "HASH  SIZE  NAME", or coreutils' "HASH  NAME" (text mode) / "HASH *NAME" (binary)
_LINE = re.compile(
    r"^(?P<sha>[0-9A-Fa-f]{64})(?:  (?P<size>\d+)  (?P<old>\S.*)| [ *](?P<name>\S.*))$"
)
_SIZE_LINE = re.compile(r"^(?P<size>\d+)  (?P<name>\S.*)$")


@dataclass(frozen=True)
class ManifestEntry:
    name: str
    sha256: str
    size: int | None
    """None when neither the manifest line nor ``sizes.txt`` gives it."""


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
    """The manifest's entries by name (new or old format, or a mix of both), and a readable
    problem for each malformed line."""
    path = archive_dir / MANIFEST_NAME
    entries: dict[str, ManifestEntry] = {}
    problems: list[str] = []
    if not path.exists():
        return entries, problems
    sizes = _read_sizes(archive_dir / SIZES_NAME, problems)
    for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        match = _LINE.match(line)
        if match is None:
            problems.append(f"{path}:{number}: malformed manifest line {line!r}")
            continue
        name = match["name"] or match["old"]
        size = int(match["size"]) if match["size"] is not None else sizes.get(name)
        entries[name] = ManifestEntry(name=name, sha256=match["sha"].lower(), size=size)
    return entries, problems


def _read_sizes(path: Path, problems: list[str]) -> dict[str, int]:
    sizes: dict[str, int] = {}
    if not path.exists():
        return sizes
    for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        match = _SIZE_LINE.match(line)
        if match is None:
            problems.append(f"{path}:{number}: malformed size line {line!r}")
            continue
        sizes[match["name"]] = int(match["size"])
    return sizes


def add_to_manifest(archive_dir: Path, entry: ManifestEntry) -> None:
    """Add (or replace) ``entry``'s lines atomically; safe against other writer processes. An old
    three-field manifest is rewritten in the new format on the way; a line that cannot be read
    is kept as it is, for ``verify`` to go on reporting."""
    path = archive_dir / MANIFEST_NAME
    with archive_lock(archive_dir):
        entries, _ = read_manifest(archive_dir)
        lines = path.read_text("utf-8").splitlines() if path.exists() else []
        manifest: list[str] = []
        for line in lines:
            match = _LINE.match(line)
            if match is None:
                if line.strip():
                    manifest.append(line)
            elif (match["name"] or match["old"]) != entry.name:
                manifest.append(f"{match['sha'].lower()}  {match['name'] or match['old']}")
        manifest.append(f"{entry.sha256}  {entry.name}")
        entries[entry.name] = entry
        _replace(
            archive_dir / SIZES_NAME,
            [f"{e.size}  {e.name}" for e in entries.values() if e.size is not None],
        )
        _replace(path, manifest)
        fsync_dir(archive_dir)


def _replace(path: Path, lines: list[str]) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8") as handle:
            handle.write("".join(line + "\n" for line in lines))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)
        raise
