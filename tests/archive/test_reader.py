"""The reader: real-world WARC/ARC samples (warcio's test data, broken ones included), our own
files, and fetching one record by pointer."""

from __future__ import annotations

from pathlib import Path

import pytest

from archive import ArchivedRecord, RecordPointer, RecordReadError, iter_records, read_record
from foundation.errors import ArchiveError
from tests.fixtures.archive import WrittenArchive
from tests.fixtures.material import material

WARCIO = material("warcio/test/data")  # ../shared, else 5 of the 16 from pywb's sdist, else skip
WARCIO_SAMPLES = WARCIO.root or Path("warcio-samples-missing")

# name -> (records read, error expected, expected text in the error)
SAMPLES = {
    "example.warc.gz": (6, None),
    "example.warc": (6, None),
    "example-digest.warc": (4, None),
    "example-iana.org-chunked.warc": (3, None),
    "example-resource.warc.gz": (3, None),
    "example-space-in-target-uri.warc.gz": (2, None),
    "example-wget-bad-target-uri.warc.gz": (6, None),
    "example-wrong-chunks.warc.gz": (2, None),
    "post-test.warc.gz": (6, None),
    "example.arc": (2, None),
    "example.arc.gz": (2, None),
    "example-space-in-url.arc": (2, None),
    "bad.arc": (4, None),
    "example-bad.warc.gz.bad": (1, "not gzip-per-record"),
    "example-bad-non-chunked.warc.gz": (1, "not gzip-per-record"),
    "example-trunc.warc": (2, "truncated or corrupt"),
}


def test_every_sample_file_is_covered() -> None:
    WARCIO.require_complete()
    assert sorted(p.name for p in WARCIO_SAMPLES.iterdir()) == sorted(SAMPLES)


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_sample_files_are_read_or_refused_with_a_clear_reason(name: str) -> None:
    WARCIO.require(name)
    expected_count, error_text = SAMPLES[name]
    records: list[ArchivedRecord] = []
    if error_text is None:
        records = list(iter_records(WARCIO_SAMPLES / name))
    else:
        with pytest.raises(RecordReadError) as raised:
            records.extend(iter_records(WARCIO_SAMPLES / name))
        assert error_text in str(raised.value) and name in str(raised.value)
    assert len(records) == expected_count
    for record in records:
        again = read_record(WARCIO_SAMPLES, record.pointer)
        assert again.warc_headers == record.warc_headers
        assert again.block() == record.block()


def test_directory_iteration_hands_broken_files_to_on_error_and_goes_on(tmp_path: Path) -> None:
    for name in ("example-trunc.warc", "example.warc.gz"):
        (tmp_path / name).write_bytes(WARCIO.require(name).read_bytes())
    errors: list[RecordReadError] = []
    records = list(iter_records(tmp_path, on_error=errors.append))
    assert len(errors) == 1 and "example-trunc.warc" in str(errors[0])
    assert len(records) == 2 + 6


def test_http_fields_of_a_sample_response() -> None:
    response = next(
        r
        for r in iter_records(WARCIO.require("example-iana.org-chunked.warc"))
        if r.rec_type == "response"
    )
    assert response.http_status == 200
    assert response.http_header("Transfer-Encoding") == "chunked"
    assert response.payload().startswith(b"<!doctype html>")
    assert response.payload().rstrip().endswith(b"</html>")


def test_read_record_by_pointer_equals_iteration(written_archive: WrittenArchive) -> None:
    records = list(iter_records(written_archive.directory))
    assert len(records) == 1 + 3 * 3 + 2
    for record in records:
        fetched = read_record(written_archive.directory, record.pointer)
        assert fetched.pointer == record.pointer
        assert fetched.block() == record.block()
    assert written_archive.api.pointer == next(
        r.pointer for r in records if r.pointer.record_id == written_archive.api.pointer.record_id
    )


def test_iteration_resumes_from_a_record_offset(written_archive: WrittenArchive) -> None:
    (warc,) = written_archive.directory.glob("*.warc.gz")
    resumed = list(iter_records(warc, start_offset=written_archive.api.pointer.offset))
    assert resumed[0].pointer == written_archive.api.pointer
    assert [r.rec_type for r in resumed] == [
        "response",
        "request",
        "metadata",
        "resource",
        "metadata",
    ]


def test_large_blocks_are_read_back_through_the_pointer(
    archive_dir: Path, capture_metadata
) -> None:
    from archive import WarcWriter
    from archive.reader import EAGER_BLOCK_LIMIT

    big = bytes(range(256)) * (EAGER_BLOCK_LIMIT // 256 + 10)
    with WarcWriter(archive_dir) as writer:
        result = writer.write_resource(
            "https://example.org/big.bin", "application/octet-stream", big, capture_metadata
        )
    record = next(r for r in iter_records(archive_dir) if r.rec_type == "resource")
    assert not record.block_complete and len(record.block_head) < len(big)
    assert record.raw_payload() == big
    assert read_record(archive_dir, result.pointer).raw_payload() == big


@pytest.mark.parametrize("name", ["../secret.warc.gz", "/etc/passwd", "sub/../../x.warc.gz"])
def test_pointer_outside_the_archive_is_refused(written_archive: WrittenArchive, name: str) -> None:
    pointer = RecordPointer(warc_file=name, offset=0, length=10, record_id="")
    with pytest.raises(ArchiveError, match="outside the archive|not a plain name"):
        read_record(written_archive.directory, pointer)


def test_stale_pointer_is_an_error_not_a_wrong_record(written_archive: WrittenArchive) -> None:
    stale = written_archive.api.pointer.model_copy(update={"record_id": "<urn:uuid:other>"})
    with pytest.raises(RecordReadError, match="stale"):
        read_record(written_archive.directory, stale)


def test_every_name_the_archive_package_offers_resolves() -> None:
    import archive

    assert all(getattr(archive, name) is not None for name in archive.__all__)
