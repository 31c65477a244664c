"""WCAG 2.1 AA as a tested property: axe-core runs in real headless Chromium over every page
type a user can reach, for each role and in both languages, and any violation of a WCAG 2.0/2.1
A or AA rule fails with the rule, the elements and the page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from jinja2 import ChoiceLoader, FileSystemLoader

from catalogue import cases
from catalogue.export_jobs import queue_export
from foundation.post import Post
from search_ui.app import create_app
from search_ui.rendering import templates, urlpath
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


def _cards(site: UiSite) -> dict[str, Post]:
    """One card of each kind the demo archive has: a tweet, a tweet with a photo, one with a
    video, a reply, and the same for toots; named by what they show."""
    chosen: dict[str, Post] = {}
    for post in sorted(site.posts.values(), key=lambda p: p.id):
        if post.platform not in ("x", "mastodon"):
            continue
        kinds = [post.kind]
        kinds += ["video"] if any(url.endswith(".mp4") for url in post.media) else []
        kinds += ["photo"] if post.media else []
        for kind in kinds:
            chosen.setdefault(f"{post.platform} {kind}", post)
    return chosen


@pytest.mark.parametrize("lang", sorted(LOCALES))
def test_the_card_of_a_tweet_or_toot_and_its_json_meet_wcag_aa(
    chromium: Any, demo_site: UiSite, lang: str
) -> None:
    """The cards the real collectors' archived API answers give, over the demo sources; each
    checked as it loads and again with the page's JSON opened."""
    cards = _cards(demo_site)
    assert {"x post", "x photo", "x video", "mastodon post"} <= set(cards), sorted(cards)
    context = _context(chromium, demo_site, lang)
    page = context.new_page()
    _log_in(page, "archivist")
    found: dict[str, list[Any]] = {}
    for what, post in cards.items():
        path = f"/captured/0/{urlpath(post.id)}"
        response = page.goto(path)
        assert response.status == 200, path
        assert page.locator("#post-card").count() == 1, f"{what}: no card at {path}"
        found[f"{path} ({what})"] = wcag_violations(page)
        page.locator("#raw-json summary").click()
        assert page.locator("#chosen-json").is_visible(), path
        found[f"{path} ({what}, JSON opened)"] = wcag_violations(page)
    context.close()
    found = {path: violations for path, violations in found.items() if violations}
    assert not found, f"WCAG 2.1 AA violations on the cards in {lang}:\n{_report(found)}"


BAD_FACET_LINK = 'data-value="{{ bucket.value }}"'


@contextmanager
def _templates_with(name: str, old: str, new: str, scratch: Path) -> Iterator[None]:
    """The app renders its template ``name`` with ``old`` changed to ``new``: a copy in
    ``scratch`` is found first by the Jinja loader of the running app; the rest is unchanged."""
    original = templates.env.loader
    assert isinstance(original, FileSystemLoader), original  # Jinja2Templates(directory=...)
    text = (Path(original.searchpath[0]) / name).read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{name} no longer has {old!r} once: update the test"
    (scratch / name).write_text(text.replace(old, new), encoding="utf-8")
    templates.env.loader = ChoiceLoader([FileSystemLoader(str(scratch)), original])
    try:
        yield
    finally:
        templates.env.loader = original


def test_the_checker_catches_an_aria_attribute_a_template_gives_a_link(
    chromium: Any, site: UiSite, tmp_path: Path
) -> None:
    """The check of the checker: the search page's old mistake, put back into its template
    (aria-pressed on a facet link, which has the role link), fails the check; the real template
    passes it before and after."""
    context = _context(chromium, site, "nl")
    page = context.new_page()
    _log_in(page, "archivist")
    page.goto("/search?q=ambtenaar")
    assert not wcag_violations(page)
    bad = 'aria-pressed="false" ' + BAD_FACET_LINK
    with _templates_with("search.html", BAD_FACET_LINK, bad, tmp_path):
        page.goto("/search?q=ambtenaar")
        given = page.locator("[data-facet] a[aria-pressed]").count()
        caught = wcag_violations(page)
    page.goto("/search?q=ambtenaar")
    after = wcag_violations(page)
    context.close()
    assert {violation.rule for violation in caught} == {"aria-allowed-attr"}, caught
    assert given > 0, "the app rendered the template's copy"
    assert [len(violation.targets) for violation in caught] == [given], "every such link, no more"
    assert not after, "the real template again once the copy is gone"


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
