"""The archivist's way around, in real headless Chromium: two values of one facet chosen
together give the Posts of both; the record's back link returns to the same search; a tweet's
tab title says what it is; a malformed query and an impossible period are told in Dutch; on a
phone the results come before the folded facets. Screenshots go to test-artifacts/."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.fixtures.ui import ARTIFACTS, UiSite
from tests.search_ui.test_browser import log_in

pytestmark = pytest.mark.browser


def count(page: Any) -> int:
    return int(page.locator("#result-count").inner_text().split()[0].replace(".", ""))


def facet(page: Any, field: str, value: str) -> Any:
    return page.locator(f'[data-facet="{field}"] a[data-value="{value}"]')


def test_two_platforms_together_then_back_from_a_record_to_the_same_search(
    browser_page: Any, ui_site: UiSite
) -> None:
    page = browser_page
    log_in(page, "archivist")
    page.goto("/search?sort=newest")
    per_platform = {
        value: int(facet(page, "platform", value).locator(".count").inner_text())
        for value in ("blog", "network")
    }
    facet(page, "platform", "blog").click()
    page.wait_for_url(re.compile(r"platform=blog"))
    assert count(page) == per_platform["blog"]
    assert facet(page, "platform", "network").is_visible(), "the other platforms stay on offer"
    facet(page, "platform", "network").click()
    page.wait_for_url(re.compile(r"platform=network"))
    assert count(page) == per_platform["blog"] + per_platform["network"]
    assert facet(page, "platform", "blog").get_attribute("aria-current") == "true"
    assert facet(page, "platform", "network").get_attribute("aria-current") == "true"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "two-platforms.png"), full_page=True)

    search_url = page.url
    page.locator(".hits h3 a").nth(1).click()
    page.wait_for_url(re.compile(r"/record/"))
    page.locator("#back-to-search").click()
    page.wait_for_url(re.compile(r"/search\?"))
    assert page.url == search_url
    assert count(page) == per_platform["blog"] + per_platform["network"]


def test_a_tweet_says_what_it_is_in_its_tab_title(browser_page: Any, ui_site: UiSite) -> None:
    page = browser_page
    log_in(page, "archivist")
    page.goto("/search?platform=x")
    page.locator(".hits h3 a").first.click()
    page.wait_for_url(re.compile(r"/record/"))
    assert re.match(r"Tweet van @\w+, \d+ \w+ \d{4} · ", page.title()), page.title()


def test_a_malformed_query_and_an_impossible_period_are_told_in_dutch(
    browser_page: Any, ui_site: UiSite
) -> None:
    page = browser_page
    log_in(page, "archivist")
    page.get_by_label("Zoek in het archief").fill('"niet afgesloten')
    page.get_by_role("button", name="Zoeken", exact=True).click()
    problem = page.locator("[role=alert]").first.inner_text()
    assert "aanhalingsteken" in problem.lower() or "positie" in problem.lower(), problem
    page.screenshot(path=str(ARTIFACTS / "query-error-nl.png"), full_page=True)
    page.goto("/search?q=wiki&from=2014-03-01&to=2014-02-01")
    assert "vóór ze begint" in page.locator("[role=alert]").first.inner_text()


def test_on_a_phone_the_results_come_before_the_folded_facets(
    chromium: Any, ui_site: UiSite
) -> None:
    context = chromium.new_context(
        base_url=ui_site.base_url, locale="nl-NL", viewport={"width": 390, "height": 844}
    )
    page = context.new_page()
    log_in(page, "archivist")
    page.goto("/search?q=wiki")
    fold = page.locator("details.facets-fold")
    assert fold.get_attribute("open") is None
    first_hit = page.locator(".hits h3 a").first.bounding_box()
    assert first_hit["y"] < 844, "the first result is on the first screen"
    fold.locator("summary").click()
    assert facet(page, "platform", "network").is_visible()
    page.screenshot(path=str(ARTIFACTS / "phone-search.png"), full_page=True)
    context.close()
