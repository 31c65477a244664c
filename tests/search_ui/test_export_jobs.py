"""Exports as jobs, over real HTTP to the app on loopback with a real catalogue: POST
/api/exports queues one (202), the server's worker builds it while GET /api/exports/{id} shows
its progress, the package downloads for compliance and admin only (each download audited),
exports of ticked hits and of legal holds take exactly those Posts, an admin deletes a package
(file and row, audited), and a job a stopped server left running is built by the next one."""

from __future__ import annotations

import csv
import hashlib
import io
import subprocess
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from catalogue.export_jobs import export_job, queue_export
from catalogue.schema import ExportJobRow
from catalogue.store import this_holder
from search_ui.app import create_app
from tests.fixtures.command_line import run_archiveren
from tests.fixtures.ui import UiSite, build_ui_workspace, serving
from workspace.holds import place_hold

WIKI_BAG = {"query": "wiki", "fmt": "bag", "reason": "Woo-verzoek 2026-114"}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[UiSite]:
    """An app of its own: these tests make and delete exports."""
    ws, posts = build_ui_workspace(tmp_path_factory.mktemp("export-jobs"))
    ws.backend().close()
    with serving(create_app(ws)) as base_url:
        yield UiSite(ws=ws, base_url=base_url, posts=posts)
    ws.close()


def finished(client: httpx.Client, job_id: int, timeout: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state: dict[str, Any] = client.get(f"/api/exports/{job_id}").json()
        if state["status"] in ("done", "failed"):
            return state
        time.sleep(0.2)
    raise AssertionError(f"export {job_id} did not end within {timeout} s: {state}")


def listing_ids(client: httpx.Client, state: dict[str, Any]) -> list[str]:
    body = client.get(state["download_url"]).text
    return sorted(row["id"] for row in csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))


def test_an_export_is_queued_built_and_downloaded_with_its_digest(site: UiSite) -> None:
    with site.login("compliance") as client:
        answer = client.post("/api/exports", json=WIKI_BAG)
        assert answer.status_code == 202, answer.text
        queued = answer.json()
        assert set(queued) == {"id", "status", "download_url"} and queued["status"] == "queued"
        state = finished(client, queued["id"])
        assert state["status"] == "done", state["error"]
        assert state["total"] == state["posts_done"] == 5
        assert state["created_by"] == "carla" and state["reason"] == "Woo-verzoek 2026-114"
        assert any(job["id"] == queued["id"] for job in client.get("/api/exports").json())
        download = client.get(queued["download_url"])
    assert download.status_code == 200
    assert hashlib.sha256(download.content).hexdigest() == state["sha256"]
    assert len(download.content) == state["size"]
    names = zipfile.ZipFile(io.BytesIO(download.content)).namelist()
    top = names[0].split("/")[0]
    assert f"{top}/bagit.txt" in names and f"{top}/data/archiveren-export.wacz" in names
    downloads = site.ws.catalogue().audit_log(action="export_download", limit=5)
    assert downloads[0].username == "carla" and downloads[0].detail["export_job"] == queued["id"]


def test_an_archivist_may_not_download_or_list_exports(site: UiSite) -> None:
    with site.login("compliance") as client:
        job_id = client.post("/api/exports", json={**WIKI_BAG, "fmt": "csv"}).json()["id"]
        finished(client, job_id)
    with site.login("archivist") as client:
        assert client.get(f"/exports/{job_id}/download").status_code == 403
        assert client.get("/exports").status_code == 403
        assert client.get(f"/api/exports/{job_id}").status_code == 403


def test_only_the_ticked_hits_are_exported(site: UiSite) -> None:
    with site.login("compliance") as client:
        form = client.get("/export", params=[("q", "wiki"), ("id", "network:11"), ("id", "blog:2")])
        assert "2 aangevinkte records" in form.text
        job_id = client.post(
            "/api/exports",
            json={"ids": ["network:11", "blog:2"], "fmt": "csv", "reason": "selectie"},
        ).json()["id"]
        assert listing_ids(client, finished(client, job_id)) == ["blog:2", "network:11"]


def test_an_export_of_a_legal_hold_takes_the_posts_it_holds(site: UiSite) -> None:
    place_hold(
        site.ws,
        name="export-hold",
        query="",
        filters={"platform": ["mastodon"]},
        reason="test",
        user="carla",
    )
    with site.login("compliance") as client:
        job_id = client.post(
            "/api/exports", json={"query": "hold:export-hold", "fmt": "csv", "reason": "hold"}
        ).json()["id"]
        state = finished(client, job_id)
        assert state["status"] == "done", state["error"]
        assert listing_ids(client, state) == ["mastodon:200", "mastodon:201"]


def test_a_form_without_a_reason_says_so_in_dutch(site: UiSite) -> None:
    with site.login("compliance") as client:
        token = client.headers["X-CSRF-Token"]
        answer = client.post("/export", data={"q": "wiki", "fmt": "csv", "csrf_token": token})
        assert answer.status_code == 400
        assert "Geef een reden op" in answer.text
        assert "‘abc’ is geen zaak" in client.get("/export?q=wiki&case=abc").text
        missing = client.get("/exports/999999")
        assert missing.status_code == 404 and "Export 999999 bestaat niet" in missing.text


def test_an_admin_deletes_an_export_and_the_log_says_so(site: UiSite) -> None:
    with site.login("compliance") as client:
        job_id = client.post("/api/exports", json={**WIKI_BAG, "fmt": "jsonl"}).json()["id"]
        finished(client, job_id)
        path = Path(str(site.ws.catalogue() and export_job(site.ws.catalogue(), job_id).path))  # type: ignore[union-attr]
        assert path.is_file()
        token = client.headers["X-CSRF-Token"]
        refused = client.post(f"/exports/{job_id}/delete", data={"csrf_token": token})
        assert refused.status_code == 403
    with site.login("admin") as client:
        token = client.headers["X-CSRF-Token"]
        deleted = client.post(f"/exports/{job_id}/delete", data={"csrf_token": token})
        assert deleted.status_code == 303
        assert client.get(f"/api/exports/{job_id}").status_code == 404
    assert not path.exists()
    logged = site.ws.catalogue().audit_log(action="export_deleted", limit=1)[0]
    assert logged.username == "ad" and logged.detail["export_job"] == job_id


def test_a_job_a_stopped_server_left_running_is_built_by_the_next(
    tmp_path: Path,
) -> None:
    ws, posts = build_ui_workspace(tmp_path)
    ws.backend().close()
    gone = subprocess.Popen(["true"])
    gone.wait()
    host = this_holder().rpartition(":")[0]
    job = queue_export(
        ws.catalogue(), user="carla", fmt="csv", reason="herstart", query="wiki", filters={}
    )
    with ws.catalogue().session() as session:
        row = session.get(ExportJobRow, job.id)
        assert row is not None
        row.status, row.holder, row.attempts = "running", f"{host}:{gone.pid}", 1
    with serving(create_app(ws)) as base_url:
        site = UiSite(ws=ws, base_url=base_url, posts=posts)
        with site.login("compliance") as client:
            state = finished(client, job.id)
    ws.close()
    assert state["status"] == "done" and state["posts_done"] == 5
    assert "stopped while it ran" in (state["error"] or "") or state["error"] is None


def test_an_excel_csv_has_its_bom_and_a_manifest_that_verifies_it(
    site: UiSite, tmp_path: Path
) -> None:
    with site.login("compliance") as client:
        order = {"query": "wiki", "fmt": "csv", "reason": "Woo-verzoek 2026-114", "excel": True}
        refused = client.post("/api/exports", json={**order, "fmt": "jsonl"})
        queued = client.post("/api/exports", json=order).json()
        state = finished(client, queued["id"])
        listing = client.get(state["download_url"])
        manifest = client.get(f"/exports/{queued['id']}/manifest")
        form = {"q": "wiki", "fmt": "csv", "reason": "Woo-verzoek 2026-115", "excel": "on"}
        page = client.post("/export", data={**form, "csrf_token": client.headers["X-CSRF-Token"]})
        from_form = finished(client, int(page.headers["location"].rsplit("/", 1)[1]))
        form_listing = client.get(from_form["download_url"]).content
    assert refused.status_code == 400 and "excel is for a csv export" in refused.json()["detail"]
    assert listing.content.startswith(b"\xef\xbb\xbfid,platform,")
    assert form_listing.startswith(b"\xef\xbb\xbf"), "the form's 'Voor Excel' too"
    assert manifest.status_code == 200 and manifest.json()["options"] == {"excel": True}
    name = manifest.json()["files"][0]["name"]
    (tmp_path / name).write_bytes(listing.content)
    (tmp_path / f"{name}.manifest.json").write_bytes(manifest.content)
    verified = run_archiveren(
        site.ws.config_path, site.ws.data_dir, "verify-export", str(tmp_path / name)
    )
    assert verified.returncode == 0, verified.stdout + verified.stderr
