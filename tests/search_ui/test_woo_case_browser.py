"""The Woo flow of a compliance officer in real headless Chromium: search, add the search to a
new case, export it as a bag for the case, watch the export's progress, download the package
through the browser, and the downloaded bag passes ``archiveren verify-export``; an archivist
gets 403 on the download URL; the download is in the audit log viewer. Screenshots of the case
page and the exports list go to test-artifacts/, or with ARCHIVEREN_UPDATE_SCREENSHOTS=1 to
docs/screenshots/ (the README shows them)."""

from __future__ import annotations

import os
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from search_ui.app import create_app
from tests.fixtures.command_line import run_archiveren
from tests.fixtures.ui import ACCOUNTS, ARTIFACTS, UiSite, build_ui_workspace, serving

pytestmark = pytest.mark.browser
SCREENSHOTS = (
    Path(__file__).resolve().parents[2] / "docs" / "screenshots"
    if os.environ.get("ARCHIVEREN_UPDATE_SCREENSHOTS") == "1"
    else ARTIFACTS
)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[UiSite]:
    """An app of its own: this test opens a case and makes exports."""
    ws, posts = build_ui_workspace(tmp_path_factory.mktemp("woo-case-browser"))
    ws.backend().close()
    with serving(create_app(ws)) as base_url:
        yield UiSite(ws=ws, base_url=base_url, posts=posts)
    ws.close()


def logged_in(chromium: Any, site: UiSite, role: str) -> Any:
    context = chromium.new_context(
        base_url=site.base_url,
        locale="nl-NL",
        viewport={"width": 1280, "height": 900},
        accept_downloads=True,
    )
    page = context.new_page()
    username, password = ACCOUNTS[role]
    page.goto("/search")
    page.get_by_label("Gebruikersnaam").fill(username)
    page.get_by_label("Wachtwoord").fill(password)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(re.compile(r"/search"))
    return page


def test_compliance_officer_answers_a_woo_request_from_search_to_verified_download(
    chromium: Any, site: UiSite, tmp_path: Path
) -> None:
    page = logged_in(chromium, site, "compliance")
    page.get_by_label("Zoek in het archief").fill("wiki")
    page.get_by_role("button", name="Zoeken", exact=True).click()
    assert page.locator("#result-count").inner_text() == "5 resultaten"

    page.get_by_role("link", name="Aan zaak toevoegen").click()
    page.wait_for_url(re.compile(r"/cases/add\?"))
    page.get_by_label("Zaaknummer").fill("Woo 2026-114")
    page.get_by_label("Titel").fill("Wiki's voor beleidsmakers")
    page.get_by_label("Kenmerk van de verzoeker").fill("REF-7781")
    page.get_by_label("Ontvangen op").fill("2026-11-20")
    page.get_by_label("Uiterste beslisdatum").fill("2026-12-18")
    page.get_by_role("button", name="Zaak openen met deze zoekvraag").click()
    page.wait_for_url(re.compile(r"/cases/\d+$"))
    case_url = page.url
    covered = page.locator("#case-searches tbody tr").first
    assert covered.locator("td.count").inner_text() == "5"
    assert "2011-02-10 – 2012-09-20" in covered.inner_text()
    assert "Netwerk: 4" in covered.inner_text()

    covered.get_by_role("link", name="Exporteren").click()
    page.wait_for_url(re.compile(r"/export\?.*case=\d+"))
    assert "Woo 2026-114" in page.locator("#export-case").inner_text()
    page.get_by_label(re.compile("BagIt-pakket")).check()
    page.get_by_role("button", name="Export starten").click()
    page.wait_for_url(re.compile(r"/exports/\d+$"))
    download_url = page.url + "/download"
    page.locator('#export-status[data-status="done"]').wait_for(timeout=60_000)
    assert page.locator("#export-progress").inner_text().startswith("5 van 5 records")

    with page.expect_download() as downloading:
        page.locator("#export-download").click()
    saved = tmp_path / downloading.value.suggested_filename
    downloading.value.save_as(saved)
    assert saved.suffix == ".zip"
    with zipfile.ZipFile(saved) as archive:
        archive.extractall(tmp_path / "unpacked")
    (bag,) = (tmp_path / "unpacked").iterdir()
    assert "Archiveren-Case: Woo 2026-114" in (bag / "bag-info.txt").read_text()
    assert "Woo 2026-114" in (bag / "data" / "report.html").read_text()
    checked = run_archiveren(site.ws.config_path, site.ws.data_dir, "verify-export", str(bag))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "export OK" in checked.stdout

    archivist = logged_in(chromium, site, "archivist")
    assert archivist.goto(download_url).status == 403
    archivist.context.close()

    page.goto("/audit?action=export_download")
    assert page.locator("#audit-rows tbody tr").first.inner_text().count("carla") >= 1
    page.goto("/audit?case=Woo+2026-114")
    logged = page.locator("#audit-rows").inner_text()
    assert "export_download" in logged and "case_opened" in logged

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.goto(case_url)
    assert page.locator("#case-exports tbody tr").count() == 1
    page.screenshot(path=str(SCREENSHOTS / "woo-case.png"), full_page=True)
    page.goto("/exports")
    page.screenshot(path=str(SCREENSHOTS / "exports.png"), full_page=True)
    page.context.close()


def test_ticked_hits_are_exported_alone(chromium: Any, site: UiSite) -> None:
    page = logged_in(chromium, site, "compliance")
    page.goto("/search?q=wiki&sort=oldest")
    page.locator(".select-hit").nth(0).check()
    page.locator(".select-hit").nth(2).check()
    page.get_by_role("button", name="Aangevinkte records exporteren").click()
    page.wait_for_url(re.compile(r"/export\?"))
    assert page.locator("#export-selected").inner_text() == "2 aangevinkte records"
    assert page.locator("#export-total").inner_text() == "2"
    page.get_by_label("CSV-lijst").check()
    page.get_by_label("Reden van de export").fill("Woo 2026-114, twee berichten")
    page.get_by_role("button", name="Export starten").click()
    page.wait_for_url(re.compile(r"/exports/\d+$"))
    page.locator('#export-status[data-status="done"]').wait_for(timeout=30_000)
    assert page.locator("#export-progress").inner_text().startswith("2 van 2 records")
    page.context.close()
