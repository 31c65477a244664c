"""verify_archive: missing, changed, truncated and unlisted files, and bad record digests."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pytest

from archive import verify_archive
from archive.manifest import read_manifest
from foundation.errors import FixityError
from tests.fixtures.archive import WrittenArchive
from tests.fixtures.material import material

WARCIO = material("warcio/test/data")  # ../shared, else part of it from pywb's sdist, else skip


def only_warc(archive: WrittenArchive) -> Path:
    (warc,) = archive.directory.glob("*.warc.gz")
    return warc


def test_fresh_archive_verifies_clean_against_manifest_and_catalogue(
    written_archive: WrittenArchive,
) -> None:
    entries, _ = read_manifest(written_archive.directory)
    catalogue = {name: (e.sha256, e.size) for name, e in entries.items()}
    report = verify_archive(written_archive.directory, catalogue)
    assert report.ok, report.problems
    assert report.files_checked == 1 and report.records_checked == 12


def test_changed_file_is_reported(written_archive: WrittenArchive) -> None:
    warc = only_warc(written_archive)
    data = bytearray(warc.read_bytes())
    data[-30] ^= 0xFF
    warc.write_bytes(bytes(data))
    report = verify_archive(written_archive.directory)
    assert any(p.startswith(f"changed: {warc.name}") for p in report.problems)
    with pytest.raises(FixityError, match="changed"):
        report.raise_for_problems()


def test_truncated_file_is_reported(written_archive: WrittenArchive) -> None:
    warc = only_warc(written_archive)
    warc.write_bytes(warc.read_bytes()[:-100])
    problems = verify_archive(written_archive.directory).problems
    assert any(p.startswith(f"truncated: {warc.name}") for p in problems)


def test_missing_file_is_reported(written_archive: WrittenArchive) -> None:
    warc = only_warc(written_archive)
    warc.unlink()
    assert verify_archive(written_archive.directory).problems == [
        f"missing: {warc.name} is in the manifest but not on disk"
    ]


def test_unlisted_files_are_reported(written_archive: WrittenArchive) -> None:
    ours = only_warc(written_archive).name
    shutil.copy(WARCIO.require("example.warc.gz"), written_archive.directory / "stray.warc.gz")
    problems = verify_archive(written_archive.directory, known_files={}).problems
    assert any(p.startswith("unlisted: stray.warc.gz is on disk") for p in problems)
    assert any(p.startswith(f"unlisted: {ours} is in the manifest") for p in problems)


def test_record_with_a_wrong_digest_is_reported(tmp_path: Path) -> None:
    data = bytearray(gzip.decompress(WARCIO.require("example.warc.gz").read_bytes()))
    response = data.find(b"WARC-Type: response")
    http_head_end = data.find(b"\r\n\r\n", data.find(b"HTTP/1.1 200", response))
    data[http_head_end + 20] ^= 0xFF  # one byte of the response payload
    (tmp_path / "tampered.warc").write_bytes(bytes(data))
    problems = verify_archive(tmp_path).problems
    bad = [p for p in problems if p.startswith("bad record: tampered.warc")]
    assert len(bad) == 1
    assert "WARC-Block-Digest" in bad[0] and "WARC-Payload-Digest" in bad[0]
