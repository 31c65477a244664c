"""The Woo view: edited and deleted Posts (``changed:true OR deleted:true``) go into an export
that validates like any other bag (bagit, and MDTO against the official XSD); an edited Post's
MDTO record has a ``Wijziging`` event per later wording with the date it appeared, a deleted
one a ``Verwijdering`` with the day it was found gone, and the JSON Lines listing carries each
version with its capture."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from archive.writer import WarcWriter
from exports import run_export, verify_export_package
from exports.listing import CSV_COLUMNS, CSV_COLUMNS_BEFORE_VERSIONS, EXCEL_BOM
from exports.manifest import manifest_path
from exports.package import sha256_file
from foundation.post import Post
from foundation.tombstone import Tombstone
from indexer.merge import merge_capture_history
from tests.fixtures.material import material
from tests.fixtures.ui import _capture, _page
from workspace import Workspace

MDTO = material("mdto/schema")


def edited(ws: Workspace, post: Post) -> Post:
    """``post`` captured again a week later with other wording, merged as the indexer does."""
    run = ws.catalogue().start_run(post.source, "feed")
    with WarcWriter(ws.archive_dir, prefix="bewerkt") as writer:
        pointer = _capture(
            writer,
            post.url,
            _page(post.title, "<p>De omgevingswet gaat een jaar later in.</p>"),
            post.source,
            post.platform,
            run,
        )
    later = post.model_copy(
        update={
            "text": "De omgevingswet gaat een jaar later in.",
            "collected_at": datetime(2026, 5, 8, 10, tzinfo=UTC),
            "capture": pointer,
        }
    )
    first = post.model_copy(update={"collected_at": datetime(2026, 5, 1, 10, tzinfo=UTC)})
    return merge_capture_history(first, later)


GONE_URL = "http://blog.example.nl/2019/03/bericht-2/"


URL = "http://blog.example.nl/2019/02/bericht-1/"


@MDTO.mark
def test_the_woo_export_of_edited_and_deleted_posts_validates_with_their_events(
    archived_workspace: Workspace, tmp_path: Path
) -> None:
    ws = archived_workspace
    post, gone = ws.backend().get(f"blog:{URL}"), ws.backend().get(f"blog:{GONE_URL}")
    assert post is not None and gone is not None
    gone.tombstone = Tombstone(
        last_seen=gone.collected_at, missing_since=datetime(2026, 6, 1, 8, tzinfo=UTC), status=410
    )
    ws.backend().index_posts([edited(ws, post), gone])
    out = tmp_path / "woo-bewerkt"
    run_export(
        ws,
        query="changed:true OR deleted:true",
        filters={},
        fmt="bag",
        out=out,
        reason="Woo-verzoek: bewerkte berichten",
        user="compliance",
    )
    bagit = subprocess.run(
        [sys.executable, "-m", "bagit", "--validate", str(out)], capture_output=True, text=True
    )
    assert bagit.returncode == 0, bagit.stderr
    check = verify_export_package(out, mdto_schema=MDTO.require("MDTO-XML1.0.2.xsd"))
    assert check.ok, check.problems

    records = {
        path.read_text(encoding="utf-8") for path in (out / "data" / "metadata").glob("0*.mdto.xml")
    }
    assert len(records) == 2, "the edited and the deleted Post, nothing else"
    mdto = next(record for record in records if "Wijziging" in record)
    deletion = next(record for record in records if "Verwijdering" in record)
    assert "<eventTijd>2026-06-01T08:00:00</eventTijd>" in deletion
    assert "bij de bron verwijderd: HTTP 410" in deletion
    assert mdto.count("<eventType>") == 2
    wijziging = mdto.split("Wijziging", 1)[1]
    assert "<eventTijd>2026-05-08T10:00:00</eventTijd>" in wijziging
    assert "versie 2 van 2" in wijziging

    listing = out / "data" / "listing.jsonl"
    rows = [json.loads(line) for line in listing.read_text(encoding="utf-8").splitlines()]
    assert {row["id"] for row in rows} == {post.id, gone.id}
    (version,) = next(row for row in rows if row["id"] == post.id)["versions"]
    assert version["text"] == post.text and version["capture"]["record_id"]
    assert version["captured_at"].startswith("2026-05-01T10:00:00")

    table = list(csv.DictReader((out / "data" / "listing.csv").open(encoding="utf-8-sig")))
    by_id = {row["id"]: row for row in table}
    changed, deleted = by_id[post.id], by_id[gone.id]
    assert changed["versions"] == "2"
    assert changed["version_dates"].split() == [
        "2026-05-01T10:00:00+00:00",
        "2026-05-08T10:00:00+00:00",
    ]
    assert changed["deleted_since"] == changed["deletion_established_by"] == ""
    assert deleted["versions"] == "1"
    assert deleted["deleted_since"] == "2026-06-01T08:00:00+00:00"
    assert deleted["last_seen"] == gone.collected_at.isoformat()
    assert deleted["deletion_established_by"] == "gone_response"
    assert deleted["restored_at"] == ""


def test_a_listing_written_before_the_version_columns_still_verifies(
    archived_workspace: Workspace, tmp_path: Path
) -> None:
    out = tmp_path / "lijst.csv"
    run_export(
        archived_workspace,
        query="",
        filters={},
        fmt="csv",
        out=out,
        reason="Woo-verzoek",
        user="compliance",
    )
    header, *rows = out.read_text(encoding="utf-8-sig").splitlines()
    assert header == ",".join(CSV_COLUMNS)
    old_shape = [",".join(CSV_COLUMNS_BEFORE_VERSIONS)]
    for row in csv.DictReader([header, *rows]):
        old_shape.append(",".join(f'"{row[c]}"' for c in CSV_COLUMNS_BEFORE_VERSIONS))
    out.write_text(EXCEL_BOM + "\r\n".join(old_shape) + "\r\n", encoding="utf-8")
    manifest_file = manifest_path(out)
    manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
    (delivered,) = manifest["files"]
    delivered |= {"bytes": out.stat().st_size, "sha256": sha256_file(out)}
    manifest_file.write_text(json.dumps(manifest), encoding="utf-8")

    check = verify_export_package(out)
    assert check.ok, check.problems
