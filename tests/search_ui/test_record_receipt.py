"""The record page's receipt (issue 29): capture time, digests and the timestamps of the WARC
file the record is in (which authority, when, valid or not), and the "Bewijs" download, a proof
that ``archiveren verify-proof`` accepts in an empty directory without the archive. A WARC file
changed after it was stamped shows its timestamp as invalid; a file not yet stamped says so, and
asking for its proof gets a page that says why (409), never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
import yaml

from demo_sources.tsa import LocalTsa
from evidence.stamping import stamp_archive
from foundation.post import Post
from search_ui.app import create_app
from tests.fixtures.ui import UiSite, build_ui_workspace, serving
from workspace import Workspace

REPO_ROOT = Path(__file__).resolve().parents[2]


@dataclass
class StampedSite:
    site: UiSite
    post: Post
    tsa: LocalTsa


def evidence_workspace(root: Path, tsa: LocalTsa, *, stamp: bool) -> tuple[Workspace, Post]:
    ws, posts = build_ui_workspace(root)
    ws.close()
    config = yaml.safe_load(ws.config_path.read_text("utf-8"))
    config["evidence"] = {"tsa_urls": [tsa.url], "ca_files": [str(tsa.ca_file)]}
    ws.config_path.write_text(yaml.safe_dump(config), encoding="utf-8")
    ws = Workspace(config_path=ws.config_path, data_dir=ws.data_dir)
    if stamp:
        report = stamp_archive(ws.archive_dir, ws.config(check_secrets=False).evidence)
        assert report.stamped and not report.failures, report.failures
    post = next(p for p in posts.values() if p.capture and p.platform == "blog")
    return ws, post


@pytest.fixture
def stamped_site(tmp_path: Path, local_tsa: LocalTsa) -> Iterator[StampedSite]:
    ws, post = evidence_workspace(tmp_path, local_tsa, stamp=True)
    with serving(create_app(ws)) as base_url:
        yield StampedSite(UiSite(ws=ws, base_url=base_url, posts={post.id: post}), post, local_tsa)
    ws.close()


def record_page(site: UiSite, post: Post) -> str:
    with site.login("archivist") as client:
        answer = client.get("/record/" + quote(post.id, safe=":/"))
    assert answer.status_code == 200
    return answer.text


def test_the_record_page_shows_the_warc_timestamp_with_authority_time_and_validity(
    stamped_site: StampedSite,
) -> None:
    page = record_page(stamped_site.site, stamped_site.post)
    assert 'id="receipt"' in page and "Ontvangstbewijs" in page
    assert stamped_site.tsa.url in page
    assert 'class="stamp-valid"' in page and "geldig" in page
    assert 'id="download-proof"' in page


def test_the_proof_download_is_accepted_by_verify_proof_in_an_empty_directory(
    stamped_site: StampedSite, tmp_path: Path
) -> None:
    with stamped_site.site.login("archivist") as client:
        answer = client.get("/proof/" + quote(stamped_site.post.id, safe=":/"))
    assert answer.status_code == 200
    assert answer.headers["content-disposition"].startswith('attachment; filename="bewijs-')
    elders = tmp_path / "elders"
    elders.mkdir()
    (elders / "bewijs.json").write_bytes(answer.content)
    (elders / "ca.pem").write_bytes(stamped_site.tsa.ca_file.read_bytes())
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARCHIVEREN_")}
    done = subprocess.run(
        [sys.executable, "-m", "archiveren", "--config", "geen.yaml", "--data-dir", "geen"]
        + ["verify-proof", "bewijs.json", "--ca", "ca.pem"],
        capture_output=True,
        text=True,
        cwd=elders,
        env={**env, "PYTHONPATH": str(REPO_ROOT)},
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "proof OK" in done.stdout
    rows = stamped_site.site.ws.catalogue().audit_log()
    assert any(row.action == "proof_download" for row in rows)


def test_a_warc_changed_after_stamping_shows_its_timestamp_invalid(
    stamped_site: StampedSite,
) -> None:
    assert stamped_site.post.capture is not None
    warc = stamped_site.site.ws.archive_dir / stamped_site.post.capture.warc_file
    data = bytearray(warc.read_bytes())
    data[-10] ^= 0x01
    warc.write_bytes(bytes(data))
    page = record_page(stamped_site.site, stamped_site.post)
    assert 'class="stamp-invalid"' in page and "ONGELDIG" in page
    assert 'class="stamp-valid"' not in page


def test_an_unstamped_warc_says_so_and_its_proof_is_refused_with_a_reason(
    tmp_path: Path, local_tsa: LocalTsa
) -> None:
    ws, post = evidence_workspace(tmp_path, local_tsa, stamp=False)
    with serving(create_app(ws)) as base_url:
        site = UiSite(ws=ws, base_url=base_url, posts={post.id: post})
        page = record_page(site, post)
        assert 'id="no-timestamp"' in page and 'id="download-proof"' not in page
        with site.login("archivist") as client:
            answer = client.get("/proof/" + quote(post.id, safe=":/"))
    ws.close()
    assert answer.status_code == 409
    assert "has no timestamp token yet" in answer.text and "Traceback" not in answer.text
