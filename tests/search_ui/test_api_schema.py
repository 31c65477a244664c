"""Schemathesis (v4) generates requests from the app's own OpenAPI description and sends them
to the live app on loopback, logged in as compliance (so every endpoint, exports included, is
reachable): no generated request may make the app answer with a server error."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from search_ui.auth import SESSION_COOKIE
from tests.fixtures.ui import UiSite

OPERATIONS = [
    "GET /api/search",
    "GET /api/facets",
    "GET /api/records/{post_id}",
    "GET /api/threads/{post_id}",
    "POST /api/exports",
    "GET /api/exports",
    "GET /api/exports/{job_id}",
    "GET /api/me",
]


@pytest.mark.parametrize("label", OPERATIONS)
def test_generated_requests_never_cause_a_server_error(ui_site: UiSite, label: str) -> None:
    with ui_site.login("compliance") as client:
        description = client.get("/api/openapi.json").json()
        cookies = {SESSION_COOKIE: client.cookies[SESSION_COOKIE]}
        headers = {"X-CSRF-Token": client.headers["X-CSRF-Token"]}
    operations = {
        op.ok().label: op.ok()
        for op in schemathesis.openapi.from_dict(description).get_all_operations()
    }
    assert set(operations) == set(OPERATIONS)

    @given(case=operations[label].as_strategy())
    @settings(
        max_examples=8,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
    )
    def check(case: Any) -> None:
        response = case.call(
            base_url=ui_site.base_url, headers=headers, cookies=cookies, timeout=30
        )
        case.validate_response(response, checks=[not_a_server_error])

    check()


def test_the_schema_itself_is_not_public(ui_site: UiSite) -> None:
    assert httpx.get(ui_site.base_url + "/api/openapi.json").status_code == 401
