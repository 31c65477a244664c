"""The host a WARC file comes from is in its name and its warcinfo record: the system's host
name, or ARCHIVEREN_HOST_NAME where collector hosts need telling apart. A name that would not
make a safe file name is refused, naming the variable."""

from __future__ import annotations

from pathlib import Path

import pytest

from archive import CaptureMetadata, WarcWriter, iter_records
from archive.naming import closed_warcs
from foundation.errors import ConfigError

NOTE = CaptureMetadata(
    source="blog", platform="web", collector="test", collector_version="1", capture_kind="page"
)


def test_a_host_named_by_the_environment_names_its_files_and_their_warcinfo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ARCHIVEREN_HOST_NAME", "collector-2")
    with WarcWriter(tmp_path) as writer:
        writer.write_resource("https://example.org/a", "text/plain", b"een", NOTE)
    (closed,) = closed_warcs(tmp_path)
    warcinfo = next(iter_records(tmp_path))

    assert closed.name.endswith("-collector-2.warc.gz")
    assert b"hostname: collector-2\r\n" in warcinfo.block()


@pytest.mark.parametrize("name", ["a/b", "../x", "-leading", "host:1", "x" * 64])
def test_a_host_name_unsafe_in_a_file_name_is_refused_naming_the_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    monkeypatch.setenv("ARCHIVEREN_HOST_NAME", name)
    with pytest.raises(ConfigError, match="ARCHIVEREN_HOST_NAME=.*letters, digits, dots"):
        WarcWriter(tmp_path)
