"""The JSON API over real HTTP: every endpoint refuses anonymous callers (401) and roles below
its own (403), answers with the Posts of the test archive, audits what it serves, and requires
the CSRF token on POSTs made with the session cookie."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from tests.fixtures.ui import UiSite

GET_ENDPOINTS = [
    "/api/search?q=wiki",
    "/api/facets",
    "/api/records/network:12",
    "/api/threads/network:12",
    "/api/me",
    "/api/openapi.json",
]
EXPORT_ORDER = {
    "query": "wiki",
    "filters": {"platform": ["network"]},
    "fmt": "csv",
    "reason": "Woo-verzoek 2024-17",
}


@pytest.mark.parametrize("path", GET_ENDPOINTS)
def test_every_get_endpoint_answers_401_without_login(ui_site: UiSite, path: str) -> None:
    answer = httpx.get(ui_site.base_url + path)
    assert answer.status_code == 401
    assert "log in" in answer.json()["detail"]


def test_export_endpoint_answers_401_without_login(ui_site: UiSite) -> None:
    assert httpx.post(ui_site.base_url + "/api/exports", json=EXPORT_ORDER).status_code == 401


@pytest.mark.parametrize("role", ["archivist", "compliance", "admin"])
@pytest.mark.parametrize("path", GET_ENDPOINTS)
def test_every_role_may_read(ui_site: UiSite, role: str, path: str) -> None:
    with ui_site.login(role) as client:
        assert client.get(path).status_code == 200


def test_archivist_may_not_export(ui_site: UiSite) -> None:
    with ui_site.login("archivist") as client:
        answer = client.post("/api/exports", json=EXPORT_ORDER)
    assert answer.status_code == 403
    assert "compliance" in answer.json()["detail"]


@pytest.mark.parametrize("role", ["compliance", "admin"])
def test_compliance_and_admin_may_export(ui_site: UiSite, role: str) -> None:
    with ui_site.login(role) as client:
        answer = client.post("/api/exports", json=EXPORT_ORDER)
    assert answer.status_code == 201, answer.text
    assert "wiki" in answer.json()["query"]
    logged = ui_site.ws.catalogue().audit_log(limit=5)
    assert any(
        row.action.startswith("export")
        and row.username == ("carla" if role == "compliance" else "ad")
        and row.detail["query"] == "wiki"
        for row in logged
    )


def test_export_without_csrf_token_is_refused(ui_site: UiSite) -> None:
    with ui_site.login("compliance") as client:
        del client.headers["X-CSRF-Token"]
        answer = client.post("/api/exports", json=EXPORT_ORDER)
    assert answer.status_code == 403
    assert "CSRF" in answer.json()["detail"]


def test_export_rejects_unknown_filter_fields(ui_site: UiSite) -> None:
    with ui_site.login("compliance") as client:
        answer = client.post("/api/exports", json={**EXPORT_ORDER, "filters": {"password": ["x"]}})
    assert answer.status_code == 400
    assert "cannot filter on password" in answer.json()["detail"]


def test_search_returns_hits_facets_and_histogram(ui_site: UiSite) -> None:
    with ui_site.login("archivist") as client:
        body = client.get(
            "/api/search", params={"q": "wiki", "platform": "network", "sort": "oldest"}
        ).json()
    assert body["total"] == 4
    assert [hit["post"]["id"] for hit in body["hits"]] == [
        "network:10",
        "network:11",
        "network:12",
        "network:13",
    ]
    assert {b["value"]: b["count"] for b in body["facets"]["kind"]} == {"comment": 3, "post": 1}
    assert sum(bucket["count"] for bucket in body["date_histogram"]) == 4


def test_search_with_a_bad_query_answers_400_saying_where(ui_site: UiSite) -> None:
    with ui_site.login("archivist") as client:
        answer = client.get("/api/search", params={"q": '"niet afgesloten'})
    assert answer.status_code == 400
    assert answer.json()["detail"]


def test_date_range_is_inclusive_of_the_last_day(ui_site: UiSite) -> None:
    with ui_site.login("archivist") as client:
        body = client.get(
            "/api/search", params={"from": "2011-02-11", "to": "2011-02-12", "sort": "oldest"}
        ).json()
    assert [hit["post"]["id"] for hit in body["hits"]] == ["network:11", "network:12"]


def test_facets_endpoint_counts_without_hits(ui_site: UiSite) -> None:
    with ui_site.login("archivist") as client:
        body = client.get("/api/facets", params={"hashtag": "ambtenaar20"}).json()
    assert body["total"] == 3
    assert {b["value"]: b["count"] for b in body["facets"]["platform"]} == {"blog": 2, "x": 1}


def test_record_carries_the_capture_context_from_the_warc(ui_site: UiSite) -> None:
    with ui_site.login("archivist") as client:
        body = client.get("/api/records/blog:1").json()
    assert body["post"]["capture"]["record_id"].startswith("<urn:uuid:")
    assert body["captures"] == 2
    assert body["capture_context"]["collector"] == "test-collector"
    assert body["capture_context"]["source"] == "ambtenaar20-blog"


def test_unknown_record_is_404(ui_site: UiSite) -> None:
    with ui_site.login("archivist") as client:
        assert client.get("/api/records/blog:404").status_code == 404
        assert client.get("/api/threads/blog:404").status_code == 404


def test_thread_lists_every_post_oldest_first(ui_site: UiSite) -> None:
    with ui_site.login("archivist") as client:
        body = client.get("/api/threads/network:12").json()
    assert body["root_id"] == "network:10"
    assert [post["id"] for post in body["posts"]] == [
        "network:10",
        "network:11",
        "network:12",
        "network:13",
    ]


def test_searches_and_views_are_audited_with_who(ui_site: UiSite) -> None:
    with ui_site.login("archivist") as client:
        client.get("/api/search", params={"q": "overheid audit-merkteken"})
        client.get("/api/records/x:101")
    catalogue = ui_site.ws.catalogue()
    assert any(
        row.username == "anna" and row.detail.get("query") == "overheid audit-merkteken"
        for row in catalogue.audit_log(action="search", limit=10)
    )
    assert any(
        row.username == "anna" and row.detail.get("post_id") == "x:101"
        for row in catalogue.audit_log(action="view", limit=10)
    )


def test_openapi_describes_every_endpoint(ui_site: UiSite) -> None:
    with ui_site.login("archivist") as client:
        schema = client.get("/api/openapi.json").json()
    assert set(schema["paths"]) == {
        "/api/search",
        "/api/facets",
        "/api/records/{post_id}",
        "/api/threads/{post_id}",
        "/api/exports",
        "/api/me",
    }
    assert "401" in schema["paths"]["/api/search"]["get"]["responses"]


def test_an_excel_csv_export_starts_with_the_bom_and_has_its_manifest(ui_site: UiSite) -> None:
    with ui_site.login("compliance") as client:
        answer = client.post("/api/exports", json={**EXPORT_ORDER, "excel": True})
        refused = client.post("/api/exports", json={**EXPORT_ORDER, "fmt": "jsonl", "excel": True})
    assert answer.status_code == 201, answer.text
    path = Path(answer.json()["path"])
    assert path.read_bytes().startswith(b"\xef\xbb\xbfid,platform,")
    manifest = json.loads(path.with_name(path.name + ".manifest.json").read_text(encoding="utf-8"))
    assert manifest["options"] == {"excel": True} and manifest["actor"] == "carla"
    assert refused.status_code == 400 and "excel is for a csv export" in refused.json()["detail"]
