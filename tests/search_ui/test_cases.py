"""Woo cases over real HTTP with a real catalogue: a case is opened with its search, refuses a
second case with the same number and a deadline before receipt in the page's language, counts
what it covers from the index, names itself on the exports and holds made for it (and in
their audit rows), and takes no new search once closed."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import httpx
import pytest

from search_ui.app import create_app
from tests.fixtures.ui import UiSite, build_ui_workspace, serving


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[UiSite]:
    ws, posts = build_ui_workspace(tmp_path_factory.mktemp("cases"))
    ws.backend().close()
    with serving(create_app(ws)) as base_url:
        yield UiSite(ws=ws, base_url=base_url, posts=posts)
    ws.close()


def open_case(client: httpx.Client, number: str, **search: str) -> httpx.Response:
    return client.post(
        "/cases",
        data={
            "csrf_token": client.headers["X-CSRF-Token"],
            "number": number,
            "title": "Open overheid",
            "requester_reference": "REF-1",
            "received_on": "2026-11-01",
            "deadline": "2026-11-29",
            "with_search": "1",
            **search,
        },
    )


def case_id(answer: httpx.Response) -> int:
    assert answer.status_code == 303, answer.text
    found = re.fullmatch(r"/cases/(\d+)", answer.headers["location"])
    assert found
    return int(found.group(1))


def test_a_case_counts_what_its_search_covers(site: UiSite) -> None:
    with site.login("compliance") as client:
        opened = case_id(open_case(client, "Woo 2026-200", q="", platform="mastodon"))
        page = client.get(f"/cases/{opened}").text
    assert "Mastodon: 2" in page and "social-overheid: 2" in page
    assert "2023-04-12 – 2023-04-13" in page


def test_bad_case_input_is_told_in_dutch_and_english(site: UiSite) -> None:
    with site.login("compliance") as client:
        case_id(open_case(client, "Woo 2026-201"))
        again = open_case(client, "Woo  2026-201")
        assert again.status_code == 400
        assert "Er is al een zaak met nummer ‘Woo 2026-201’" in again.text
        late = client.post(
            "/cases?lang=en",
            data={
                "csrf_token": client.headers["X-CSRF-Token"],
                "number": "Woo 2026-202",
                "title": "x",
                "received_on": "2026-11-10",
                "deadline": "2026-11-01",
            },
        )
        assert late.status_code == 400
        assert "The deadline 2026-11-01 is before the day the request was received" in late.text
        assert "Traceback" not in late.text
        assert client.get("/cases/98765").status_code == 404


def test_exports_and_holds_made_for_a_case_name_it(site: UiSite) -> None:
    with site.login("compliance") as client:
        opened = case_id(open_case(client, "Woo 2026-203", q="wiki"))
        job = client.post(
            "/api/exports",
            json={"query": "wiki", "fmt": "csv", "reason": "Woo", "case_id": opened},
        ).json()
        deadline = time.monotonic() + 30
        while client.get(f"/api/exports/{job['id']}").json()["status"] != "done":
            assert time.monotonic() < deadline
            time.sleep(0.2)
        assert client.get(f"/api/exports/{job['id']}").json()["case_number"] == "Woo 2026-203"
        held = client.post(
            "/retention/holds",
            data={
                "csrf_token": client.headers["X-CSRF-Token"],
                "q": "wiki",
                "name": "woo-203",
                "reason": "Woo-verzoek",
                "case_number": "Woo 2026-203",
            },
        )
        assert held.status_code == 303
        page = client.get(f"/cases/{opened}").text
    assert f'data-export="{job["id"]}"' in page and "woo-203" in page
    catalogue = site.ws.catalogue()
    queued = catalogue.audit_log(action="export_queued", limit=1)[0]
    assert queued.detail["case_number"] == "Woo 2026-203"
    assert catalogue.audit_log(action="export", limit=1)[0].detail["case_number"] == "Woo 2026-203"
    assert catalogue.audit_log(action="legal_hold", limit=1)[0].detail["case_id"] == opened


def test_a_closed_case_takes_no_new_search(site: UiSite) -> None:
    with site.login("compliance") as client:
        opened = case_id(open_case(client, "Woo 2026-204"))
        token = client.headers["X-CSRF-Token"]
        client.post(f"/cases/{opened}/status", data={"csrf_token": token, "status": "closed"})
        added = client.post(
            "/cases/add", data={"csrf_token": token, "case_id": str(opened), "q": "x"}
        )
    assert added.status_code == 400
    assert "Zaak Woo 2026-204 is gesloten" in added.text


def test_an_archivist_has_no_cases(site: UiSite) -> None:
    with site.login("archivist") as client:
        assert client.get("/cases").status_code == 403
