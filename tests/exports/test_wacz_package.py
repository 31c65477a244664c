"""The WACZ export as a replay tool and a Woo requester read it (issue 23): one WARC version
throughout, page titles from the page (never a comment's text), archiveren with its version as
the software in datapackage.json, and ``mainPageUrl`` when the export is one page."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from exports import run_export
from foundation import SOFTWARE
from workspace import Workspace


def wacz_export(ws: Workspace, out: Path, query: str) -> zipfile.ZipFile:
    run_export(ws, query=query, filters={}, fmt="wacz", out=out, user="compliance")
    validated = subprocess.run(
        [sys.executable, "-m", "wacz", "validate", "-f", str(out)], capture_output=True, text=True
    )
    assert validated.returncode == 0, validated.stdout + validated.stderr
    return zipfile.ZipFile(out)


def pages(wacz: zipfile.ZipFile) -> dict[str, str]:
    lines = wacz.read("pages/pages.jsonl").decode("utf-8").splitlines()[1:]
    return {page["url"]: page["title"] for page in map(json.loads, lines)}


def test_every_record_of_the_wacz_is_warc_1_1_the_warcinfo_included(
    archived_workspace: Workspace, tmp_path: Path
) -> None:
    with wacz_export(archived_workspace, tmp_path / "alles.wacz", "") as wacz:
        warc = wacz.read("archive/data.warc.gz")
    versions = [(r.rec_type, r.rec_headers.protocol) for r in ArchiveIterator(io.BytesIO(warc))]
    assert versions[0] == ("warcinfo", "WARC/1.1")
    assert {version for _, version in versions} == {"WARC/1.1"}


def test_a_page_is_titled_by_its_own_post_not_by_a_comment_on_it(
    archived_workspace: Workspace, tmp_path: Path
) -> None:
    page_url = "http://blog.example.nl/2019/01/bericht-0/"
    with wacz_export(archived_workspace, tmp_path / "alles.wacz", "") as wacz:
        titles = pages(wacz)
    assert titles[page_url] == "Samenwerken in de wijk, deel 0"
    assert "Mooi initiatief!" not in titles.values()


def test_a_page_only_a_comment_was_exported_from_is_titled_by_its_html_title(
    archived_workspace: Workspace, tmp_path: Path
) -> None:
    with wacz_export(archived_workspace, tmp_path / "reactie.wacz", "initiatief") as wacz:
        titles = pages(wacz)
    assert titles == {"http://blog.example.nl/2019/01/bericht-0/": "Samenwerken in de wijk, deel 0"}


def test_datapackage_names_archiveren_and_the_main_page_of_a_one_page_export(
    archived_workspace: Workspace, tmp_path: Path
) -> None:
    with wacz_export(archived_workspace, tmp_path / "een.wacz", '"deel 3"') as wacz:
        package = json.loads(wacz.read("datapackage.json"))
        digest = json.loads(wacz.read("datapackage-digest.json"))
        assert (
            digest["hash"] == "sha256:" + hashlib.sha256(wacz.read("datapackage.json")).hexdigest()
        )
        assert wacz.getinfo("archive/data.warc.gz").compress_type == zipfile.ZIP_STORED
    assert package["software"].startswith(SOFTWARE + " (py-wacz ")
    assert package["mainPageUrl"] == "http://blog.example.nl/2019/04/bericht-3/"
    assert package["mainPageDate"].startswith("20") and "mainPageURL" not in package


def test_a_many_page_export_has_no_main_page(archived_workspace: Workspace, tmp_path: Path) -> None:
    with wacz_export(archived_workspace, tmp_path / "alles.wacz", "") as wacz:
        package = json.loads(wacz.read("datapackage.json"))
    assert "mainPageUrl" not in package and package["software"].startswith(SOFTWARE)
