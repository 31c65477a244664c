"""Exports hold up as records: bags validate with bagit, the WACZ with py-wacz, MDTO against the
official XSD; listings have one row per Post; nothing is left behind when an export fails."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from exports import run_export, verify_export_package
from exports.package import sha256_file
from foundation.errors import ExportError
from tests.fixtures.material import material
from workspace import Workspace

MDTO = material("mdto/schema")  # only in ../shared: no package registry carries it


def test_bag_validates_with_bagit_and_holds_wacz_mdto_listings_report(
    archived_workspace: Workspace, tmp_path: Path
) -> None:
    out = tmp_path / "woo-verzoek"
    run_export(
        archived_workspace,
        query="omgevingswet",
        filters={},
        fmt="bag",
        out=out,
        reason="Woo-verzoek 2026-114",
        user="compliance",
    )
    result = subprocess.run(
        [sys.executable, "-m", "bagit", "--validate", str(out)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    data = out / "data"
    assert (data / "archiveren-export.wacz").is_file()
    assert [p.name for p in (data / "metadata").glob("*.bestand.mdto.xml")] == [
        "wacz.bestand.mdto.xml"
    ], "the one bestand is the WACZ that holds the captures"
    assert len(list((data / "metadata").glob("0*.mdto.xml"))) == 8
    assert (out / "bagit.txt").read_text(encoding="utf-8").startswith("BagIt-Version: 1.0\n")
    assert {p.name for p in out.glob("*manifest-*.txt")} == {
        "manifest-sha512.txt",
        "manifest-sha256.txt",
        "tagmanifest-sha512.txt",
        "tagmanifest-sha256.txt",
    }
    rows = list(csv.DictReader((data / "listing.csv").open(encoding="utf-8")))
    assert len(rows) == 8 and all(row["warc_record_id"].startswith("<urn:uuid:") for row in rows)
    report = (data / "report.html").read_text(encoding="utf-8")
    assert "Woo-verzoek 2026-114" in report and "omgevingswet" in report and "compliance" in report
    assert "Woo-verzoek 2026-114" in (out / "bag-info.txt").read_text(encoding="utf-8")


@MDTO.mark
def test_mdto_files_validate_against_the_official_xsd(
    archived_workspace: Workspace, tmp_path: Path
) -> None:
    mdto_xsd = MDTO.require("MDTO-XML1.0.2.xsd")
    out = tmp_path / "bag"
    run_export(
        archived_workspace,
        query="",
        filters={},
        fmt="bag",
        out=out,
        reason="overdracht e-Depot",
        user="compliance",
    )
    check = verify_export_package(out, mdto_schema=mdto_xsd)
    assert check.ok, check.problems
    metadata = out / "data" / "metadata"
    assert len(list(metadata.glob("0*.mdto.xml"))) == 9, "one informatieobject per Post"
    assert {p.name for p in metadata.glob("[!0]*.mdto.xml")} == {
        "wacz.bestand.mdto.xml",
        "export.mdto.xml",
    }, "the WACZ is the bestand, the export the informatieobject it represents"
    assert any("valid against the XSD" in line for line in check.checked)


def test_wacz_passes_py_wacz_validation_and_lists_pages(
    archived_workspace: Workspace, tmp_path: Path
) -> None:
    out = tmp_path / "export.wacz"
    run_export(
        archived_workspace,
        query="samenwerken",
        filters={"kind": ["post"]},
        fmt="wacz",
        out=out,
        user="compliance",
    )
    result = subprocess.run(
        [sys.executable, "-m", "wacz", "validate", "-f", str(out)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    with zipfile.ZipFile(out) as wacz:
        names = set(wacz.namelist())
        assert {"datapackage.json", "pages/pages.jsonl"} <= names
        assert any(name.startswith("indexes/") for name in names)
        pages = [
            json.loads(line) for line in wacz.read("pages/pages.jsonl").decode().splitlines()[1:]
        ]
    assert len(pages) == 8 and all(
        page["url"].startswith("http://blog.example.nl/") for page in pages
    )


def test_exported_warc_never_holds_the_bearer_token(
    archived_workspace: Workspace, tmp_path: Path
) -> None:
    out = tmp_path / "export.wacz"
    run_export(archived_workspace, query="", filters={}, fmt="wacz", out=out, user="compliance")
    with zipfile.ZipFile(out) as wacz:
        for name in wacz.namelist():
            assert b"geheim-token-123" not in wacz.read(name)


def test_jsonl_listing_has_one_row_per_post_with_pointer(
    archived_workspace: Workspace, tmp_path: Path
) -> None:
    out = tmp_path / "lijst.jsonl"
    run_export(
        archived_workspace,
        query="",
        filters={"platform": ["blog"]},
        fmt="jsonl",
        out=out,
        user="compliance",
    )
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 9
    assert all(row["capture"]["warc_file"].endswith(".warc.gz") for row in rows)
    assert verify_export_package(out).ok


def test_bag_without_reason_is_refused_and_nothing_is_written(
    archived_workspace: Workspace, tmp_path: Path
) -> None:
    out = tmp_path / "bag"
    with pytest.raises(ExportError, match="reason"):
        run_export(
            archived_workspace,
            query="",
            filters={},
            fmt="bag",
            out=out,
            reason="  ",
            user="compliance",
        )
    assert not out.exists()


def test_failed_export_leaves_nothing_behind(archived_workspace: Workspace, tmp_path: Path) -> None:
    for warc in archived_workspace.archive_dir.glob("*.warc.gz"):
        warc.write_bytes(warc.read_bytes()[:200])
    out = tmp_path / "bag"
    with pytest.raises(ExportError, match="truncated"):
        run_export(
            archived_workspace,
            query="",
            filters={},
            fmt="bag",
            out=out,
            reason="test",
            user="compliance",
        )
    assert {p.name for p in tmp_path.iterdir()} == {"sources.yaml", "data"}


def test_tampered_bag_fails_verification(archived_workspace: Workspace, tmp_path: Path) -> None:
    out = tmp_path / "bag"
    run_export(
        archived_workspace,
        query="",
        filters={},
        fmt="bag",
        out=out,
        reason="legal hold",
        user="compliance",
    )
    listing = out / "data" / "listing.csv"
    listing.write_text(
        listing.read_text(encoding="utf-8").replace("Fenna", "Fanny"), encoding="utf-8"
    )
    check = verify_export_package(out)
    assert not check.ok and "data/listing.csv: SHA-256 does not match" in " ".join(check.problems)


def test_every_export_is_in_the_audit_log(archived_workspace: Workspace, tmp_path: Path) -> None:
    run_export(
        archived_workspace, query="wijk", filters={}, fmt="csv", out=tmp_path / "a.csv", user="zoë"
    )
    entry = archived_workspace.catalogue().audit_log("export")[0]
    assert (
        entry.username == "zoë"
        and entry.detail["query"] == "wijk"
        and entry.detail["sha256"] == sha256_file(tmp_path / "a.csv")
    )
    manifest = tmp_path / "a.csv.manifest.json"
    assert entry.detail["manifest"] == str(manifest.resolve())
    assert entry.detail["manifest_sha256"] == sha256_file(manifest)


def test_existing_target_is_never_overwritten(
    archived_workspace: Workspace, tmp_path: Path
) -> None:
    out = tmp_path / "a.csv"
    out.write_text("bestaand", encoding="utf-8")
    with pytest.raises(ExportError, match="already exists"):
        run_export(archived_workspace, query="", filters={}, fmt="csv", out=out, user="x")
    assert out.read_text(encoding="utf-8") == "bestaand"


def test_staging_left_by_a_killed_export_is_cleaned_up(
    archived_workspace: Workspace, tmp_path: Path
) -> None:
    abandoned = tmp_path / ".a.csv.partial-999999"
    abandoned.write_text("half", encoding="utf-8")
    run_export(
        archived_workspace, query="", filters={}, fmt="csv", out=tmp_path / "a.csv", user="x"
    )
    assert not abandoned.exists() and (tmp_path / "a.csv").is_file()
