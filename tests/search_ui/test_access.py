"""Access control over real HTTP: passwords hashed with argon2id, the session cookie and its
flags, CSRF and cross-origin refusal on form posts, roles on pages, the reverse-proxy user
header when configured, the session key kept 0600 in the data dir, and a route table in which
everything but /login, /health, /static and the accessibility statement needs a logged-in
user."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import httpx
import pytest
from fastapi.routing import APIRoute
from starlette.routing import Mount

from search_ui.app import ROUTERS, create_app, route_table
from search_ui.auth import SESSION_COOKIE, hash_password, verify_password
from tests.fixtures.ui import ACCOUNTS, UiSite, serving
from workspace import Workspace

PUBLIC = {"/login", "/health", "/toegankelijkheid"}


def test_passwords_are_hashed_with_argon2id_and_verified() -> None:
    hashed = hash_password("geheim-wachtwoord")
    assert hashed.startswith("$argon2id$")
    assert "geheim-wachtwoord" not in hashed
    assert verify_password(hashed, "geheim-wachtwoord")
    assert not verify_password(hashed, "geheim-wachtwoorD")
    assert not verify_password("not a hash", "geheim-wachtwoord")


def test_every_route_but_login_health_and_static_requires_a_role(ui_site: UiSite) -> None:
    app = create_app(ui_site.ws)
    routes = route_table(app)
    assert len([r for r in app.routes if not isinstance(r, APIRoute | Mount)]) == len(ROUTERS)
    assert {
        "/search",
        "/record/{post_id:path}",
        "/replay/{index}/{post_id:path}",
        "/api/exports",
    } <= {getattr(r, "path", "") for r in routes}
    unguarded = []
    for route in routes:
        if isinstance(route, Mount):
            assert route.path == "/static"
            continue
        assert isinstance(route, APIRoute)
        roles = [
            dep.call.required_role
            for dep in route.dependant.dependencies
            if hasattr(dep.call, "required_role")
        ]
        if not roles:
            unguarded.append(route.path)
    assert set(unguarded) == PUBLIC


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/search",
        "/record/blog:1",
        "/thread/blog:1",
        "/captured/0/blog:1",
        "/replay/0/blog:1",
        "/collections",
        "/export",
        "/admin/users",
        "/retention",
        "/audit",
    ],
)
def test_pages_send_anonymous_visitors_to_the_login_page(ui_site: UiSite, path: str) -> None:
    answer = httpx.get(ui_site.base_url + path)
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/login?next=")


def test_login_sets_a_strict_httponly_session_cookie_and_returns_to_the_page(
    ui_site: UiSite,
) -> None:
    username, password = ACCOUNTS["archivist"]
    answer = httpx.post(
        ui_site.base_url + "/login",
        data={"username": username, "password": password, "next": "/record/blog:1"},
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == "/record/blog:1"
    cookie = answer.headers["set-cookie"].lower()
    assert (
        cookie.startswith(SESSION_COOKIE) and "httponly" in cookie and "samesite=strict" in cookie
    )


def test_login_never_redirects_off_site(ui_site: UiSite) -> None:
    username, password = ACCOUNTS["archivist"]
    answer = httpx.post(
        ui_site.base_url + "/login",
        data={"username": username, "password": password, "next": "//evil.example/"},
    )
    assert answer.headers["location"] == "/search"


def test_wrong_password_is_refused_and_audited(ui_site: UiSite) -> None:
    answer = httpx.post(
        ui_site.base_url + "/login", data={"username": "anna", "password": "fout-wachtwoord"}
    )
    assert answer.status_code == 401
    assert "Gebruikersnaam of wachtwoord klopt niet" in answer.text
    assert SESSION_COOKIE not in answer.cookies
    assert ui_site.ws.catalogue().audit_log(action="login_failed", limit=1)[0].username == "anna"


def test_a_tampered_session_cookie_is_not_accepted(ui_site: UiSite) -> None:
    with ui_site.login("admin") as client:
        cookie = client.cookies[SESSION_COOKIE]
    forged = cookie[:-2] + ("AA" if not cookie.endswith("AA") else "BB")
    answer = httpx.get(ui_site.base_url + "/api/me", cookies={SESSION_COOKIE: forged})
    assert answer.status_code == 401


@pytest.mark.parametrize(
    ("path", "role"),
    [("/export", "archivist"), ("/admin/users", "archivist"), ("/admin/users", "compliance")],
)
def test_pages_above_the_role_answer_403(ui_site: UiSite, path: str, role: str) -> None:
    with ui_site.login(role) as client:
        answer = client.get(path)
    assert answer.status_code == 403
    assert "Geen toegang" in answer.text


def test_forms_without_the_csrf_token_are_refused(ui_site: UiSite) -> None:
    with ui_site.login("admin") as client:
        answer = client.post(
            "/admin/users",
            data={"username": "mallory", "password": "lang-genoeg-1", "role": "admin"},
        )
    assert answer.status_code == 403
    assert ui_site.ws.catalogue().user("mallory") is None


def test_posts_from_another_origin_are_refused(ui_site: UiSite) -> None:
    with ui_site.login("admin") as client:
        token = client.headers["X-CSRF-Token"]
        answer = client.post(
            "/admin/users",
            data={
                "username": "mallory",
                "password": "lang-genoeg-1",
                "role": "admin",
                "csrf_token": token,
            },
            headers={"Origin": "http://evil.example"},
        )
    assert answer.status_code == 403
    assert ui_site.ws.catalogue().user("mallory") is None


def test_admin_adds_a_user_who_can_then_log_in(ui_site: UiSite) -> None:
    with ui_site.login("admin") as client:
        token = client.headers["X-CSRF-Token"]
        answer = client.post(
            "/admin/users",
            data={
                "username": "bert",
                "password": "bert-wachtwoord",
                "role": "archivist",
                "csrf_token": token,
            },
        )
    assert answer.status_code == 200
    assert "Gebruiker bert is toegevoegd" in answer.text
    assert (
        httpx.post(
            ui_site.base_url + "/login", json={"username": "bert", "password": "bert-wachtwoord"}
        ).json()["role"]
        == "archivist"
    )


def test_logout_clears_the_session_cookie(ui_site: UiSite) -> None:
    username, password = ACCOUNTS["archivist"]
    # a session of its own: logout ends it, and ui_site.login shares its sessions between tests
    with httpx.Client(base_url=ui_site.base_url, timeout=20) as client:
        login = client.post("/login", json={"username": username, "password": password})
        answer = client.post("/logout", data={"csrf_token": login.json()["csrf_token"]})
    assert answer.status_code == 303
    assert (
        'archiveren_session=""' in answer.headers["set-cookie"]
        or "max-age=0" in answer.headers["set-cookie"].lower()
    )


def test_pages_carry_a_strict_content_security_policy(ui_site: UiSite) -> None:
    with ui_site.login("archivist") as client:
        headers = client.get("/record/blog:666").headers
    csp = headers["content-security-policy"]
    assert (
        "script-src 'self'" in csp
        and "'unsafe-inline'" not in csp
        and "frame-ancestors 'none'" in csp
    )
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["cache-control"] == "no-store"


def test_the_session_key_is_kept_in_the_data_dir_readable_by_the_owner_only(
    ui_site: UiSite,
) -> None:
    key_file = ui_site.ws.data_dir / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(key_file.read_text()) >= 48


def _workspace_with(ui_site: UiSite, tmp_path: Path, server_settings: str) -> Workspace:
    config = tmp_path / "proxy.yaml"
    config.write_text(ui_site.ws.config_path.read_text() + server_settings, encoding="utf-8")
    return Workspace(config_path=config, data_dir=ui_site.ws.data_dir)


def test_a_trusted_proxy_header_names_the_user_when_configured(
    ui_site: UiSite, tmp_path: Path
) -> None:
    ws = _workspace_with(ui_site, tmp_path, "server:\n  trusted_user_header: X-Remote-User\n")
    with serving(create_app(ws)) as base_url:
        assert httpx.get(base_url + "/api/me", headers={"X-Remote-User": "carla"}).json() == {
            "username": "carla",
            "role": "compliance",
        }
        assert (
            httpx.get(base_url + "/api/me", headers={"X-Remote-User": "nobody"}).status_code == 401
        )
        assert httpx.get(base_url + "/api/me").status_code == 401
    # without the setting the header means nothing
    assert (
        httpx.get(ui_site.base_url + "/api/me", headers={"X-Remote-User": "carla"}).status_code
        == 401
    )
    ws.close()


def test_the_session_key_can_come_from_the_environment(
    ui_site: UiSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ARCHIVEREN_TEST_SESSION_KEY", "k" * 40)
    ws = _workspace_with(
        ui_site, tmp_path, "server:\n  secret_key_env: ARCHIVEREN_TEST_SESSION_KEY\n"
    )
    with ui_site.login("archivist") as client:
        cookie = client.cookies[SESSION_COOKIE]
    with serving(create_app(ws)) as base_url:
        # a cookie signed with the data-dir key is not valid under the environment's key
        assert httpx.get(base_url + "/api/me", cookies={SESSION_COOKIE: cookie}).status_code == 401
    ws.close()
    assert os.environ["ARCHIVEREN_TEST_SESSION_KEY"] == "k" * 40
