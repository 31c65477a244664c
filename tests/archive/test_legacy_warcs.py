"""WARCs written before issue 23 (JSON metadata records with a payload digest, no
WARC-Warcinfo-ID, the three-field manifest) stay readable: the frozen files in
fixtures/legacy-2026-12 are read, indexed into the same Posts the indexer of their day made,
verified, and their manifest is carried over to the new format when the next file closes."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from archive import CaptureMetadata, WarcWriter, iter_records, verify_archive
from archive.manifest import read_manifest
from archive.naming import MANIFEST_NAME, SIZES_NAME
from indexer.pipeline import index_new_records
from indexer.query_model import SearchRequest
from workspace import Workspace

LEGACY = Path(__file__).parent / "fixtures" / "legacy-2026-12"
# what the extraction of a capture decides; collected_at, retention and the like follow from it
COMPARED = (
    "id",
    "platform",
    "source",
    "organisation",
    "kind",
    "url",
    "title",
    "text",
    "author",
    "published_at",
    "collected_at",
    "parent_id",
    "thread_id",
    "capture",
)


@pytest.fixture
def legacy_data(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    (data / "warcs").mkdir(parents=True)
    for path in LEGACY.iterdir():
        if path.name.endswith(".warc.gz") or path.name == MANIFEST_NAME:
            shutil.copy(path, data / "warcs" / path.name)
    return data


def test_legacy_metadata_records_are_read(legacy_data: Path) -> None:
    metadata = [r for r in iter_records(legacy_data / "warcs") if r.rec_type == "metadata"]
    assert metadata and all(r.warc_header("Content-Type") == "application/json" for r in metadata)
    contexts = [r.metadata_json() for r in metadata]
    assert all(
        c and {"source", "collector", "capture_kind", "run_id", "extra"} <= set(c) for c in contexts
    )
    assert {c["collector"] for c in contexts if c} == {"feed", "x", "mastodon", "network"}


def test_legacy_archive_verifies_with_its_old_manifest(legacy_data: Path) -> None:
    manifest, problems = read_manifest(legacy_data / "warcs")
    assert problems == []
    assert len(manifest) == 4 and all(e.size for e in manifest.values())
    report = verify_archive(legacy_data / "warcs")
    assert report.problems == []
    assert report.files_checked == 4 and report.records_checked > 200


def test_legacy_archive_is_indexed_into_the_same_posts(
    legacy_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ARCHIVEREN_DEMO_X_TOKEN", "unused")
    ws = Workspace(config_path=LEGACY / "sources.yaml", data_dir=legacy_data)
    try:
        report = index_new_records(ws)
        assert report.errors == []
        assert report.counts["without_metadata"] == 0
        request = SearchRequest(limit=1000, date_histogram=None, highlight=False)
        posts = {p.id: json.loads(p.model_dump_json()) for p in ws.backend().scan(request)}
    finally:
        ws.close()
    expected = [json.loads(line) for line in (LEGACY / "posts.jsonl").read_text().splitlines()]
    assert len(posts) == len(expected) == 320
    for post in expected:
        assert {k: posts[post["id"]][k] for k in COMPARED} == {k: post[k] for k in COMPARED}


def test_the_next_closed_file_carries_the_old_manifest_over(legacy_data: Path) -> None:
    archive_dir = legacy_data / "warcs"
    old, _ = read_manifest(archive_dir)
    with WarcWriter(archive_dir, prefix="demo") as writer:
        writer.write_resource(
            "https://example.org/new",
            "text/plain",
            b"nieuw",
            CaptureMetadata("s", "web", "test", "1", "page"),
        )
    new, problems = read_manifest(archive_dir)
    assert problems == [] and len(new) == 5
    assert all(new[name] == entry for name, entry in old.items())
    assert len((archive_dir / SIZES_NAME).read_text().splitlines()) == 5
    checked = subprocess.run(
        ["sha256sum", "--check", "--strict", MANIFEST_NAME],
        cwd=archive_dir,
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert verify_archive(archive_dir).problems == []
