"""A source's record of a page outside its own site is labelled as such, Dutch first, on its
record page and in search results; a Post captured by two sources names the source of each
capture; feed text stored unescaped is escaped once by the pages."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from archive.writer import WarcWriter
from foundation.post import Post
from indexer.merge import merge_capture_history
from platforms.ownership import foreign_record_id
from search_ui.app import create_app
from search_ui.rendering import urlpath
from tests.fixtures.ui import UiSite, _capture, _page, build_ui_workspace, serving

FOREIGN_ID = foreign_record_id("blog", "ambtenaar20-blog", "http://elders.example/?p=124")
SHARED_ID = "blog:http://blog.example/gedeeld"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[UiSite]:
    ws, posts = build_ui_workspace(tmp_path_factory.mktemp("foreign"))
    captured = posts["blog:1"].capture
    extra = [
        Post(
            id=FOREIGN_ID,
            platform="blog",
            source="ambtenaar20-blog",
            organisation="Ambtenaar 2.0",
            url="http://elders.example/?p=124",
            title="Overgenomen stuk",
            text="Tekst van een andere organisatie.",
            author="Kaper <script> &A1",
            published_at=datetime(2024, 1, 5, tzinfo=UTC),
            capture=captured,
        ),
    ]
    run = ws.catalogue().start_run("ambtenaar20-blog", "feed")
    with WarcWriter(ws.archive_dir, prefix="gedeeld") as writer:
        own, mirrored = (
            _capture(
                writer,
                "http://blog.example/gedeeld",
                _page("Gedeeld", f"<p>{text}</p>"),
                source,
                "blog",
                run,
            )
            for source, text in (("ambtenaar20-blog", "Eigen."), ("regionaal-archief", "Kopie."))
        )
    shared = Post(
        id=SHARED_ID,
        platform="blog",
        source="ambtenaar20-blog",
        title="Gedeeld stuk",
        collected_at=datetime(2024, 5, 1, tzinfo=UTC),
        capture=own,
    )
    mirror = shared.model_copy(
        update={
            "source": "regionaal-archief",
            "title": "Kopie",
            "capture": mirrored,
            "collected_at": datetime(2024, 6, 1, tzinfo=UTC),
        }
    )
    extra.append(merge_capture_history(shared, mirror))
    ws.backend().index_posts(extra)
    with serving(create_app(ws)) as base_url:
        yield UiSite(ws=ws, base_url=base_url, posts={**posts, **{p.id: p for p in extra}})
    ws.close()


def test_a_record_of_a_foreign_url_says_so_in_dutch(site: UiSite) -> None:
    with site.login("archivist") as client:
        page = client.get(f"/record/{urlpath(FOREIGN_ID)}").text
        english = client.get(
            f"/record/{urlpath(FOREIGN_ID)}", headers={"Accept-Language": "en"}
        ).text
    assert 'id="foreign-record"' in page and "Pagina buiten de eigen site" in page
    assert "Bron ambtenaar20-blog legde deze pagina vast" in page
    assert "Page outside its own site" in english


def test_an_own_record_carries_no_such_label(site: UiSite) -> None:
    with site.login("archivist") as client:
        page = client.get("/record/blog:1").text
    assert 'id="foreign-record"' not in page and "buiten de eigen site" not in page


def test_search_results_label_the_record_of_a_foreign_url(site: UiSite) -> None:
    with site.login("archivist") as client:
        page = client.get("/search", params={"q": "overgenomen"}).text
    assert 'class="badge foreign"' in page and "Pagina buiten de eigen site" in page


def test_text_stored_unescaped_is_escaped_once_on_the_page(site: UiSite) -> None:
    with site.login("archivist") as client:
        page = client.get(f"/record/{urlpath(FOREIGN_ID)}").text
    assert "Kaper &lt;script&gt; &amp;A1" in page
    assert "<script> &A1" not in page and "&amp;lt;script" not in page


def test_each_capture_of_a_post_names_its_own_source(site: UiSite) -> None:
    with site.login("archivist") as client:
        page = client.get(f"/record/{urlpath(SHARED_ID)}").text
    assert "Gedeeld stuk" in page and "Kopie" not in page.split("<h1", 1)[1].split("</h1>")[0]
    assert "<dd>ambtenaar20-blog</dd>" in page, "the newest own capture's source"
    assert '<td class="capture-source">regionaal-archief</td>' in page
