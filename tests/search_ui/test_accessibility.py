"""WCAG 2.1 AA as a tested property: axe-core runs in real headless Chromium over every page
type a user can reach, for each role and in both languages, and any violation of a WCAG 2.0/2.1
A or AA rule fails with the rule, the elements and the page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest

from catalogue import cases
from catalogue.export_jobs import queue_export
from search_ui.app import create_app
from tests.fixtures.axe import wcag_violations
from tests.fixtures.ui import ACCOUNTS, UiSite, build_ui_workspace, serving
from workspace import Workspace, destruction, holds

pytestmark = pytest.mark.browser

EVERYONE = [
    "/search",
    "/search?q=ambtenaar",
    "/search?q=ambtenaar&platform=blog&from=2010-01-01",
    "/search?q=%22niet+afgesloten",  # a query the parser refuses: the error on the page
    "/record/blog:1",
    "/record/network:10",
    "/record/blog:5",  # destroyed: "Vernietigd op … volgens …"
    "/thread/network:10",
    "/replay/0/blog:1",
    "/captured/0/blog:1",
    "/full/0/blog:1",
    "/collections",
    "/record/bestaat-niet",  # the 404 page
]
COMPLIANCE = [
    "/export?q=ambtenaar",
    "/retention",
    "/retention/holds/new?q=wiki",
    "/retention/holds/1",
    "/search?legal_hold=true",
    "/audit",
    "/cases",
    "/cases/add?q=wiki",
    "/cases/1",
    "/export?q=wiki&case=1",
    "/exports",
    "/exports/1",
]
ADMIN = ["/admin/users", "/admin/sources"]
PAGES = {
    "archivist": EVERYONE,
    "compliance": EVERYONE + COMPLIANCE,
    "admin": EVERYONE + COMPLIANCE + ADMIN,
}
EXPECTED_STATUS = {
    "/record/bestaat-niet": 404,
    "/record/blog:5": 410,
    "/search?q=%22niet+afgesloten": 400,
}
LOCALES = {"nl": "nl-NL", "en": "en-GB"}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[UiSite]:
    """The demo archive with a hold in place, a second proposal pending and one Post destroyed,
    so the retention pages show every part they have; a Woo case with a search and an export."""
    ws, posts = build_ui_workspace(tmp_path_factory.mktemp("accessibility"))
    holds.place_hold(
        ws, name="wiki-onderzoek", query="wiki", filters={}, reason="Rechtszaak", user="carla"
    )
    basis = "Selectielijst gemeenten 2020, categorie 1.1"
    for post_id, approved in (("blog:5", True), ("blog:4", False)):
        _expire(ws, post_id)
        proposal = destruction.propose(ws, user="carla", reason="termijn verstreken", basis=basis)
        if approved:
            destruction.approve(ws, proposal.id, user="ad")
    woo = cases.open_case(
        ws.catalogue(),
        cases.NewCase("Woo 2026-114", "Wiki's", "REF-1", date(2026, 11, 2), date(2026, 11, 30)),
        "carla",
    )
    cases.add_search(ws.catalogue(), woo.id, cases.CaseSearch("wiki", {}), "carla")
    queue_export(
        ws.catalogue(), user="carla", fmt="csv", reason="Woo", query="wiki", filters={}, case_id=1
    )
    with serving(create_app(ws)) as base_url:
        yield UiSite(ws=ws, base_url=base_url, posts=posts)
    ws.close()


def _expire(ws: Workspace, post_id: str) -> None:
    backend = ws.backend()
    expired = backend.get(post_id)
    expired.retention = expired.retention.model_copy(
        update={"keep_until": date.today() - timedelta(days=1), "category": "1.1"}
    )
    backend.index_posts([expired])
    backend.close()


def _context(chromium: Any, site: UiSite, lang: str) -> Any:
    # bypass_csp lets the test inject axe-core; the app's own policy is unchanged
    return chromium.new_context(
        base_url=site.base_url,
        locale=LOCALES[lang],
        bypass_csp=True,
        viewport={"width": 1280, "height": 900},
    )


def _log_in(page: Any, role: str) -> None:
    username, password = ACCOUNTS[role]
    page.goto("/login")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(password)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url(re.compile(r"/search"))


def _report(found: dict[str, list[Any]]) -> str:
    return "\n".join(
        f"{path}:\n" + "\n".join(f"  - {violation}" for violation in violations)
        for path, violations in found.items()
    )


@pytest.mark.parametrize("lang", sorted(LOCALES))
def test_the_login_page_meets_wcag_aa(chromium: Any, site: UiSite, lang: str) -> None:
    context = _context(chromium, site, lang)
    page = context.new_page()
    page.goto("/login")
    violations = wcag_violations(page)
    context.close()
    assert not violations, _report({"/login": violations})


@pytest.mark.parametrize("lang", sorted(LOCALES))
@pytest.mark.parametrize("role", sorted(PAGES))
def test_every_page_a_role_reaches_meets_wcag_aa(
    chromium: Any, site: UiSite, role: str, lang: str
) -> None:
    context = _context(chromium, site, lang)
    page = context.new_page()
    _log_in(page, role)
    found: dict[str, list[Any]] = {}
    for path in PAGES[role]:
        response = page.goto(path)
        assert response.status == EXPECTED_STATUS.get(path, 200), path
        assert page.locator("html").get_attribute("lang") == lang, path
        violations = wcag_violations(page)
        if violations:
            found[path] = violations
    context.close()
    assert not found, f"WCAG 2.1 AA violations as {role} in {lang}:\n{_report(found)}"


def test_a_facet_chosen_and_the_mobile_layout_meet_wcag_aa(chromium: Any, site: UiSite) -> None:
    """Pages in other states than the first load: a chosen facet, a phone's viewport."""
    context = chromium.new_context(
        base_url=site.base_url,
        locale="nl-NL",
        bypass_csp=True,
        viewport={"width": 390, "height": 844},
    )
    page = context.new_page()
    _log_in(page, "compliance")
    page.goto("/search?q=ambtenaar")
    assert not wcag_violations(page), "the facets folded away"
    page.locator("details.facets-fold summary").click()
    page.locator("[data-facet] a[data-value]").first.click()
    page.wait_for_url(re.compile(r"platform="))
    page.locator("details.facets-fold summary").click()
    violations = wcag_violations(page)
    context.close()
    assert not violations, _report({page.url: violations})


def test_the_accessibility_statement_is_public_in_dutch_and_english(
    chromium: Any, site: UiSite
) -> None:
    for lang, heading in (("nl", "Toegankelijkheidsverklaring"), ("en", "Accessibility statement")):
        context = _context(chromium, site, lang)
        page = context.new_page()
        page.goto("/login")
        page.get_by_role("link", name=heading).click()
        page.wait_for_url(re.compile(r"/toegankelijkheid$"))
        assert page.locator("h1").inner_text() == heading
        assert "WCAG" in page.locator("main").inner_text()
        violations = wcag_violations(page)
        context.close()
        assert not violations, _report({f"/toegankelijkheid ({lang})": violations})


def test_the_checker_catches_an_aria_attribute_a_link_may_not_have(
    chromium: Any, site: UiSite
) -> None:
    """The check of the checker: the search page's old mistake, put back into the page, fails."""
    context = _context(chromium, site, "nl")
    page = context.new_page()
    _log_in(page, "archivist")
    page.goto("/search?q=ambtenaar")
    assert not wcag_violations(page)
    page.evaluate(
        "() => document.querySelector('[data-facet] a[data-value]')"
        ".setAttribute('aria-pressed', 'false')"
    )
    rules = {violation.rule for violation in wcag_violations(page)}
    context.close()
    assert rules == {"aria-allowed-attr"}


FOCUS_IS_VISIBLE = """() => {
    const element = document.activeElement;
    const style = getComputedStyle(element);
    const outlined = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
    const box = element.getBoundingClientRect();
    const onScreen = box.width > 0 && box.height > 0 && box.bottom > 0 && box.top < innerHeight;
    return outlined && onScreen;
}"""


def _tab_to(page: Any, selector: str, most: int = 200) -> None:
    """Press Tab until ``selector`` has the focus, checking that each stop shows its focus."""
    for _ in range(most):
        page.keyboard.press("Tab")
        tag = page.evaluate("() => document.activeElement.tagName")
        if tag not in ("BODY", "MAIN", "SECTION"):
            where = page.evaluate("() => document.activeElement.outerHTML.slice(0, 120)")
            assert page.evaluate(FOCUS_IS_VISIBLE), f"no visible focus on {where}"
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} was not reached with {most} presses of Tab")


def test_search_facet_record_and_export_with_the_keyboard_only(chromium: Any, site: UiSite) -> None:
    context = _context(chromium, site, "nl")
    page = context.new_page()
    username, password = ACCOUNTS["compliance"]
    page.goto("/login")
    _tab_to(page, "input[name=username]")
    page.keyboard.type(username)
    _tab_to(page, "input[name=password]")
    page.keyboard.type(password)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/search"))

    _tab_to(page, "#q")
    page.keyboard.type("ambtenaar")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"q=ambtenaar"))

    # the first Tab reaches the skip link, which lands on the results
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.getAttribute('href')") == "#results"
    assert page.evaluate(FOCUS_IS_VISIBLE)
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "results"
    page.keyboard.press("Tab")
    assert page.evaluate("() => !!document.activeElement.closest('#results')")

    page.goto("/search?q=ambtenaar")
    _tab_to(page, '[data-facet="platform"] a[data-value="blog"]')
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"platform=blog"))
    assert page.locator('[data-facet="platform"] a[aria-current="true"]').count() == 1

    _tab_to(page, ".hits a")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/record/"))
    assert page.locator("h1").inner_text()

    page.go_back()
    _tab_to(page, "a.button[href^='/export']")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/export"))
    _tab_to(page, "input[name=fmt]")
    page.keyboard.press("ArrowDown")  # the next format: radio buttons move with the arrows
    chosen = page.evaluate("() => document.querySelector('input[name=fmt]:checked').value")
    _tab_to(page, "#reason")
    page.keyboard.type("Woo-verzoek 2026-114")
    _tab_to(page, "form.stacked button[type=submit]")
    page.keyboard.press("Enter")
    page.locator("[role=status]").first.wait_for(state="visible")
    context.close()
    assert chosen != "", "a format was chosen with the arrow keys"
