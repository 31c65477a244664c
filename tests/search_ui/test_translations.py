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
TEMPLATES = Path(__file__).resolve().parents[2] / "search_ui" / "templates"


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
