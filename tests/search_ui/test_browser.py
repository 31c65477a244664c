"""The archivist's path through the app in real headless Chromium: log in, search, narrow by two
facets and a dragged date range, open a record, its thread, the replay, and start an export;
and the hostile Post rendering inert on every page. Screenshots of the search and record pages
are kept in test-artifacts/."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.fixtures.ui import ACCOUNTS, ARTIFACTS, UiSite

pytestmark = pytest.mark.browser


def log_in(page: Any, role: str) -> None:
    username, password = ACCOUNTS[role]
    page.goto("/search")
    assert "/login" in page.url
    page.get_by_label("Gebruikersnaam").fill(username)
    page.get_by_label("Wachtwoord").fill(password)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(re.compile(r"/search"))


def drag_across(page: Any, first: str, last: str) -> None:
    """Drag with the mouse from the histogram bar starting at ``first`` to the one at ``last``."""
    start = page.locator(
        f'svg[data-histogram] a[data-start="{first}"] rect.hit-area'
    ).bounding_box()
    end = page.locator(f'svg[data-histogram] a[data-start="{last}"] rect.hit-area').bounding_box()
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    page.mouse.down()
    page.mouse.move(end["x"] + end["width"] / 2, end["y"] + end["height"] / 2, steps=5)
    with page.expect_navigation():
        page.mouse.up()


def test_archivist_narrows_a_search_and_follows_a_record_to_its_thread_and_capture(
    browser_page: Any, ui_site: UiSite
) -> None:
    page = browser_page
    log_in(page, "compliance")
    page.get_by_label("Zoek in het archief").fill("wiki")
    page.get_by_role("button", name="Zoeken", exact=True).click()
    assert page.locator("#result-count").inner_text() == "5 resultaten"

    page.locator('[data-facet="organisation"] a[data-value="Ambtenaar 2.0"]').click()
    page.locator('[data-facet="kind"] a[data-value="comment"]').click()
    assert page.locator("#result-count").inner_text() == "3 resultaten"
    assert (
        page.locator('[data-facet="kind"] a[data-value="comment"]').get_attribute("aria-current")
        == "true"
    )

    # the only year with results is 2011; dragging across it and a neighbour keeps both filters
    bars = page.locator("svg[data-histogram] a[data-start]")
    assert bars.count() >= 1
    drag_across(page, "2011-02-11", "2011-02-12")
    assert "from=2011-02-11" in page.url and "to=2011-02-12" in page.url
    assert page.locator("#result-count").inner_text() == "2 resultaten"
    assert "organisation=Ambtenaar+2.0" in page.url and "kind=comment" in page.url
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "search-page.png"), full_page=True)

    page.get_by_role("link", name=re.compile("Hoe houden jullie de wiki bij")).click()
    page.wait_for_url(re.compile(r"/record/network:12"))
    assert page.locator("#record-title").inner_text().startswith("Hoe houden jullie de wiki bij")
    assert "test-collector 1.0" in page.locator("dl.provenance").inner_text()
    assert page.get_by_text("Reageert op:").is_visible()
    page.screenshot(path=str(ARTIFACTS / "record-page.png"), full_page=True)

    page.locator("#open-thread").click()
    page.wait_for_url(re.compile(r"/thread/network:12"))
    assert page.locator("ul.thread li").count() == 4
    assert "Hoe houden jullie" in page.locator("li.current").inner_text()

    page.go_back()
    page.locator("#view-captured").click()
    page.wait_for_url(re.compile(r"/captured/0/network:12"))
    frame = page.frame_locator("#replay-frame")
    probe = frame.locator("#probe")
    probe.filter(has_text="fetch-").wait_for()
    report = probe.inner_text().split()
    assert "script-ran" in report  # the archived page's own scripts run ...
    assert "fetch-blocked" in report  # ... but cannot call the app
    assert "parent-blocked" in report and "parent-write-blocked" in report  # nor touch this page
    assert "cookie-blocked" in report  # nor read any cookie
    assert page.evaluate("window.__xss") is None

    page.go_back()
    page.go_back()
    page.wait_for_url(re.compile(r"/search\?.*from=2011-02-11"))
    page.get_by_role("link", name="Exporteren").click()
    page.wait_for_url(re.compile(r"/export\?"))
    assert "published_at:[2011-02-11 TO 2011-02-12]" in page.locator("#export-query").inner_text()
    page.get_by_label("CSV-lijst").check()
    page.get_by_label("Reden van de export").fill("Woo-verzoek 2024-17")
    page.get_by_role("button", name="Export starten").click()
    page.wait_for_url(re.compile(r"/exports/\d+$"))
    page.locator('#export-status[data-status="done"]').wait_for(timeout=30_000)
    assert page.locator("#export-download").is_visible()
    assert page.dialogs == []


def test_live_web_is_never_contacted_from_the_replay(browser_page: Any, ui_site: UiSite) -> None:
    page = browser_page
    answered: list[str] = []
    failed: dict[str, str] = {}
    page.on("response", lambda response: answered.append(response.url))
    page.on("requestfailed", lambda request: failed.update({request.url: request.failure}))
    log_in(page, "archivist")
    page.goto("/captured/0/blog:1")
    page.frame_locator("#replay-frame").locator("#probe").filter(has_text="fetch-").wait_for()
    page.wait_for_timeout(200)
    assert [url for url in answered if not url.startswith(ui_site.base_url)] == []
    assert (
        failed.get("https://example.org/beacon.png") == "csp"
    )  # refused by the replay CSP, not the network


HOSTILE_PAGES = [
    "/search?q=ambtenaar",
    "/search?hashtag=gevaar",
    "/record/blog:666",
    "/thread/blog:666",
    "/captured/0/blog:666",
    "/export?hashtag=gevaar",
]


def test_hostile_post_renders_inert_on_every_page(browser_page: Any, ui_site: UiSite) -> None:
    page = browser_page
    log_in(page, "admin")
    for path in HOSTILE_PAGES:
        page.goto(path)
        page.wait_for_load_state("load")
        assert page.evaluate("window.__xss") is None, path
        assert page.locator("script:not([src])").count() == 0, path
        assert page.locator("[onerror], [onload]").count() == 0, path
    page.goto("/record/blog:666")
    assert "<script>" in page.locator("#record-title").inner_text()  # shown as text, not run
    assert page.locator("a[href^='javascript:']").count() == 0
    page.goto("/captured/0/blog:666")
    page.frame_locator("#replay-frame").locator("#probe").filter(has_text="fetch-").wait_for()
    assert page.evaluate("window.__xss") is None
    assert page.dialogs == []


def test_interface_follows_the_browser_language_and_the_switch(
    chromium: Any, ui_site: UiSite
) -> None:
    context = chromium.new_context(base_url=ui_site.base_url, locale="en-GB")
    page = context.new_page()
    page.goto("/login")
    assert page.locator("h1").inner_text() == "Log in"
    page.get_by_role("link", name="NL").click()
    assert page.locator("h1").inner_text() == "Inloggen"
    page.goto("/login")
    assert page.locator("h1").inner_text() == "Inloggen"  # the switch is remembered
    context.close()
