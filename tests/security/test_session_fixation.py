"""Session fixation: a session cookie that exists before a login — planted by an attacker, or
the attacker's own — is never the one the victim is logged in with afterwards. Login always
issues a fresh session, and the planted cookie keeps naming whoever it named before. (Route
roles, CSRF and cross-origin posts are covered by tests/search_ui/test_access.py.)"""

from __future__ import annotations

import httpx

from search_ui.auth import SESSION_COOKIE
from tests.fixtures.ui import ACCOUNTS, UiSite


def test_login_replaces_a_planted_session_cookie(ui_site: UiSite) -> None:
    with ui_site.login("archivist") as attacker:
        planted = attacker.cookies[SESSION_COOKIE]
    victim_name, victim_password = ACCOUNTS["admin"]
    with httpx.Client(base_url=ui_site.base_url, timeout=20) as victim:
        victim.cookies.set(SESSION_COOKIE, planted)
        answer = victim.post("/login", json={"username": victim_name, "password": victim_password})
        assert answer.status_code == 200
    fresh = answer.cookies[SESSION_COOKIE]
    assert fresh != planted
    fresh_me = httpx.get(ui_site.base_url + "/api/me", cookies={SESSION_COOKIE: fresh})
    assert fresh_me.json()["username"] == victim_name
    planted_me = httpx.get(ui_site.base_url + "/api/me", cookies={SESSION_COOKIE: planted})
    assert planted_me.json()["username"] == ACCOUNTS["archivist"][0], (
        "the planted cookie was promoted"
    )
