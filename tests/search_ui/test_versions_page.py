"""The record page of an edited Post lists its versions, newest first, with the date each was
first captured and a link to that capture, and shows a word-level diff between any two, in
Dutch; a version number that does not exist is said, not a traceback. Search finds the Post by
a word of its earlier wording. In headless Chromium the reader picks two versions and sees what
was removed and added, on a page that meets WCAG 2.1 AA (axe-core). Screenshots go to
test-artifacts/."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from archive import CaptureMetadata, HttpExchange
from archive.writer import WarcWriter
from foundation.post import Post
from foundation.tombstone import Tombstone
from indexer.merge import merge_capture_history
from search_ui.app import create_app
from search_ui.rendering import urlpath
from tests.fixtures.axe import wcag_violations
from tests.fixtures.ui import ARTIFACTS, UiSite, _capture, _page, build_ui_workspace, serving
from tests.search_ui.test_browser import log_in

EDITED_ID = "blog:http://blog.example/brug"
GONE_ID = "blog:http://blog.example/weg"
WORDINGS = (
    "De gemeente opent op 3 mei de fietsbrug over het kanaal.",
    "De gemeente opent op 10 mei de fietsbrug over het kanaal.",
    "De gemeente opent op 10 mei de voetgangersbrug over het kanaal.",
)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[UiSite]:
    """The UI archive plus one blog post captured three times, each time worded differently."""
    ws, posts = build_ui_workspace(tmp_path_factory.mktemp("versions"))
    run = ws.catalogue().start_run("ambtenaar20-blog", "feed")
    edited: Post | None = None
    with WarcWriter(ws.archive_dir, prefix="versies") as writer:
        for day, text in zip((1, 8, 15), WORDINGS, strict=True):
            pointer = _capture(
                writer,
                "http://blog.example/brug",
                _page("Nieuwe brug", f"<p>{text}</p>"),
                "ambtenaar20-blog",
                "blog",
                run,
            )
            capture = Post(
                id=EDITED_ID,
                platform="blog",
                source="ambtenaar20-blog",
                organisation="Ambtenaar 2.0",
                url="http://blog.example/brug",
                title="Nieuwe brug",
                text=text,
                published_at=datetime(2026, 4, 1, tzinfo=UTC),
                collected_at=datetime(2026, 4, day, 12, tzinfo=UTC),
                capture=pointer,
            )
            edited = capture if edited is None else merge_capture_history(edited, capture)
        gone_answer = writer.write_exchange(
            HttpExchange(
                url="http://blog.example/weg",
                status=404,
                reason="Not Found",
                response_headers=[("Content-Type", "text/html")],
                body=b"<p>Niet gevonden</p>",
            ),
            CaptureMetadata(
                source="ambtenaar20-blog",
                platform="blog",
                collector="test-collector",
                collector_version="1.0",
                capture_kind="entry_page",
                run_id=run,
            ),
        ).pointer
    assert edited is not None
    gone = Post(
        id=GONE_ID,
        platform="blog",
        source="ambtenaar20-blog",
        url="http://blog.example/weg",
        title="Ingetrokken bericht",
        text="Dit bericht over de brug is bij de bron verwijderd.",
        published_at=datetime(2026, 3, 1, tzinfo=UTC),
        collected_at=datetime(2026, 3, 2, tzinfo=UTC),
        tombstone=Tombstone(
            last_seen=datetime(2026, 3, 2, tzinfo=UTC),
            missing_since=datetime(2026, 4, 20, 9, tzinfo=UTC),
            status=404,
            evidence=gone_answer,
        ),
    )
    ws.backend().index_posts([edited, gone])
    with serving(create_app(ws)) as base_url:
        yield UiSite(ws=ws, base_url=base_url, posts={**posts, EDITED_ID: edited})
    ws.close()


def test_the_record_page_lists_every_version_newest_first_with_its_date(site: UiSite) -> None:
    with site.login("archivist") as client:
        page = client.get(f"/record/{EDITED_ID}").text
    assert "Versies (3)" in page
    rows = re.findall(r'<tr class="version"><td>(\d)[^<]*</td><td><time datetime="([^"]+)"', page)
    assert [(number, moment[:10]) for number, moment in rows] == [
        ("3", "2026-04-15"),
        ("2", "2026-04-08"),
        ("1", "2026-04-01"),
    ]
    assert "3 (huidige)" in page


def test_the_diff_shows_the_last_change_word_by_word(site: UiSite) -> None:
    with site.login("archivist") as client:
        page = client.get(f"/record/{EDITED_ID}").text
    diff = page.split('id="version-diff"', 1)[1].split("</div>", 1)[0]
    assert "<del>fietsbrug</del><ins>voetgangersbrug</ins>" in diff
    assert "<del>" not in diff.replace("<del>fietsbrug</del>", "")
    assert "Verschil tussen versie 2 en versie 3" in diff


def test_any_two_versions_can_be_compared(site: UiSite) -> None:
    with site.login("archivist") as client:
        page = client.get(f"/record/{EDITED_ID}", params={"van": "1", "naar": "3"}).text
    diff = page.split('id="version-diff"', 1)[1].split("</div>", 1)[0]
    assert "<del>3</del><ins>10</ins>" in diff
    assert "<del>fietsbrug</del><ins>voetgangersbrug</ins>" in diff


def test_a_version_that_does_not_exist_is_said_in_dutch(site: UiSite) -> None:
    with site.login("archivist") as client:
        answer = client.get(f"/record/{EDITED_ID}", params={"van": "0", "naar": "zeven"})
    assert answer.status_code == 200
    assert 'id="version-refused"' in answer.text
    assert "dat zijn geen versies van dit stuk (het heeft versie 1 tot en met 3)" in answer.text


def test_an_unedited_record_shows_no_versions(site: UiSite) -> None:
    with site.login("archivist") as client:
        page = client.get("/record/blog:1").text
    assert 'id="versions"' not in page


def test_search_finds_the_post_by_a_word_of_an_earlier_version_and_by_changed(
    site: UiSite,
) -> None:
    with site.login("archivist") as client:
        by_old_word = client.get("/api/search", params={"q": "fietsbrug"}).json()
        changed = client.get("/api/search", params={"q": "changed:true"}).json()
    assert [hit["post"]["id"] for hit in by_old_word["hits"]] == [EDITED_ID]
    assert by_old_word["hits"][0]["post"]["text"] == WORDINGS[-1], "the current wording shown"
    assert [hit["post"]["id"] for hit in changed["hits"]] == [EDITED_ID]


@pytest.mark.browser
def test_a_reader_compares_two_versions_in_the_browser(chromium: Any, site: UiSite) -> None:
    # bypass_csp lets the test inject axe-core; the app's own policy is unchanged
    context = chromium.new_context(
        base_url=site.base_url,
        locale="nl-NL",
        bypass_csp=True,
        viewport={"width": 1280, "height": 900},
    )
    page = context.new_page()
    try:
        log_in(page, "archivist")
        page.goto(f"/record/{EDITED_ID}")
        diff = page.locator("#version-diff")
        assert diff.locator("del").all_inner_texts() == ["fietsbrug"]
        assert diff.locator("ins").all_inner_texts() == ["voetgangersbrug"]
        page.get_by_label("Vergelijk versie").select_option("1")
        page.get_by_label("met versie").select_option("2")
        page.get_by_role("button", name="Vergelijk", exact=True).click()
        page.wait_for_url(re.compile(r"van=1&naar=2"))
        assert diff.locator("del").all_inner_texts() == ["3"]
        assert diff.locator("ins").all_inner_texts() == ["10"]
        assert "line-through" in diff.locator("del").first.evaluate(
            "node => getComputedStyle(node).textDecorationLine"
        )
        violations = wcag_violations(page)
        assert not violations, violations
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "versions-diff.png"), full_page=True)

        page.goto(f"/record/{GONE_ID}")
        banner = page.locator("#deleted-banner")
        assert banner.is_visible()
        assert "Verwijderd bij de bron sinds 20 apr 2026" in banner.inner_text()
        assert not wcag_violations(page)
        page.screenshot(path=str(ARTIFACTS / "deleted-banner.png"), full_page=True)
    finally:
        context.close()


def test_the_search_page_filters_on_changed(site: UiSite) -> None:
    with site.login("archivist") as client:
        answer = client.get("/search", params={"changed": "true"})
    assert answer.status_code == 200
    assert f"/record/{urlpath(EDITED_ID)}" in answer.text
    assert f"/record/{urlpath('blog:1')}" not in answer.text
    assert "Gewijzigd bij de bron: true" in answer.text, "the filter shows as a chip"


def test_a_deleted_record_says_so_on_its_page_and_in_search(site: UiSite) -> None:
    with site.login("archivist") as client:
        record = client.get(f"/record/{GONE_ID}").text
        results = client.get("/search", params={"q": "deleted:true"}).text
        api = client.get("/api/search", params={"q": "deleted:true"}).json()
    banner = record.split('id="deleted-banner"', 1)[1].split("</div>", 1)[0]
    assert "Verwijderd bij de bron sinds 20 apr 2026" in banner
    assert "HTTP 404" in banner and "<code>&lt;urn:uuid:" in banner
    assert [hit["post"]["id"] for hit in api["hits"]] == [GONE_ID]
    assert 'class="badge deleted"' in results and "Verwijderd bij de bron sinds" in results


def test_a_record_still_at_its_source_has_no_banner(site: UiSite) -> None:
    with site.login("archivist") as client:
        page = client.get(f"/record/{EDITED_ID}").text
    assert 'id="deleted-banner"' not in page


def test_the_preset_edited_or_deleted_keeps_the_period_and_finds_both(site: UiSite) -> None:
    with site.login("archivist") as client:
        start = client.get("/search", params={"from": "2026-01-01", "to": "2026-12-31"}).text
        preset = re.search(
            r'<a class="chip" href="([^"]+)" data-preset="changed_or_deleted"', start
        )
        assert preset, "the search page offers the preset"
        assert "Bewerkt of verwijderd" in start.split(preset.group(0), 1)[1][:80]
        answer = client.get(preset.group(1).replace("&amp;", "&"))
    assert answer.status_code == 200
    assert 'value="changed:true OR deleted:true"' in answer.text, "an ordinary query, readable"
    assert "2026-01-01" in preset.group(1) and "2026-12-31" in preset.group(1)
    found = set(re.findall(r'href="/record/([^"?]+)', answer.text))
    assert found == {urlpath(EDITED_ID), urlpath(GONE_ID)}
    assert 'data-preset="changed_or_deleted" aria-current="true"' in answer.text


def test_the_search_page_counts_changed_and_deleted_records_as_facets(site: UiSite) -> None:
    with site.login("archivist") as client:
        page = client.get("/search", params={"q": "brug"}).text
    deleted = page.split('data-facet="deleted"', 1)[1].split("</section>", 1)[0]
    assert "Verwijderd bij de bron" in deleted
    assert re.search(r'data-value="true">.*?Verwijderd</span> <span class="count">1<', deleted)
    changed = page.split('data-facet="changed"', 1)[1].split("</section>", 1)[0]
    assert re.search(r'data-value="true">.*?Gewijzigd</span> <span class="count">1<', changed)
    with site.login("archivist") as client:
        chosen = client.get("/search", params={"q": "brug", "deleted": "true"}).text
    assert set(re.findall(r'href="/record/([^"?]+)', chosen)) == {urlpath(GONE_ID)}
