"""A capture's records as stored, for exports that carry them unchanged (the transfer package):
the response or revisit with its request and metadata record, each the exact bytes of its gzip
member; a revisit's original found by its record id through the CDXJ index, or by one pass
over an archive without one."""

from __future__ import annotations

import zlib
from pathlib import Path

import pytest

from archive import CaptureMetadata, HttpExchange, WarcWriter
from archive.capture_records import RecordFinder, capture_records, original_of_revisit
from foundation.errors import ArchiveError
from foundation.pointer import RecordPointer

BODY = b"<!doctype html><title>Omgevingswet</title><p>Participatie in de wijk.</p>"


def capture(writer: WarcWriter, url: str) -> RecordPointer:
    result = writer.write_exchange(
        HttpExchange(
            url=url,
            request_headers=[("Host", "blog.example.nl")],
            status=200,
            reason="OK",
            response_headers=[("Content-Type", "text/html")],
            body=BODY,
        ),
        CaptureMetadata(
            source="blog",
            platform="blog",
            collector="feed",
            collector_version="test",
            capture_kind="entry_page",
        ),
    )
    assert result.pointer is not None
    return result.pointer


@pytest.fixture
def archive_with_revisit(tmp_path: Path) -> tuple[Path, RecordPointer, RecordPointer]:
    """One page captured twice, unchanged, in two files: (archive dir, original, revisit)."""
    archive = tmp_path / "warcs"
    with WarcWriter(archive, prefix="eerst") as writer:
        original = capture(writer, "http://blog.example.nl/a/")
        capture(writer, "http://blog.example.nl/b/")
    with WarcWriter(archive, prefix="later") as writer:
        revisit = capture(writer, "http://blog.example.nl/a/")
    return archive, original, revisit


def test_a_capture_is_its_response_request_and_metadata_each_as_stored(
    archive_with_revisit: tuple[Path, RecordPointer, RecordPointer],
) -> None:
    archive, original, _ = archive_with_revisit
    group = capture_records(archive, original)
    assert [r.rec_type for r in group] == ["response", "request", "metadata"]
    assert all(r.header("WARC-Concurrent-To") == original.record_id for r in group[1:])
    with (archive / original.warc_file).open("rb") as handle:
        handle.seek(original.offset)
        member = handle.read(original.length)
    assert group[0].data == zlib.decompress(member, 31)
    for record in group:
        assert record.data.startswith(b"WARC/1.1\r\n") and record.data.endswith(b"\r\n\r\n")
        assert len(record.block) == int(record.header("Content-Length"))
    assert group[0].block.endswith(BODY)


def test_a_pointer_that_names_another_record_is_refused(
    archive_with_revisit: tuple[Path, RecordPointer, RecordPointer],
) -> None:
    archive, original, revisit = archive_with_revisit
    stale = original.model_copy(update={"record_id": revisit.record_id})
    with pytest.raises(ArchiveError, match="stale"):
        capture_records(archive, stale)


def test_a_revisits_original_is_found_through_the_cdxj_index_without_a_scan(
    archive_with_revisit: tuple[Path, RecordPointer, RecordPointer],
) -> None:
    archive, original, revisit = archive_with_revisit
    record = capture_records(archive, revisit)[0]
    assert record.rec_type == "revisit"
    finder = RecordFinder(archive)
    found = finder.original_of(record)
    assert (found.warc_file, found.offset, found.record_id) == (
        original.warc_file,
        original.offset,
        original.record_id,
    )
    assert finder.scanned is None


def test_without_an_index_the_original_is_found_by_one_pass_over_the_archive(
    archive_with_revisit: tuple[Path, RecordPointer, RecordPointer],
) -> None:
    archive, original, revisit = archive_with_revisit
    (archive / "index.cdxj").unlink()
    record = capture_records(archive, revisit)[0]
    finder = RecordFinder(archive)
    assert finder.original_of(record).record_id == original.record_id
    assert finder.scanned is not None and original.record_id in finder.scanned


def test_a_revisit_whose_original_is_gone_is_an_error_naming_both(
    archive_with_revisit: tuple[Path, RecordPointer, RecordPointer],
) -> None:
    archive, original, revisit = archive_with_revisit
    record = capture_records(archive, revisit)[0]
    (archive / original.warc_file).unlink()
    (archive / "index.cdxj").unlink()
    with pytest.raises(ArchiveError, match="is not in") as raised:
        RecordFinder(archive).original_of(record)
    assert original.record_id in str(raised.value) and revisit.record_id in str(raised.value)


def test_the_replay_finds_a_revisits_original_by_its_record_id(
    archive_with_revisit: tuple[Path, RecordPointer, RecordPointer],
) -> None:
    """Revisits name their original by WARC-Refers-To and carry no payload digest since issue 23;
    the UI's replay must still find what they stand for."""
    archive, original, revisit = archive_with_revisit
    as_indexed = revisit.model_copy(update={"payload_digest": ""})  # read from the record's headers
    found = original_of_revisit(archive, as_indexed)
    assert found is not None
    assert (found.warc_file, found.offset) == (original.warc_file, original.offset)
