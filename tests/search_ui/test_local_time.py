"""Times as people read them: the pages show Europe/Amsterdam time with its label while the
index keeps UTC, so a Ning comment reads as the source printed it; a period reads the same in
the UI and the CLI ("tot en met" includes the day) and one that ends before it starts is told
so in the page's language."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from foundation.pointer import RecordPointer
from foundation.post import Post
from indexer.extractors.base import Capture
from indexer.extractors.network import extract_posts
from search_ui.app import create_app
from search_ui.rendering import urlpath
from tests.fixtures.command_line import run_archiveren
from tests.fixtures.ui import UiSite, build_ui_workspace, serving

NING_URL = "http://ambtenaar20.ning.com/profiles/blogs/open-data-bij-de-gemeente"
NING_PAGE = (
    Path(__file__).resolve().parents[1] / "collectors/network/pages/ning_blog_plain_byline_nl.html"
)


def ning_posts() -> list[Post]:
    """The Posts the ning profile reads from a Dutch Ning blog page with comments."""
    capture = Capture(
        pointer=RecordPointer(
            warc_file="t.warc.gz", offset=0, length=1, record_id="<urn:uuid:1>", target_uri=NING_URL
        ),
        url=NING_URL,
        captured_at=datetime(2022, 1, 15, 12, 0, tzinfo=UTC),
        content_type="text/html; charset=utf-8",
        http_status=200,
        http_headers=[],
        body=NING_PAGE.read_bytes(),
        metadata={
            "source": "ambtenaar20-netwerk",
            "platform": "network",
            "collector": "network",
            "capture_kind": "page",
            "extra": {"profile": "ning"},
        },
        organisation="Ambtenaar 2.0",
    )
    return list(extract_posts(capture))


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[UiSite]:
    ws, posts = build_ui_workspace(tmp_path_factory.mktemp("local-time"))
    backend = ws.backend()
    backend.index_posts(ning_posts())
    backend.close()
    with serving(create_app(ws)) as base_url:
        yield UiSite(ws=ws, base_url=base_url, posts=posts)
    ws.close()


def test_a_ning_comment_reads_as_the_source_printed_it(site: UiSite) -> None:
    """The page said "Reactie van Kees Bakker op 20 Februari 2014 op 16.02" (Dutch winter
    time); the index holds 15:02 UTC; the record page says 16:02 CET again."""
    [comment] = [post for post in ning_posts() if post.author == "Kees Bakker"]
    assert comment.published_at is not None and comment.published_at.hour == 15
    with site.login("archivist") as client:
        page = client.get(f"/record/{urlpath(comment.id)}").text
        english = client.get(f"/record/{urlpath(comment.id)}?lang=en").text
    assert "20 feb 2014 16:02 CET" in page
    assert "20 Feb 2014 16:02 CET" in english
    assert f'datetime="{comment.published_at.isoformat()}"' in page  # machines still read UTC


def test_summer_time_is_labelled_cest(site: UiSite) -> None:
    with site.login("archivist") as client:
        page = client.get("/collections").text
    assert " UTC" not in page
    assert "CEST" in page or "CET" in page


def test_a_period_that_ends_before_it_starts_is_told_in_dutch(site: UiSite) -> None:
    with site.login("archivist") as client:
        answer = client.get("/search?q=wiki&from=2014-03-01&to=2014-02-01")
    assert answer.status_code == 400
    assert "De periode eindigt (2014-02-01) vóór ze begint (2014-03-01)" in answer.text


def test_the_last_day_is_included_in_the_ui_the_api_and_the_cli(site: UiSite) -> None:
    """Every Post published on one day: the UI's 'tot en met', the API's ``to`` and the CLI's
    ``--to`` give the same count, and the day after adds none of them."""
    [post] = [p for p in site.posts.values() if p.id == "blog:1"]
    day = post.published_at.date().isoformat()
    with site.login("archivist") as client:
        api = client.get(f"/api/search?from={day}&to={day}").json()["total"]
        page = client.get(f"/search?from={day}&to={day}").text
    assert api >= 1 and f'id="result-count" aria-live="polite">{api} ' in page
    cli = run_archiveren(
        site.ws.config_path,
        site.ws.data_dir,
        "search",
        "--from",
        day,
        "--to",
        day,
        "--json",
    )
    assert cli.returncode == 0, cli.stderr
    assert json.loads(cli.stdout)["total"] == api
    reversed_period = run_archiveren(
        site.ws.config_path,
        site.ws.data_dir,
        "search",
        "--from",
        "2014-03-01",
        "--to",
        "2014-02-01",
    )
    assert reversed_period.returncode == 1
    assert "ends on 2014-02-01 before it starts on 2014-03-01" in reversed_period.stderr
    assert "Traceback" not in reversed_period.stderr


def test_the_collections_page_names_run_counts_in_dutch(site: UiSite) -> None:
    with site.login("archivist") as client:
        page = client.get("/collections").text
    assert '<span data-count="posts" title="posts">berichten 7</span>' in page
    assert '<span data-count="captured" title="captured">vastgelegd 3</span>' in page


def test_the_record_page_names_the_kind_of_capture_in_dutch(site: UiSite) -> None:
    with site.login("archivist") as client:
        page = client.get("/record/blog:1").text
    assert '<span title="entry_page">berichtpagina</span>' in page
