"""The compliance pages over real HTTP, on an app of their own (they change users, holds and the
index): the admin disables, re-enables, changes and deletes accounts; legal holds are placed from
a search, filter and facet the search, show on the record page and are released with a reason;
a destruction list is approved only by a second person, after which the record answers 410 and
the certificate can be downloaded; the audit log is filtered, paged and exported as CSV; every
change needs the form's CSRF token and is audited."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest

from foundation.errors import QueryError
from search_ui.app import create_app
from tests.fixtures.ui import ACCOUNTS, UiSite, build_ui_workspace, serving
from workspace.hold_query import split_hold_terms


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[UiSite]:
    ws, posts = build_ui_workspace(tmp_path_factory.mktemp("compliance"))
    ws.backend().close()  # building wrote the index; the app only reads through this backend
    with serving(create_app(ws)) as base_url:
        yield UiSite(ws=ws, base_url=base_url, posts=posts)
    ws.close()


def form(client: httpx.Client, path: str, follow: bool = False, **data: str) -> httpx.Response:
    return client.post(
        path,
        data={"csrf_token": client.headers["X-CSRF-Token"], **data},
        follow_redirects=follow,
    )


def log_in_as(site: UiSite, username: str, password: str) -> httpx.Client:
    client = httpx.Client(base_url=site.base_url, timeout=20)
    answer = client.post("/login", json={"username": username, "password": password})
    answer.raise_for_status()
    client.headers["X-CSRF-Token"] = answer.json()["csrf_token"]
    return client


def test_admin_disables_enables_changes_the_role_of_and_deletes_a_user(site: UiSite) -> None:
    with site.login("admin") as admin:
        assert (
            form(
                admin, "/admin/users", username="dirk", password="dirk-wachtwoord", role="archivist"
            ).status_code
            == 200
        )
        dirk = log_in_as(site, "dirk", "dirk-wachtwoord")
        assert dirk.get("/api/me").status_code == 200
        assert "geblokkeerd" in form(admin, "/admin/users/dirk/change", action="disable").text
        assert dirk.get("/api/me").status_code == 401, "disabling ends the sessions"
        form(admin, "/admin/users/dirk/change", action="enable")
        dirk = log_in_as(site, "dirk", "dirk-wachtwoord")
        assert (
            "nieuwe rol"
            in form(admin, "/admin/users/dirk/change", action="role", role="compliance").text
        )
        assert site.ws.catalogue().user("dirk").role == "compliance"
        assert dirk.get("/api/me").status_code == 401, "a role change ends the sessions"
        myself = form(admin, f"/admin/users/{ACCOUNTS['admin'][0]}/change", action="disable")
        assert myself.status_code == 400 and "eigen account" in myself.text
        deleted = form(admin, "/admin/users/dirk/change", action="delete")
        assert deleted.status_code == 200 and "verwijderd" in deleted.text
        assert (
            httpx.post(
                site.base_url + "/login", json={"username": "dirk", "password": "dirk-wachtwoord"}
            ).status_code
            == 401
        )
        again = form(
            admin, "/admin/users", username="dirk", password="dirk-wachtwoord", role="archivist"
        )
        assert again.status_code == 400
        no_token = admin.post("/admin/users/anna/change", data={"action": "disable"})
        assert no_token.status_code == 403
    actions = [row.action for row in site.ws.catalogue().audit_log(limit=50)]
    assert {"user_disabled", "user_enabled", "user_role", "user_deleted"} <= set(actions)
    assert [row.detail["user"] for row in site.ws.catalogue().audit_log("user_deleted")] == ["dirk"]


def test_a_hold_from_a_search_filters_facets_shows_on_the_record_and_is_released(
    site: UiSite,
) -> None:
    with site.login("compliance") as carla:
        new = carla.get("/retention/holds/new", params={"q": "wiki", "kind": "comment"})
        assert new.status_code == 200 and "3 records" in new.text
        token = re.search(r'name="token" value="([^"]+)"', new.text).group(1)
        fields = {
            "q": "wiki",
            "kind": "comment",
            "name": "wiki-zaak",
            "reason": "rechtszaak 2026/031",
            "case_number": "ZAAK-7",
            "token": token,
        }
        placed = form(carla, "/retention/holds", **fields)
        assert placed.status_code == 303
        assert (
            form(carla, "/retention/holds", **fields).headers["location"]
            == placed.headers["location"]
        ), "a resubmitted form adds no second hold"
        hold_page = carla.get(placed.headers["location"])
        assert "wiki-zaak" in hold_page.text and "network:12" in hold_page.text
        assert (
            carla.get("/search", params={"q": "legal_hold:true"}).text.count('class="result') >= 1
        )
        api = carla.get("/api/search", params={"q": "legal_hold:true"}).json()
        assert api["total"] == 3
        assert (
            carla.get("/api/search", params={"q": "hold:wiki-zaak AND bijlage"}).json()["total"]
            == 1
        )
        page = carla.get("/search", params={"q": "wiki"})
        assert 'data-facet="legal_hold"' in page.text and 'data-facet="hold"' in page.text
        assert 'data-value="wiki-zaak"' in page.text
        assert 'id="legal-hold"' in carla.get("/record/network:12").text
        narrowed = carla.get("/retention/holds/new", params={"legal_hold": "true"})
        assert narrowed.status_code == 200 and "3 records" in narrowed.text
        listing = carla.get("/retention").text
        assert "wiki-zaak" in listing and "ZAAK-7" in listing
        hold_id = placed.headers["location"].rsplit("/", 1)[1]
        assert form(carla, f"/retention/holds/{hold_id}/release", reason="").status_code == 400
        released = form(carla, f"/retention/holds/{hold_id}/release", reason="zaak gesloten")
        assert released.status_code == 303
        assert carla.get("/api/search", params={"q": "legal_hold:true"}).json()["total"] == 0
        assert 'id="legal-hold"' not in carla.get("/record/network:12").text
        audit = carla.get("/audit", params={"case": "ZAAK-7"}).text
        assert "legal_hold_released" in audit and "legal_hold" in audit
    with site.login("archivist") as anna:
        assert anna.get("/retention").status_code == 403
        assert anna.get("/audit").status_code == 403


def test_destruction_needs_a_second_person_and_leaves_a_certificate_and_410(site: UiSite) -> None:
    backend = site.ws.backend()
    expired = backend.get("blog:5")
    expired.retention = expired.retention.model_copy(
        update={"keep_until": date.today() - timedelta(days=1), "category": "1.1"}
    )
    backend.index_posts([expired])
    backend.close()
    with site.login("compliance") as carla:
        proposed = form(
            carla,
            "/retention/destruction",
            follow=True,
            basis="Selectielijst gemeenten 2020, categorie 1.1",
            reason="termijn verstreken",
            category="1.1",
        )
        assert proposed.status_code == 200 and "nog niets vernietigd" in proposed.text
        plan_id = re.search(r'data-plan="(\d+)"', proposed.text).group(1)
        refused = form(carla, f"/retention/destruction/{plan_id}/approve")
        assert refused.status_code == 403 and "someone else" in refused.text
        assert carla.get("/record/blog:5").status_code == 200
    with site.login("admin") as ad:
        done = form(ad, f"/retention/destruction/{plan_id}/approve", follow=True)
        assert done.status_code == 200 and "is uitgevoerd" in done.text
        gone = ad.get("/record/blog:5")
        assert gone.status_code == 410
        assert re.search(
            r"Vernietigd op \d{4}-\d\d-\d\d volgens Selectielijst gemeenten 2020, categorie 1.1",
            gone.text,
        )
        certificate = ad.get(f"/retention/destruction/{plan_id}/verklaring")
        assert (
            certificate.status_code == 200
            and "attachment" in certificate.headers["content-disposition"]
        )
        assert (
            "Voorgesteld door:   carla" in certificate.text
            and "Goedgekeurd door:   ad" in certificate.text
        )
        assert "blog:5" in certificate.text
    actions = [row.action for row in site.ws.catalogue().audit_log(limit=100)]
    assert {
        "destruction_planned",
        "destruction_refused",
        "destruction_confirmed",
        "destruction_certificate",
    } <= set(actions)


def test_the_audit_log_is_filtered_paged_and_exported_as_csv(site: UiSite, tmp_path: Path) -> None:
    with site.login("admin") as ad:
        for _ in range(3):
            ad.get("/search", params={"q": "audit-paging"})
        page = ad.get("/audit", params={"user": "ad", "action": "search"})
        assert page.status_code == 200 and "Auditlog" in page.text
        searches_by_ad = [
            row
            for row in site.ws.catalogue().audit_log("search", limit=10_000)
            if row.username == "ad"
        ]
        assert re.search(r"(\d+) regels", page.text).group(1) == str(len(searches_by_ad)) != "0"
        assert ad.get("/audit", params={"page": "2"}).status_code == 200
        assert ad.get("/audit", params={"from": "gisteren"}).status_code == 400
        exported = ad.get("/audit.csv", params={"action": "search"})
        assert exported.headers["content-type"].startswith("text/csv")
        lines = exported.text.splitlines()
        assert lines[0] == "id,at_utc,username,action,detail,prev_sha256,sha256"
        assert all(",search," in line for line in lines[1:]) and len(lines) > 3
        assert "Retention and destruction" in ad.get("/retention", params={"lang": "en"}).text
        assert "Audit log" in ad.get("/audit", params={"lang": "en"}).text


@pytest.mark.parametrize(
    ("query", "rest", "wanted"),
    [
        ("wiki legal_hold:true", "wiki", {"legal_hold": ["true"]}),
        ('hold:"zaak 7" AND wiki', "wiki", {"hold": ["zaak 7"]}),
        ("legal_hold:true", "", {"legal_hold": ["true"]}),
        ("author:threshold:x wiki", "author:threshold:x wiki", {}),
    ],
)
def test_hold_terms_are_read_out_of_the_query(
    query: str, rest: str, wanted: dict[str, list[str]]
) -> None:
    assert split_hold_terms(query) == (rest, wanted)


@pytest.mark.parametrize("query", ["wiki OR legal_hold:true", "NOT hold:zaak", "(hold:zaak)"])
def test_hold_terms_inside_or_not_or_groups_are_refused(query: str) -> None:
    with pytest.raises(QueryError, match="narrow the whole query"):
        split_hold_terms(query)
