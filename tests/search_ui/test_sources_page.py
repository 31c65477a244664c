"""The admin's sources page: add a source or a pasted list, disable it, and collect now, without
editing YAML; the file keeps its comments, a bad line is named and changes nothing, and only
admins reach the page. The browser test adds a blog and presses "Nu verzamelen" in Chromium."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from search_ui.app import create_app
from search_ui.auth import hash_password
from tests.fixtures.ui import ARTIFACTS, serving
from workspace import Workspace

HAND_WRITTEN = """\
# Bronnen van de proef; beheerd door team Informatiebeheer.
organisation: Gemeente Zwolle
sources:
  # het blog van de wethouder
  - name: blog-wethouder
    type: feed
    url: "https://wethouder.example.org/feed/"   # met de hand
    enabled: false
"""
ADMIN, ARCHIVIST = ("beheer", "beheer-wachtwoord-1"), ("anna", "archief-anna-2024")


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[str, Workspace]]:
    config = tmp_path / "sources.yaml"
    config.write_text(HAND_WRITTEN, encoding="utf-8")
    ws = Workspace(config_path=config, data_dir=tmp_path / "data")
    ws.catalogue().add_user(ADMIN[0], hash_password(ADMIN[1]), "admin")
    ws.catalogue().add_user(ARCHIVIST[0], hash_password(ARCHIVIST[1]), "archivist")
    with serving(create_app(ws)) as base_url:
        yield base_url, ws
    ws.close()


@contextmanager
def logged_in(base_url: str, account: tuple[str, str]) -> Iterator[tuple[httpx.Client, str]]:
    with httpx.Client(base_url=base_url, timeout=30) as client:
        answer = client.post("/login", json={"username": account[0], "password": account[1]})
        answer.raise_for_status()
        yield client, answer.json()["csrf_token"]


def test_a_source_added_in_the_form_lands_in_the_file_with_its_comments_kept(
    site: tuple[str, Workspace],
) -> None:
    base_url, ws = site
    with logged_in(base_url, ADMIN) as (client, token):
        added = client.post(
            "/admin/sources",
            data={
                "csrf_token": token,
                "type": "mastodon",
                "account": "wethouder@social.overheid.nl",
                "organisation": "Gemeente Zwolle",
                "category": "1.1",
            },
        )
    assert added.status_code == 200, added.text
    assert "Toegevoegd: mastodon-wethouder-social.overheid.nl" in added.text
    text = ws.config_path.read_text(encoding="utf-8")
    assert text.startswith(HAND_WRITTEN)
    assert yaml.safe_load(text)["sources"][1]["instance"] == "https://social.overheid.nl"
    audit = ws.catalogue().audit_log()
    assert any(row.action == "sources_added" and row.username == ADMIN[0] for row in audit)


def test_a_pasted_list_with_a_bad_line_names_it_and_changes_nothing(
    site: tuple[str, Workspace],
) -> None:
    base_url, ws = site
    with logged_in(base_url, ADMIN) as (client, token):
        refused = client.post(
            "/admin/sources/import",
            data={"csrf_token": token, "listing": "x,raadslid1\nhyves,iemand\nx,raadslid2\n"},
        )
        assert refused.status_code == 400
        assert "line 2: unknown type" in refused.text
        assert ws.config_path.read_text(encoding="utf-8") == HAND_WRITTEN

        accepted = client.post(
            "/admin/sources/import",
            data={"csrf_token": token, "listing": "x,raadslid1\nx,raadslid2\n"},
        )
    assert accepted.status_code == 200
    names = [s["name"] for s in yaml.safe_load(ws.config_path.read_text())["sources"]]
    assert names == ["blog-wethouder", "x-raadslid1", "x-raadslid2"]


def test_only_admins_reach_the_page_and_forms_need_the_token(site: tuple[str, Workspace]) -> None:
    base_url, ws = site
    with logged_in(base_url, ARCHIVIST) as (client, token):
        assert client.get("/admin/sources").status_code == 403
        refused = client.post(
            "/admin/sources", data={"csrf_token": token, "type": "x", "account": "iemand"}
        )
        assert refused.status_code == 403
    with logged_in(base_url, ADMIN) as (admin, _):
        stale = admin.post(
            "/admin/sources", data={"csrf_token": "oud", "type": "x", "account": "a"}
        )
        assert stale.status_code == 403
    assert ws.config_path.read_text(encoding="utf-8") == HAND_WRITTEN


@pytest.mark.browser
def test_admin_adds_a_blog_and_collects_it_now_in_the_browser(
    chromium: Any, site: tuple[str, Workspace], feed_url: str
) -> None:
    base_url, ws = site
    context = chromium.new_context(base_url=base_url, locale="nl-NL")
    page = context.new_page()
    try:
        page.goto("/admin/sources")
        page.get_by_label("Gebruikersnaam").fill(ADMIN[0])
        page.get_by_label("Wachtwoord").fill(ADMIN[1])
        page.get_by_role("button", name="Inloggen").click()
        page.goto("/admin/sources")
        page.get_by_label("Soort", exact=True).select_option("feed")
        page.get_by_label("Account of adres").fill(feed_url)
        page.get_by_role("button", name="Toevoegen", exact=True).click()
        assert "Toegevoegd:" in page.locator(".notice").inner_text()
        name = yaml.safe_load(ws.config_path.read_text())["sources"][-1]["name"]

        page.get_by_role("button", name=f"Nu verzamelen: {name}").click()
        assert "wordt nu verzameld" in page.locator(".notice").inner_text()
        outcome = page.locator(f'tr[data-source="{name}"] td[data-outcome]')
        deadline = time.monotonic() + 60
        while outcome.get_attribute("data-outcome") in ("", "running"):
            assert time.monotonic() < deadline, "the run did not end within 60 s"
            time.sleep(0.5)
            page.goto("/admin/sources")
        assert outcome.get_attribute("data-outcome") == "ok"
        assert re.search(r"gelukt", outcome.inner_text())
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "sources-page.png"), full_page=True)
    finally:
        context.close()
    assert ws.catalogue().runs(name)[0].outcome == "ok"
