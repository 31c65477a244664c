"""Closed WARC files in an S3-compatible bucket, against the real SeaweedFS that
`scripts/objectstore start` runs: uploaded with their SHA-256 as metadata, checked by reading
them back before the local copy goes, and read back by range requests by record pointer, whole
file and fixity check alike."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import boto3
import pytest

from archive import iter_records, read_capture, read_record, verify_archive
from archive.capture_records import capture_records
from archive.manifest import read_manifest
from archive.store import offload_closed
from archive.store_types import BucketLocation
from foundation.errors import ArchiveError
from tests.fixtures.archive import PAGE_HTML, WrittenArchive
from tests.fixtures.objectstore import ACCESS_KEY, SECRET_KEY


def _client(location: BucketLocation) -> Any:
    return boto3.client(
        "s3",
        endpoint_url=location.endpoint_url,
        region_name=location.region,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
    )


def _only_warc(archive: WrittenArchive) -> Path:
    (warc,) = archive.directory.glob("*.warc.gz")
    return warc


@pytest.mark.objectstore
def test_a_closed_warc_goes_to_the_bucket_with_its_sha256_and_leaves_the_disk_after_the_check(
    written_archive: WrittenArchive, bucket: BucketLocation
) -> None:
    warc = _only_warc(written_archive)
    written = warc.read_bytes()
    manifest, _ = read_manifest(written_archive.directory)

    report = offload_closed(written_archive.directory, bucket)

    assert report.uploaded == [warc.name] and not report.failed
    assert not warc.exists()
    stored = _client(bucket).get_object(Bucket=bucket.bucket, Key=bucket.key(warc.name))
    assert stored["Metadata"]["sha256"] == manifest[warc.name].sha256
    assert stored["Body"].read() == written
    assert offload_closed(written_archive.directory, bucket).uploaded == []


@pytest.mark.objectstore
def test_records_read_from_the_bucket_are_the_records_that_were_written(
    written_archive: WrittenArchive, bucket: BucketLocation
) -> None:
    directory = written_archive.directory
    pointers = [written_archive.page.pointer, written_archive.api.pointer]
    pointers.append(written_archive.resource.pointer)
    blocks = [read_record(directory, pointer).block() for pointer in pointers]
    walked = [(r.pointer.offset, r.pointer.length, r.rec_type) for r in iter_records(directory)]
    context = [r.data for r in capture_records(directory, written_archive.page.pointer)]

    offload_closed(directory, bucket)

    assert not list(directory.glob("*.warc.gz"))
    assert [read_record(directory, pointer).block() for pointer in pointers] == blocks
    assert [
        (r.pointer.offset, r.pointer.length, r.rec_type) for r in iter_records(directory)
    ] == walked
    assert [r.data for r in capture_records(directory, written_archive.page.pointer)] == context
    replayed = read_capture(directory, written_archive.page.pointer)
    assert PAGE_HTML.encode() in replayed.payload


@pytest.mark.objectstore
def test_verify_reads_the_files_in_the_bucket_and_reports_a_changed_object(
    written_archive: WrittenArchive, bucket: BucketLocation
) -> None:
    warc = _only_warc(written_archive)
    data = warc.read_bytes()
    offload_closed(written_archive.directory, bucket)

    report = verify_archive(written_archive.directory)
    assert report.ok, report.problems
    assert report.files_checked == 1 and report.records_checked > 4

    damaged = data[:-40] + bytes(b ^ 0xFF for b in data[-40:])
    _client(bucket).put_object(
        Bucket=bucket.bucket,
        Key=bucket.key(warc.name),
        Body=damaged,
        Metadata={"sha256": read_manifest(written_archive.directory)[0][warc.name].sha256},
    )
    problems = verify_archive(written_archive.directory).problems
    assert any(p.startswith(f"changed: {warc.name}") for p in problems), problems


@pytest.mark.objectstore
def test_a_file_that_no_longer_matches_its_manifest_is_neither_uploaded_nor_deleted(
    written_archive: WrittenArchive, bucket: BucketLocation
) -> None:
    warc = _only_warc(written_archive)
    data = bytearray(warc.read_bytes())
    data[100] ^= 0x01
    warc.write_bytes(bytes(data))

    report = offload_closed(written_archive.directory, bucket)

    assert report.uploaded == []
    assert len(report.failed) == 1 and warc.name in report.failed[0]
    assert "manifest" in report.failed[0]
    assert warc.read_bytes() == bytes(data)
    listed = _client(bucket).list_objects_v2(Bucket=bucket.bucket, Prefix=bucket.prefix)
    assert listed.get("Contents", []) == []


@pytest.mark.objectstore
def test_keep_local_leaves_the_checked_file_on_disk_and_a_second_pass_uploads_nothing(
    written_archive: WrittenArchive, bucket: BucketLocation
) -> None:
    warc = _only_warc(written_archive)

    first = offload_closed(written_archive.directory, bucket, keep_local=True)
    second = offload_closed(written_archive.directory, bucket, keep_local=True)

    assert first.uploaded == [warc.name] and second.uploaded == []
    assert warc.exists()
    head = _client(bucket).head_object(Bucket=bucket.bucket, Key=bucket.key(warc.name))
    assert head["ContentLength"] == warc.stat().st_size


def test_an_unreachable_store_keeps_every_file_and_the_error_names_the_endpoint(
    written_archive: WrittenArchive, s3_keys: dict[str, str]
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    warc = _only_warc(written_archive)
    nowhere = BucketLocation(endpoint_url=f"http://127.0.0.1:{port}", bucket="archiveren-weg")

    with pytest.raises(ArchiveError) as raised:
        offload_closed(written_archive.directory, nowhere)

    assert f"127.0.0.1:{port}" in str(raised.value) and "does not answer" in str(raised.value)
    assert warc.exists()
    assert all(secret not in str(raised.value) for secret in s3_keys.values())
