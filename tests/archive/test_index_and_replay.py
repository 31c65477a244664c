"""The CDXJ index (cdxj-indexer) and replay (pywb's wayback, and the built-in fallback)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import httpx

from archive.cdxj import lookup, rebuild_index
from archive.naming import INDEX_NAME
from tests.fixtures.archive import PAGE_HTML, WrittenArchive
from tests.fixtures.replay import PywbServer, replay_path, replay_response, warc_timestamp

CDXJ_INDEXER = Path(sys.executable).with_name("cdxj-indexer")


def test_cdxj_indexer_cli_indexes_written_files(written_archive: WrittenArchive) -> None:
    (warc,) = written_archive.directory.glob("*.warc.gz")
    result = subprocess.run(
        [str(CDXJ_INDEXER), str(warc)], capture_output=True, text=True, timeout=60, check=True
    )
    entries = [json.loads(line.split(" ", 2)[2]) for line in result.stdout.splitlines()]
    offsets = {int(e["offset"]) for e in entries}
    for result_ in (written_archive.page, written_archive.api, written_archive.resource):
        assert result_.pointer.offset in offsets


def test_index_is_kept_current_and_finds_a_capture_by_url_and_time(
    written_archive: WrittenArchive,
) -> None:
    page = written_archive.page.pointer
    (first, *_) = lookup(
        written_archive.directory, page.target_uri, warc_timestamp(page.capture_date)
    )
    assert first.pointer().offset == page.offset and first.pointer().length == page.length
    assert first.fields["status"] == "200"
    index_before = (written_archive.directory / INDEX_NAME).read_text()
    assert rebuild_index(written_archive.directory) == len(index_before.splitlines()) == 4
    assert (written_archive.directory / INDEX_NAME).read_text() == index_before


def test_pywb_replays_a_page_the_writer_wrote(
    written_archive: WrittenArchive, tmp_path: Path
) -> None:
    page = written_archive.page.pointer
    with PywbServer(written_archive.directory, tmp_path / "pywb") as pywb:
        response = httpx.get(pywb.base_url + replay_path(page, prefix=""), timeout=30)
        rewritten = httpx.get(pywb.base_url + replay_path(page, prefix="", raw=False), timeout=30)
    assert response.status_code == 200
    assert response.text == PAGE_HTML
    assert rewritten.status_code == 200 and "Hallo wereld" in rewritten.text


def test_builtin_replay_serves_a_revisit_with_the_original_payload(
    written_archive: WrittenArchive,
) -> None:
    served = replay_response(written_archive.directory, written_archive.page_again.pointer)
    headers = dict(served.headers)
    assert served.status == 200
    assert headers["Content-Encoding"] == "gzip"
    assert "X-Archive-Orig-Transfer-Encoding" not in headers
    assert httpx.Response(200, headers=served.headers, content=served.body).text == PAGE_HTML


def test_replay_path_routes_a_pointer_to_its_capture(written_archive: WrittenArchive) -> None:
    pointer = written_archive.api.pointer
    assert replay_path(pointer) == (
        f"/replay/archive/{warc_timestamp(pointer.capture_date)}id_/{pointer.target_uri}"
    )
