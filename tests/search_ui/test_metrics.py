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


def test_posts_are_counted_per_source_from_the_index(ui_site: UiSite) -> None:
    with ui_site.login("admin") as client:
        body = client.get("/metrics").text
    per_source = {
        line.split('"')[1]: int(line.rsplit(" ", 1)[1])
        for line in body.splitlines()
        if line.startswith("archiveren_source_posts{")
    }
    by_source: dict[str, int] = {}
    for post in ui_site.posts.values():
        by_source[post.source] = by_source.get(post.source, 0) + 1
    assert per_source and all(per_source.get(name) == n for name, n in by_source.items()), (
        per_source,
        by_source,
    )
    assert sum(per_source.values()) == ui_site.ws.backend().count()
    assert 'count="posts"' not in body, "runs do not count Posts; the index does"


def test_archivists_and_anonymous_scrapers_are_refused(ui_site: UiSite) -> None:
    with ui_site.login("archivist") as client:
        assert client.get("/metrics").status_code == 403
    anonymous = httpx.get(
        ui_site.base_url + "/metrics",
        headers={"Authorization": "Bearer raden"},
        follow_redirects=False,
    )
    assert anonymous.status_code in (302, 303, 401)
