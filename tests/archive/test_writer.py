"""WarcWriter: what collectors get when they write captures."""

from __future__ import annotations

import gzip
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

from archive import CaptureMetadata, ClosedWarc, HttpExchange, WarcWriter, iter_records
from archive.naming import MANIFEST_NAME, SIZES_NAME
from archive.reader import iter_open_records, read_record
from archive.scan import scan_complete_records
from tests.fixtures.archive import PAGE_HTML, WrittenArchive, fetch_exchange
from tests.fixtures.warc_rules import warc_problems

WARCIO = Path(sys.executable).with_name("warcio")
NAME_RE = re.compile(r"^archiveren-\d{17}-\d{5}-[A-Za-z0-9.-]+\.warc\.gz$")


def closed_files(directory: Path) -> list[Path]:
    return sorted(directory.glob("*.warc.gz"))


def test_written_files_pass_warcio_check(written_archive: WrittenArchive) -> None:
    (warc,) = closed_files(written_archive.directory)
    result = subprocess.run(
        [str(WARCIO), "check", "-v", str(warc)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "digest pass" in result.stdout
    assert "fail" not in result.stdout


def test_written_files_follow_warc_11_rules(written_archive: WrittenArchive) -> None:
    (warc,) = closed_files(written_archive.directory)
    assert warc_problems(warc) == []


def test_file_is_named_by_pattern_and_open_until_closed(
    archive_dir: Path, capture_server: str, capture_metadata: CaptureMetadata
) -> None:
    writer = WarcWriter(archive_dir)
    writer.write_exchange(fetch_exchange(capture_server + "/api"), capture_metadata)
    open_file = writer.current_file
    assert open_file is not None and open_file.name.endswith(".warc.gz.open")
    assert closed_files(archive_dir) == []
    writer.close()
    (closed,) = closed_files(archive_dir)
    assert NAME_RE.match(closed.name)
    assert closed.name + ".open" == open_file.name and not open_file.exists()


def test_each_file_opens_with_warcinfo_describing_the_writer(
    written_archive: WrittenArchive,
) -> None:
    first = next(iter_records(written_archive.directory))
    assert first.rec_type == "warcinfo"
    fields = dict(
        line.split(": ", 1) for line in first.block().decode().strip().split("\r\n") if line
    )
    assert fields["software"].startswith("archiveren/")
    assert fields["operator"] == "tests"
    assert fields["format"] == "WARC File Format 1.1"
    assert "warc-1.1" in fields["conformsTo"] and fields["hostname"]


def test_exchange_becomes_response_request_and_metadata_linked_by_concurrent_to(
    written_archive: WrittenArchive,
) -> None:
    records = list(iter_records(written_archive.directory))
    response = next(
        r for r in records if r.pointer.record_id == written_archive.api.pointer.record_id
    )
    linked = [r for r in records if r.concurrent_to == response.pointer.record_id]
    assert sorted(r.rec_type for r in linked) == ["metadata", "request"]
    metadata = next(r for r in linked if r.rec_type == "metadata").metadata_json()
    assert metadata == {
        "source": "ambtenaar20",
        "platform": "network",
        "collector": "network",
        "collector_version": "0.1.0",
        "capture_kind": "page",
        "run_id": 7,
        "extra": {"profile": "ning"},
    }


def test_gzip_body_stays_compressed_and_headers_keep_order_and_case(
    written_archive: WrittenArchive,
) -> None:
    page = next(
        r
        for r in iter_records(written_archive.directory)
        if r.pointer.record_id == written_archive.page.pointer.record_id
    )
    assert page.raw_payload()[:2] == b"\x1f\x8b"
    assert gzip.decompress(page.raw_payload()).decode() == PAGE_HTML
    assert page.payload().decode() == PAGE_HTML
    names = [name for name, _ in page.http_headers or []]
    assert names[-4:] == [
        "Content-Type",
        "Content-Encoding",
        "X-Archive-Orig-Transfer-Encoding",
        "X-Original-Case",
    ]


def test_unchanged_payload_is_written_as_revisit(written_archive: WrittenArchive) -> None:
    first, again = written_archive.page, written_archive.page_again
    assert not first.revisit and again.revisit
    assert again.payload_digest == first.payload_digest
    revisit = next(
        r
        for r in iter_records(written_archive.directory)
        if r.pointer.record_id == again.pointer.record_id
    )
    assert revisit.rec_type == "revisit"
    assert revisit.refers_to == first.pointer.record_id
    assert revisit.refers_to_target_uri == first.pointer.target_uri
    assert revisit.refers_to_date == first.pointer.capture_date
    assert revisit.warc_header("WARC-Profile").endswith("/1.1/revisit/identical-payload-digest")
    assert revisit.raw_payload() == b""
    assert revisit.warc_header("WARC-Payload-Digest") is None  # FastWARC: no payload, no digest


def test_changed_payload_and_new_run_use_the_shared_dedup_store(
    archive_dir: Path, capture_server: str, capture_metadata: CaptureMetadata
) -> None:
    with WarcWriter(archive_dir) as writer:
        assert not writer.write_exchange(
            fetch_exchange(capture_server + "/changing"), capture_metadata
        ).revisit
        assert not writer.write_exchange(
            fetch_exchange(capture_server + "/changing"), capture_metadata
        ).revisit
        assert not writer.write_exchange(
            fetch_exchange(capture_server + "/api"), capture_metadata
        ).revisit
    with WarcWriter(archive_dir) as next_run:
        assert next_run.write_exchange(
            fetch_exchange(capture_server + "/api"), capture_metadata
        ).revisit


def test_secrets_never_reach_the_warc(
    archive_dir: Path, capture_server: str, capture_metadata: CaptureMetadata
) -> None:
    secret_url = (
        capture_server
        + "/api?q=ambtenaar&access_token=SECRET1&token=SECRET2&api_key=SECRET3&oauth_signature=SECRET4"
    )
    exchange = fetch_exchange(
        secret_url,
        [
            ("Authorization", "Bearer __MASTODON_PY_TEST_ACCESS_TOKEN_2"),
            ("Cookie", "session=SECRET5"),
            ("X-Api-Key", "SECRET6"),
        ],
    )
    metadata = CaptureMetadata(
        "s",
        "mastodon",
        "mastodon",
        "1",
        "api_page",
        extra={"next": secret_url, "client_secret": "SECRET7"},
    )
    with WarcWriter(archive_dir) as writer:
        result = writer.write_exchange(exchange, metadata)
    (warc,) = closed_files(archive_dir)
    content = gzip.decompress(warc.read_bytes()) + (archive_dir / "index.cdxj").read_bytes()
    assert b"SECRET" not in content and b"TEST_ACCESS_TOKEN" not in content
    assert result.pointer.target_uri == capture_server + "/api?q=ambtenaar"
    request = next(r for r in iter_records(archive_dir) if r.rec_type == "request")
    assert request.warc_header("WARC-Target-URI") == capture_server + "/api?q=ambtenaar"
    assert request.block().startswith(b"GET /api?q=ambtenaar HTTP/1.1\r\n")
    assert [n for n, _ in request.http_headers or []] == ["Host", "Accept-Encoding"]


def test_form_body_secrets_are_removed_from_request_records(
    archive_dir: Path, capture_metadata: CaptureMetadata
) -> None:
    exchange = HttpExchange(
        url="https://api.example.org/oauth/token",
        method="POST",
        request_headers=[
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Content-Length", "60"),
        ],
        request_body=b"grant_type=client_credentials&client_secret=SECRET&scope=read",
        status=200,
        reason="OK",
        response_headers=[("Content-Type", "application/json")],
        body=b"{}",
        remote_ip="127.0.0.1",
    )
    with WarcWriter(archive_dir) as writer:
        writer.write_exchange(exchange, capture_metadata)
    request = next(r for r in iter_records(archive_dir) if r.rec_type == "request")
    assert request.raw_payload() == b"grant_type=client_credentials&scope=read"
    assert request.http_header("Content-Length") == "40"


def test_files_roll_over_at_the_configured_size(
    archive_dir: Path, capture_metadata: CaptureMetadata
) -> None:
    closed: list[ClosedWarc] = []
    with WarcWriter(archive_dir, rollover_bytes=50_000, on_file_closed=closed.append) as writer:
        for n in range(6):
            writer.write_resource(
                f"https://example.org/blob/{n}",
                "application/octet-stream",
                os.urandom(30_000),
                capture_metadata,
            )
    assert len(closed) >= 3
    assert [c.name for c in closed] == [p.name for p in closed_files(archive_dir)]
    assert all(c.size < 50_000 + 40_000 for c in closed)
    manifest = (archive_dir / MANIFEST_NAME).read_text().splitlines()
    assert manifest == [f"{c.sha256}  {c.name}" for c in closed]
    sizes = (archive_dir / SIZES_NAME).read_text().splitlines()
    assert sizes == [f"{c.size}  {c.name}" for c in closed]
    assert sum(c.records for c in closed) == 6 * 2 + len(closed)


def test_a_file_closes_once_it_is_older_than_rollover_seconds(
    archive_dir: Path, capture_metadata: CaptureMetadata
) -> None:
    closed: list[ClosedWarc] = []
    with WarcWriter(archive_dir, rollover_seconds=0.3, on_file_closed=closed.append) as writer:
        writer.write_resource("https://example.org/a", "text/plain", b"a", capture_metadata)
        assert not writer.roll_over_if_due(), "a young file stays open"
        time.sleep(0.4)
        assert writer.roll_over_if_due() and len(closed) == 1
        assert not writer.roll_over_if_due(), "no file is open: nothing to close"
        writer.write_resource("https://example.org/b", "text/plain", b"b", capture_metadata)
        writer.sync()
        assert writer.current_file is not None and writer.current_file.name.endswith(".open")
    assert [c.name for c in closed] == [p.name for p in closed_files(archive_dir)]


def test_records_of_an_open_file_are_read_up_to_its_last_complete_one(
    archive_dir: Path, capture_metadata: CaptureMetadata
) -> None:
    with WarcWriter(archive_dir) as writer:
        for n in range(3):
            writer.write_resource(f"https://example.org/{n}", "text/plain", b"x", capture_metadata)
        open_path = writer.current_file
        assert open_path is not None
        complete = open_path.stat().st_size
        with open_path.open("ab") as handle:  # a record group the writer is half-way through
            handle.write(gzip.compress(b"WARC/1.1\r\nContent-Length: 100\r\n\r\nhalf")[:30])
        end = scan_complete_records(open_path).good_end
        assert end == complete
        records = list(
            iter_open_records(open_path, start_offset=0, end_offset=end, archive_dir=archive_dir)
        )
        assert [r.rec_type for r in records].count("resource") == 3
        assert all(r.pointer.warc_file == open_path.name.removesuffix(".open") for r in records)
        assert read_record(archive_dir, records[-1].pointer).rec_type == "metadata"
        os.truncate(open_path, complete)  # the writer's own bytes, as they were


CHILD = """
import sys
from pathlib import Path
from archive import CaptureMetadata, HttpExchange, WarcWriter
meta = CaptureMetadata("s", "web", "test", "1", "page")
with WarcWriter(Path(sys.argv[1]), rollover_bytes=20_000) as writer:
    for n in range(int(sys.argv[3])):
        body = (sys.argv[2] + str(n)).encode() * 400
        writer.write_exchange(HttpExchange(url=f"https://example.org/{sys.argv[2]}/{n}", status=200,
            reason="OK", response_headers=[("Content-Type", "text/plain")], body=body,
            remote_ip="127.0.0.1"), meta)
"""


def test_two_processes_write_into_one_directory_without_clashing(archive_dir: Path) -> None:
    archive_dir.mkdir(parents=True)
    children = [
        subprocess.Popen([sys.executable, "-c", CHILD, str(archive_dir), tag, "40"])
        for tag in ("alpha", "beta")
    ]
    assert [child.wait(timeout=120) for child in children] == [0, 0]
    files = closed_files(archive_dir)
    assert len({f.name for f in files}) == len(files) > 2
    assert list(archive_dir.glob("*.open")) == []
    urls = [r.pointer.target_uri for r in iter_records(archive_dir) if r.rec_type == "response"]
    assert sorted(urls) == sorted(
        f"https://example.org/{t}/{n}" for t in ("alpha", "beta") for n in range(40)
    )
    manifest_names = [
        line.split()[1] for line in (archive_dir / MANIFEST_NAME).read_text().splitlines()
    ]
    assert sorted(manifest_names) == [f.name for f in files]
    index_files = {
        json.loads(line.split(" ", 2)[2])["filename"]
        for line in (archive_dir / "index.cdxj").open()
    }
    assert index_files == {f.name for f in files}
