"""Fixity checking for an archive directory, behind `archiveren verify`: every file listed in the
manifest (``manifest-sha256.txt`` + ``sizes.txt``, or the older three-field manifest; see
archive/manifest.py) and, if given, in the catalogue must exist with the recorded size and SHA-256, every
WARC file on disk must be listed, abandoned ``.open`` files are reported, and every record's
WARC-Block-Digest and WARC-Payload-Digest are recomputed. Problems come back as readable lines;
nothing is changed on disk."""

from __future__ import annotations

import base64
import binascii
import fcntl
import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from fastwarc.warc import ArchiveIterator, WarcRecord

from archive.manifest import ManifestEntry, read_manifest
from archive.naming import open_warcs
from archive.store import all_closed_warcs, open_warc, warc_size
from foundation import progress
from foundation.errors import FixityError

_CHUNK = 1024 * 1024


@dataclass
class FixityReport:
    """Outcome of a verify run; ``ok`` when there are no problems."""

    files_checked: int = 0
    records_checked: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def raise_for_problems(self) -> None:
        if self.problems:
            raise FixityError(
                f"fixity check found {len(self.problems)} problem(s):\n  "
                + "\n  ".join(self.problems)
            )


def verify_archive(
    archive_dir: Path, known_files: dict[str, tuple[str, int]] | None = None
) -> FixityReport:
    """Check the archive directory against its manifest and, when given, the catalogue's
    listing ``{name: (sha256, size)}``; recompute every record digest."""
    archive_dir = Path(archive_dir)
    report = FixityReport()
    manifest, manifest_problems = read_manifest(archive_dir)
    report.problems += manifest_problems
    on_disk = {p.name: p for p in all_closed_warcs(archive_dir)}
    actual: dict[str, tuple[str, int]] = {}
    progress.begin("verify", len(on_disk), sum(warc_size(p) for p in on_disk.values()))
    for name, path in sorted(on_disk.items()):
        actual[name] = _sha256(path)
        report.files_checked += 1
        _check_records(path, report)
        progress.advance(1, actual[name][1])
    for name, entry in sorted(manifest.items()):
        _compare(name, entry, actual.get(name), "manifest", report)
    if known_files is not None:
        for name, (sha256, size) in sorted(known_files.items()):
            entry = ManifestEntry(name=name, sha256=sha256.lower(), size=size)
            if name not in manifest:
                report.problems.append(f"unlisted: {name} is in the catalogue but not the manifest")
            if name not in manifest or manifest[name] != entry:
                _compare(name, entry, actual.get(name), "catalogue", report)
        for name in sorted(set(manifest) - set(known_files)):
            report.problems.append(f"unlisted: {name} is in the manifest but not the catalogue")
    listed = set(manifest) | set(known_files or {})
    for name in sorted(set(on_disk) - listed):
        report.problems.append(
            f"unlisted: {name} is on disk but in no manifest; it was not closed by archiveren "
            "or the manifest lost its line"
        )
    for path in open_warcs(archive_dir):
        if not _held_by_writer(path):
            report.problems.append(
                f"abandoned: {path.name} was left open by a writer that stopped; start a "
                "writer (or run recovery) to close it at its last complete record"
            )
    return report


def _compare(
    name: str,
    expected: ManifestEntry,
    actual: tuple[str, int] | None,
    source: str,
    report: FixityReport,
) -> None:
    if actual is None:
        report.problems.append(f"missing: {name} is in the {source} but not on disk")
        return
    sha256, size = actual
    if expected.size is None:  # a manifest line whose size is in no sizes.txt
        if sha256 != expected.sha256:
            report.problems.append(
                f"changed: {name} has SHA-256 {sha256} ({size} bytes), the {source} says "
                f"{expected.sha256}"
            )
        return
    if size < expected.size:
        report.problems.append(
            f"truncated: {name} is {size} bytes, the {source} says {expected.size}"
        )
    elif size != expected.size or sha256 != expected.sha256:
        report.problems.append(
            f"changed: {name} has SHA-256 {sha256} ({size} bytes), the {source} says "
            f"{expected.sha256} ({expected.size} bytes)"
        )


def _check_records(path: Path, report: FixityReport) -> None:
    try:
        with open_warc(path) as handle:
            for record in ArchiveIterator(handle, parse_http=False):
                report.records_checked += 1
                problem = _record_problem(record)
                if problem:
                    report.problems.append(
                        f"bad record: {path.name}@{record.stream_pos} "
                        f"({record.headers.get('WARC-Record-ID')}): {problem}"
                    )
    except OSError as exc:
        report.problems.append(f"unreadable: {path.name}: {exc}; the file is corrupt")


def _sha256(path: Path) -> tuple[str, int]:
    """SHA-256 and size of a WARC file, read in full wherever it is (disk or bucket)."""
    hasher, size = hashlib.sha256(), 0
    with open_warc(path) as handle:
        while chunk := handle.read(_CHUNK):
            hasher.update(chunk)
            size += len(chunk)
    return hasher.hexdigest(), size


def _record_problem(record: WarcRecord) -> str:
    headers = record.headers
    rec_type = (headers.get("WARC-Type") or "").lower()
    problems = []
    if headers.get("WARC-Block-Digest") and not record.verify_block_digest(consume=False):
        problems.append(f"WARC-Block-Digest {headers.get('WARC-Block-Digest')} does not match")
    payload_digest = headers.get("WARC-Payload-Digest")
    # a revisit's payload digest names the payload of the record it refers to
    if payload_digest and rec_type != "revisit":
        if (headers.get("Content-Type") or "").startswith("application/http"):
            record.parse_http()
            matches = record.verify_payload_digest(consume=False)
        else:
            matches = _digest_matches(payload_digest, record.reader.read(_CHUNK), record)
        if not matches:
            problems.append(f"WARC-Payload-Digest {payload_digest} does not match")
    return "; ".join(problems)


def _digest_matches(digest: str, first: bytes, record: WarcRecord) -> bool:
    """Payload digest of a non-HTTP record (payload = block), in base32, base16 or base64."""
    algorithm, _, value = digest.partition(":")
    try:
        hasher = hashlib.new(algorithm.lower().replace("-", ""))
    except ValueError:
        return False
    chunk = first
    while chunk:
        hasher.update(chunk)
        chunk = record.reader.read(_CHUNK)
    raw = hasher.digest()
    candidates = {
        base64.b32encode(raw).decode().rstrip("="),
        binascii.hexlify(raw).decode(),
        base64.b64encode(raw).decode().rstrip("="),
    }
    return value.rstrip("=") in candidates or value.lower() in candidates


def _held_by_writer(path: Path) -> bool:
    fd = os.open(path, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False
