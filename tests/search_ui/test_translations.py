"""Every message exists in Dutch and English, and no page a user reaches shows a message key
instead of its text (what the translator gives back when a key is missing)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import html

from search_ui.i18n import LANGUAGES, messages
from tests.fixtures.ui import UiSite
from tests.search_ui.test_accessibility import ADMIN, COMPLIANCE, EVERYONE

TEMPLATES_KEYS = re.compile(r"""\bt\(\s*["']([a-z_]+(?:\.[a-z_0-9]+)+)["']""")
REPO = Path(__file__).resolve().parents[2]
TEMPLATES = REPO / "search_ui" / "templates"
COUNTED = re.compile(r"""counts\[([^\]\n]+)\]""")
"""A count kept by name: ``counts["pages"]``, ``counts["entries_new" if new else "entries_changed"]``."""
NAMED = re.compile(r"""["']([a-z_]+)["']""")


def keys_named_by_templates() -> set[str]:
    return {
        key
        for template in TEMPLATES.glob("*.html")
        for key in TEMPLATES_KEYS.findall(template.read_text(encoding="utf-8"))
    }


def test_every_message_has_both_languages() -> None:
    missing = [key for key, entry in messages().items() if set(entry) != set(LANGUAGES)]
    assert not missing


def test_every_key_the_templates_name_has_a_message() -> None:
    named = keys_named_by_templates()
    assert named and not named - set(messages())


def test_every_count_a_collector_keeps_has_a_name_for_the_collections_page() -> None:
    counted = {
        name
        for package in ("collectors", "archiveren", "archive")
        for module in (REPO / package).rglob("*.py")
        for inside in COUNTED.findall(module.read_text(encoding="utf-8"))
        for name in NAMED.findall(inside)
    }
    assert "entries_new" in counted and "found_gone" in counted, "the scan finds the counts"
    assert not {f"count.{name}" for name in counted} - set(messages())


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_page_shows_a_message_key(ui_site: UiSite, lang: str) -> None:
    keys = set(messages()) | keys_named_by_templates()
    shown: dict[str, set[str]] = {}
    with ui_site.login("admin") as client:
        for path in ["/login", "/toegankelijkheid", *EVERYONE, *COMPLIANCE, *ADMIN]:
            page = client.get(path, params={"lang": lang})
            if "text/html" not in page.headers.get("content-type", ""):
                continue
            text = html.fromstring(page.text).text_content()
            found = {key for key in keys if key in text}
            if found:
                shown[path] = found
    assert not shown
