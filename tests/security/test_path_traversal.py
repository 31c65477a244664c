"""WARC pointers come from the index and from URLs, so they are untrusted: no file or WARC name,
however built (parent segments, absolute paths, backslashes, NUL, symlinks out), makes
``read_record``, ``replay_response`` or the export's ``safe_warc_path`` read a file outside the
archive directory. Each refuses with an ArchiverenError instead."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archive import RecordPointer, read_record
from exports.wacz_package import safe_warc_path
from foundation.errors import ArchiverenError
from tests.fixtures.fuzzing import FUZZ
from tests.fixtures.replay import replay_response

SECRET = b"WARC/1.1\r\nWARC-Type: resource\r\nContent-Length: 6\r\n\r\nSECRET\r\n\r\n"
SEGMENTS = [
    "..",
    ".",
    "warcs",
    "outside.warc.gz",
    "/",
    "\\",
    "%2e%2e",
    "\x00",
    "~",
    "link.warc.gz",
    "",
]


@pytest.fixture(scope="module")
def layout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """root/outside.warc.gz (a readable WARC holding SECRET) beside root/warcs/, the archive,
    which holds a symlink pointing out at it."""
    root = tmp_path_factory.mktemp("traversal")
    (root / "outside.warc.gz").write_bytes(gzip.compress(SECRET))
    archive = root / "warcs"
    archive.mkdir()
    (archive / "link.warc.gz").symlink_to(root / "outside.warc.gz")
    return archive


def pointer_to(name: str) -> RecordPointer:
    return RecordPointer(
        warc_file=name, offset=0, length=len(gzip.compress(SECRET)), record_id="<urn:uuid:x>"
    )


def assert_refused(archive: Path, name: str) -> None:
    pointer = pointer_to(name)
    for read in (
        lambda: read_record(archive, pointer).raw_payload(),
        lambda: replay_response(archive, pointer).body,
        lambda: safe_warc_path(archive, pointer).read_bytes(),
    ):
        try:
            data = read()
        except ArchiverenError:
            continue
        assert b"SECRET" not in data, f"{name!r} read a file outside the archive"


@pytest.mark.parametrize(
    "name",
    [
        "../outside.warc.gz",
        str(Path("/") / "etc" / "passwd"),
        "link.warc.gz",
        "./../outside.warc.gz",
        "warcs/../../outside.warc.gz",
        "..\\outside.warc.gz",
        "outside.warc.gz\x00",
        "",
    ],
)
def test_known_traversal_names_are_refused(layout: Path, name: str) -> None:
    assert_refused(layout, name)


@pytest.mark.timeout(120)
@FUZZ
@given(st.lists(st.sampled_from(SEGMENTS), min_size=1, max_size=6))
def test_no_built_name_reads_outside_the_archive(layout: Path, parts: list[str]) -> None:
    assert_refused(layout, "/".join(parts))
