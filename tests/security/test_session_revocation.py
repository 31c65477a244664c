"""Sessions can be ended: after logout the cookie is dead, and a new password, a role change or
disabling the account (from the real command line, while the app runs) ends every session of
that user at once, so a copied or stolen cookie stops working then, not 8 hours later.
(Issue 21, item 4.)"""

from __future__ import annotations

import os

import httpx

from search_ui.auth import SESSION_COOKIE
from tests.fixtures.ui import ACCOUNTS
from tests.security.conftest import AccountSite


def test_a_cookie_is_dead_after_logout(account_site: AccountSite) -> None:
    with httpx.Client(base_url=account_site.base_url) as client:
        username, password = ACCOUNTS["archivist"]
        token = client.post("/login", json={"username": username, "password": password}).json()[
            "csrf_token"
        ]
        cookie = client.cookies[SESSION_COOKIE]
        assert account_site.me(cookie).status_code == 200
        assert client.post("/logout", data={"csrf_token": token}).status_code == 303
    assert account_site.me(cookie).status_code == 401, "the cookie still works after logout"


def test_logout_ends_only_the_session_it_comes_from(account_site: AccountSite) -> None:
    other_device = account_site.session_cookie("archivist")
    with httpx.Client(base_url=account_site.base_url) as client:
        username, password = ACCOUNTS["archivist"]
        token = client.post("/login", json={"username": username, "password": password}).json()[
            "csrf_token"
        ]
        client.post("/logout", data={"csrf_token": token})
    assert account_site.me(other_device).status_code == 200


def test_a_new_password_ends_every_session_of_the_user(account_site: AccountSite) -> None:
    first, second = account_site.session_cookie("admin"), account_site.session_cookie("admin")
    bystander = account_site.session_cookie("archivist")
    username, _ = ACCOUNTS["admin"]
    result = account_site.cli(
        "users", "passwd", username, "--password-env", "NIEUW", env={"NIEUW": "nieuw-wachtwoord-1"}
    )
    assert result.returncode == 0, result.stderr
    assert account_site.me(first).status_code == 401
    assert account_site.me(second).status_code == 401
    assert account_site.me(bystander).status_code == 200, "another user's session ended too"
    assert account_site.log_in("admin").status_code == 401
    assert account_site.log_in("admin", "nieuw-wachtwoord-1").status_code == 200


def test_disabling_a_user_ends_their_sessions_and_logins(account_site: AccountSite) -> None:
    cookie = account_site.session_cookie("compliance")
    username, _ = ACCOUNTS["compliance"]
    result = account_site.cli("users", "disable", username)
    assert result.returncode == 0, result.stderr
    assert account_site.me(cookie).status_code == 401
    assert account_site.log_in("compliance").status_code == 401
    assert account_site.cli("users", "enable", username).returncode == 0
    assert account_site.me(cookie).status_code == 401, "enabling revived an ended session"
    assert account_site.log_in("compliance").status_code == 200


def test_a_role_change_ends_the_sessions_made_under_the_old_role(
    account_site: AccountSite,
) -> None:
    cookie = account_site.session_cookie("admin")
    username, _ = ACCOUNTS["admin"]
    result = account_site.cli("users", "role", username, "archivist")
    assert result.returncode == 0, result.stderr
    assert "logged out everywhere" in result.stdout
    assert account_site.me(cookie).status_code == 401
    assert account_site.log_in("admin").json()["role"] == "archivist"
    changes = account_site.ws.catalogue().audit_log(action="user_role")
    assert changes[0].username == "cli"  # the operator at the shell, not a name typed in
    assert changes[0].detail == {
        "user": username,
        "role": "archivist",
        "via": "cli",
        "os_user": os.environ.get("USER", ""),
    }


def test_user_commands_on_an_unknown_user_say_so(account_site: AccountSite) -> None:
    for args in (("disable", "niemand"), ("role", "niemand", "admin"), ("passwd", "niemand")):
        result = account_site.cli("users", *args)
        assert result.returncode == 1
        assert "niemand" in result.stderr and "Traceback" not in result.stderr
