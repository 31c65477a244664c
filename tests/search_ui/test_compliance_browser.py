"""The compliance officer's path through the retention pages in real headless Chromium: search,
place a legal hold on the results, find it in the hold list and as a search facet, open it and
release it with a reason; then read the audit log. Screenshots of /retention and /audit go to
test-artifacts/, or with ARCHIVEREN_UPDATE_SCREENSHOTS=1 to docs/screenshots/ (the README shows
them), so an ordinary test run leaves the checkout unchanged."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from search_ui.app import create_app
from tests.fixtures.ui import ACCOUNTS, ARTIFACTS, UiSite, build_ui_workspace, serving

pytestmark = pytest.mark.browser
SCREENSHOTS = (
    Path(__file__).resolve().parents[2] / "docs" / "screenshots"
    if os.environ.get("ARCHIVEREN_UPDATE_SCREENSHOTS") == "1"
    else ARTIFACTS
)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[UiSite]:
    """An app of its own: this test places and releases holds."""
    ws, posts = build_ui_workspace(tmp_path_factory.mktemp("compliance-browser"))
    ws.backend().close()  # building wrote the index; the app only reads through this backend
    with serving(create_app(ws)) as base_url:
        yield UiSite(ws=ws, base_url=base_url, posts=posts)
    ws.close()


@pytest.fixture
def page(chromium: Any, site: UiSite) -> Iterator[Any]:
    context = chromium.new_context(
        base_url=site.base_url, locale="nl-NL", viewport={"width": 1280, "height": 900}
    )
    yield context.new_page()
    context.close()


def test_compliance_officer_places_finds_and_releases_a_legal_hold(page: Any, site: UiSite) -> None:
    username, password = ACCOUNTS["compliance"]
    page.goto("/search")
    page.get_by_label("Gebruikersnaam").fill(username)
    page.get_by_label("Wachtwoord").fill(password)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(re.compile(r"/search"))
    page.get_by_label("Zoek in het archief").fill("wiki")
    page.get_by_role("button", name="Zoeken", exact=True).click()
    assert page.locator("#result-count").inner_text() == "5 resultaten"

    page.locator("#place-hold").click()
    page.wait_for_url(re.compile(r"/retention/holds/new"))
    assert "5 records" in page.locator("#hold-total").inner_text()
    page.get_by_label("Naam").fill("wiki-onderzoek")
    page.get_by_label("Reden").fill("Rechtszaak 2026/031")
    page.get_by_label("Zaaknummer").fill("ZAAK-2026-031")
    page.get_by_role("button", name="Hold plaatsen").click()
    page.wait_for_url(re.compile(r"/retention/holds/\d+$"))
    assert page.locator("#hold-count").inner_text() == "5"
    assert page.locator("#hold-state").inner_text().startswith("Actief")

    page.get_by_role("link", name="Bewaren en vernietigen").first.click()
    row = page.locator("#holds tr", has_text="wiki-onderzoek")
    assert row.locator("td.count").inner_text() == "5"
    assert "ZAAK-2026-031" in row.inner_text()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "retention.png"), full_page=True)

    page.goto("/search?q=ambtenaar")
    facet = page.locator('[data-facet="legal_hold"] a[data-value="true"]')
    counted = int(facet.locator(".count").inner_text())
    facet.click()
    assert "legal_hold=true" in page.url
    held = int(page.locator("#result-count").inner_text().split()[0])
    assert held == counted >= 1
    assert page.locator('[data-facet="hold"] a[data-value="wiki-onderzoek"]').is_visible()

    page.goto("/retention")
    page.locator("#holds a", has_text="wiki-onderzoek").click()
    page.get_by_label("Reden van opheffen").fill("Zaak gesloten")
    page.get_by_role("button", name="Hold opheffen").click()
    page.wait_for_url(re.compile(r"/retention/holds/\d+$"))
    assert "Opgeheven door carla" in page.locator("#hold-state").inner_text()
    page.goto("/search?q=wiki")
    assert page.locator('[data-facet="legal_hold"]').count() == 0

    page.goto("/audit?case=ZAAK-2026-031")
    assert page.locator("#audit-count").inner_text().startswith("2 regels")
    page.goto("/audit")
    page.screenshot(path=str(SCREENSHOTS / "audit.png"), full_page=True)
