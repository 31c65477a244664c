"""A CSV export is safe to open in a spreadsheet: a text cell a spreadsheet would run as a
formula (``=1+1``, ``@SUM(1)``, ``-5 graden``) begins with a single quote, while the JSON Lines
listing keeps the Post as it is and dates stay dates; ``--excel`` starts the file with the UTF-8
byte order mark and still reads back with the csv module and by frictionless."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from frictionless import Resource

from exports.spreadsheet import neutralise
from tests.exports.conftest import FORMULA_AUTHOR, FORMULA_TEXT
from tests.fixtures.cli_world import CliWorld

REASON = "Woo-verzoek 2026-114"


@pytest.mark.parametrize(
    ("cell", "safe"),
    [
        ("=1+1", "'=1+1"),
        ("+31 6 1234", "'+31 6 1234"),
        ("-5 graden", "'-5 graden"),
        ("@SUM(1)", "'@SUM(1)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("gewone tekst = prima", "gewone tekst = prima"),
        ("'al tekst", "'al tekst"),
        ("", ""),
    ],
)
def test_a_cell_a_spreadsheet_would_run_gets_a_quote_in_front(cell: str, safe: str) -> None:
    assert neutralise(cell) == safe


def export(world: CliWorld, fmt: str, out: Path, *extra: str) -> Path:
    world.ok("export", "--format", fmt, "--out", str(out), "--reason", REASON, *extra)
    return out


def test_formulas_in_a_posts_text_and_author_are_neutralised_and_kept_in_the_jsonl(
    export_world: CliWorld, tmp_path: Path
) -> None:
    rows = list(
        csv.DictReader(
            export(export_world, "csv", tmp_path / "woo.csv").open(encoding="utf-8", newline="")
        )
    )
    [row] = [r for r in rows if r["id"] == "blog:formule"]
    assert row["text"] == "'" + FORMULA_TEXT and row["author"] == "'" + FORMULA_AUTHOR
    assert row["title"] == "'-5 graden in de wijk"
    assert row["published_at"].startswith("2019-") and row["warc_offset"].isdigit()
    manifest = json.loads((tmp_path / "woo.csv.manifest.json").read_text(encoding="utf-8"))
    assert manifest["counts"]["csv_cells_neutralised"] == 3

    lines = export(export_world, "jsonl", tmp_path / "woo.jsonl").read_text(encoding="utf-8")
    [post] = [p for p in map(json.loads, lines.splitlines()) if p["id"] == "blog:formule"]
    assert post["text"] == FORMULA_TEXT and post["author"] == FORMULA_AUTHOR


def test_excel_csv_starts_with_the_bom_and_reads_back(
    export_world: CliWorld, tmp_path: Path
) -> None:
    out = export(export_world, "csv", tmp_path / "excel.csv", "--excel")
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbfid,platform,kind,") and b"\r\n" in data
    rows = list(csv.DictReader(out.open(encoding="utf-8-sig", newline="")))
    assert len(rows) == 10 and "Ömer Yılmaz" in {row["author"] for row in rows}
    manifest = json.loads((tmp_path / "excel.csv.manifest.json").read_text(encoding="utf-8"))
    assert manifest["options"] == {"excel": True}
    assert "export OK" in export_world.ok("verify-export", str(out))


@pytest.mark.parametrize("excel", [False, True])
def test_frictionless_reads_the_csv_as_a_valid_table(
    export_world: CliWorld, tmp_path: Path, excel: bool
) -> None:
    out = export(export_world, "csv", tmp_path / "woo.csv", *(["--excel"] if excel else []))
    table = Resource(path=out.name, basepath=str(out.parent))
    report = table.validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    assert report.tasks[0].stats["rows"] == 10 and table.schema.field_names[0] == "id"
    assert (
        report.tasks[0].stats["sha256"]
        == json.loads((tmp_path / "woo.csv.manifest.json").read_text(encoding="utf-8"))["files"][0][
            "sha256"
        ]
    ), "frictionless computes the digest the manifest names"


def test_excel_is_for_csv_only(export_world: CliWorld, tmp_path: Path) -> None:
    done = export_world.run(
        "export",
        "--format",
        "jsonl",
        "--out",
        str(tmp_path / "a.jsonl"),
        "--reason",
        REASON,
        "--excel",
    )
    assert done.returncode == 1 and "--excel is for a CSV export" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr and not (tmp_path / "a.jsonl").exists()
