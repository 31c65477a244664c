"""User names are unmistakable in the audit log: `archiveren users add` and the admin page
refuse names with spaces, invisible or control characters, reserved names such as `cli`, and
names that differ from an account only by case, with a message naming the problem (never a
traceback); look-alike forms are stored NFKC-normalised; accounts made before these rules
still log in and can be changed. (Issue 21, item 9.)"""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import insert

from catalogue.schema import UserRow, utcnow
from catalogue.usernames import UserNameError
from search_ui.auth import hash_password
from tests.fixtures.ui import ACCOUNTS
from tests.security.conftest import AccountSite

PASSWORD = {"WACHTWOORD": "lang-genoeg-wachtwoord"}


@pytest.mark.parametrize(
    ("name", "complaint"),
    [
        ("cli", "reserved"),
        (" beheerder", "SPACE (U+0020)"),
        ("beheerder\u200b", "ZERO WIDTH SPACE (U+200B)"),
        ("beheer\nder", "a control character (U+000A)"),
        ("beheer der", "character 7 is SPACE"),
        (".beheerder", "must start with a letter or digit"),
        ("b" * 65, "at most 64 characters"),
        ("<script>", "LESS-THAN SIGN"),
    ],
)
def test_users_add_refuses_a_bad_name_with_a_clear_message(
    account_site: AccountSite, name: str, complaint: str
) -> None:
    result = account_site.cli("users", "add", name, "--password-env", "WACHTWOORD", env=PASSWORD)
    assert result.returncode == 1
    assert complaint in result.stderr
    assert result.stderr.startswith("archiveren users: user name")
    assert "Traceback" not in result.stderr
    assert len(account_site.ws.catalogue().users()) == len(ACCOUNTS)


@pytest.mark.parametrize("name", ["beheer\x00der", "beheer\nder", "cli", "ANNA"])
def test_the_admin_page_refuses_a_bad_name_in_dutch(account_site: AccountSite, name: str) -> None:
    username, password = ACCOUNTS["admin"]
    with httpx.Client(base_url=account_site.base_url) as client:
        token = client.post("/login", json={"username": username, "password": password}).json()[
            "csrf_token"
        ]
        answer = client.post(
            "/admin/users",
            data={
                "username": name,
                "password": "lang-genoeg-1",
                "role": "admin",
                "csrf_token": token,
            },
        )
    assert answer.status_code == 400
    assert "kan niet" in answer.text or "bestaat al" in answer.text
    assert len(account_site.ws.catalogue().users()) == len(ACCOUNTS)


def test_a_name_that_differs_only_by_case_is_refused(account_site: AccountSite) -> None:
    result = account_site.cli("users", "add", "Anna", "--password-env", "WACHTWOORD", env=PASSWORD)
    assert result.returncode == 1
    assert "already exists (as 'anna')" in result.stderr


def test_look_alike_forms_are_stored_and_found_as_one_name(account_site: AccountSite) -> None:
    result = account_site.cli(
        "users", "add", "ｊａｎ", "--password-env", "WACHTWOORD", env=PASSWORD
    )
    assert result.returncode == 0, result.stderr
    assert "user jan added" in result.stdout
    assert account_site.ws.catalogue().user("jan") is not None
    for typed in ("jan", "ｊａｎ"):
        answer = httpx.post(
            account_site.base_url + "/login",
            json={"username": typed, "password": PASSWORD["WACHTWOORD"]},
        )
        assert answer.json()["username"] == "jan"


def test_the_catalogue_refuses_nul_and_the_cli_name(account_site: AccountSite) -> None:
    catalogue = account_site.ws.catalogue()
    for name in ("beheer\x00der", "CLI"):
        with pytest.raises(UserNameError, match="user name"):
            catalogue.add_user(name, hash_password("lang-genoeg-1"), "admin")


def test_an_account_made_before_the_rules_still_logs_in_and_can_be_changed(
    account_site: AccountSite,
) -> None:
    catalogue = account_site.ws.catalogue()
    with catalogue.session() as session:
        session.execute(
            insert(UserRow).values(
                username="oude naam",
                password_hash=hash_password("oud-wachtwoord-1"),
                role="archivist",
                created_at=utcnow(),
            )
        )
    answer = httpx.post(
        account_site.base_url + "/login",
        json={"username": "oude naam", "password": "oud-wachtwoord-1"},
    )
    assert answer.status_code == 200
    result = account_site.cli(
        "users", "passwd", "oude naam", "--password-env", "WACHTWOORD", env=PASSWORD
    )
    assert result.returncode == 0, result.stderr
    assert account_site.cli("users", "disable", "oude naam").returncode == 0
    assert "oude naam" in account_site.cli("users", "list").stdout
