"""/metrics speaks the Prometheus text format, to admins and to a scraper with the token only."""

from __future__ import annotations

import httpx

from tests.fixtures.ui import UiSite


def test_admin_reads_prometheus_metrics(ui_site: UiSite) -> None:
    with ui_site.login("admin") as client:
        answer = client.get("/metrics")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain; version=0.0.4")
    body = answer.text
    assert "# TYPE archiveren_warc_files gauge" in body
    assert 'archiveren_source_consecutive_failures{source="ambtenaar20-blog"}' in body
    assert f"archiveren_index_posts {ui_site.ws.backend().count()}" in body


def test_archivists_and_anonymous_scrapers_are_refused(ui_site: UiSite) -> None:
    with ui_site.login("archivist") as client:
        assert client.get("/metrics").status_code == 403
    anonymous = httpx.get(
        ui_site.base_url + "/metrics",
        headers={"Authorization": "Bearer raden"},
        follow_redirects=False,
    )
    assert anonymous.status_code in (302, 303, 401)
