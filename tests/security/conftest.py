"""Fixtures for the security tests of logins and accounts: a fresh workspace per test with one
account per role (nothing shared, since these tests lock accounts out, change passwords and end
sessions), served by the real app on a free 127.0.0.1 port, and the real command line."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from search_ui.app import create_app
from search_ui.auth import SESSION_COOKIE, hash_password
from search_ui.login_throttle import ACCOUNT_POLICY, LoginThrottle, ThrottlePolicy
from tests.fixtures.ui import ACCOUNTS, serving
from workspace import Workspace


@dataclass
class AccountSite:
    """The running app over a workspace that holds only accounts."""

    ws: Workspace
    base_url: str

    def log_in(self, role: str, password: str | None = None) -> httpx.Response:
        username, right = ACCOUNTS[role]
        return httpx.post(
            self.base_url + "/login", json={"username": username, "password": password or right}
        )

    def session_cookie(self, role: str) -> str:
        answer = self.log_in(role)
        assert answer.status_code == 200, answer.text
        return answer.cookies[SESSION_COOKIE]

    def me(self, cookie: str) -> httpx.Response:
        return httpx.get(self.base_url + "/api/me", cookies={SESSION_COOKIE: cookie})

    def cli(
        self, *args: str, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        """``python -m archiveren`` on this workspace, in a subprocess."""
        command = [sys.executable, "-m", "archiveren", "--config", str(self.ws.config_path)]
        return subprocess.run(
            [*command, "--data-dir", str(self.ws.data_dir), *args],
            capture_output=True,
            text=True,
            env={**os.environ, **(env or {})},
            timeout=60,
        )


@contextmanager
def serve_accounts(
    tmp_path: Path, account_policy: ThrottlePolicy = ACCOUNT_POLICY
) -> Iterator[AccountSite]:
    """The app over a fresh workspace with ACCOUNTS, locking accounts by ``account_policy``."""
    config_path = tmp_path / "archiveren.yaml"
    config_path.write_text("organisation: Gemeente Zwolle\nsources: []\n", encoding="utf-8")
    ws = Workspace(config_path=config_path, data_dir=tmp_path / "data")
    for role, (username, password) in ACCOUNTS.items():
        ws.catalogue().add_user(username, hash_password(password), role)
    app = create_app(ws)
    app.state.login_throttle = LoginThrottle(ws.catalogue, account_policy=account_policy)
    try:
        with serving(app) as base_url:
            yield AccountSite(ws=ws, base_url=base_url)
    finally:
        ws.close()


@pytest.fixture
def account_site(tmp_path: Path) -> Iterator[AccountSite]:
    with serve_accounts(tmp_path) as site:
        yield site
