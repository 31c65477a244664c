"""The server-rendered pages over real HTTP: search states (results, facets, empty, error),
record provenance and earlier captures, the thread tree, collections, the replay's isolation
headers, language negotiation, and the helpers that keep archived text inert."""

from __future__ import annotations

import re

import httpx
import pytest

from search_ui.i18n import from_accept_language
from search_ui.rendering import safe_url, snippet
from search_ui.search_params import SearchState
from tests.fixtures.ui import UiSite


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_search_page_shows_count_facets_and_highlighted_snippets(ui_site: UiSite) -> None:
    with ui_site.login("archivist") as client:
        page = client.get("/search", params={"q": "wiki", "platform": "network"}).text
    assert "4 resultaten" in page
    assert 'data-facet="kind"' in page and re.search(
        r'data-value="comment">.*?<span class="count">3</span>', page
    )
    assert "<mark>wiki</mark>" in page or "<mark>Wiki</mark>" in page
    assert 'aria-current="true" data-value="network"' in page


def test_empty_result_says_what_to_try(ui_site: UiSite) -> None:
    with ui_site.login("archivist") as client:
        page = client.get("/search", params={"q": "zeppelin", "kind": "reply"}).text
    assert 'id="search-empty"' in page
    assert "Alle filters wissen" in page and "ambtena*" in page


def test_bad_query_shows_the_problem_and_keeps_the_query(ui_site: UiSite) -> None:
    with ui_site.login("archivist") as client:
        answer = client.get("/search", params={"q": '"open overheid'})
    assert answer.status_code == 400
    assert 'id="search-error"' in answer.text and "De zoekvraag klopt niet" in answer.text
    assert 'value="&#34;open overheid"' in answer.text


def test_bad_parameters_are_explained_not_crashed_on(ui_site: UiSite) -> None:
    with ui_site.login("archivist") as client:
        answer = client.get("/search", params={"from": "gisteren", "page": "0"})
    assert answer.status_code == 400
    assert "YYYY-MM-DD" in answer.text


def test_histogram_bars_filter_to_their_period(ui_site: UiSite) -> None:
    with ui_site.login("archivist") as client:
        page = client.get("/search").text
    bars = re.findall(r'<a href="([^"]+)" data-start="(\d{4})-01-01" data-end="\d{4}-12-31"', page)
    assert [year for _, year in bars][:3] == ["2009", "2010", "2011"]
    href = dict((year, url) for url, year in bars)["2011"].replace("&amp;", "&")
    assert "from=2011-01-01" in href and "to=2011-12-31" in href


def test_english_is_served_to_english_browsers(ui_site: UiSite) -> None:
    with ui_site.login("archivist") as client:
        page = client.get(
            "/search", params={"q": "wiki"}, headers={"Accept-Language": "en-GB,en;q=0.9,nl;q=0.5"}
        ).text
    assert '<html lang="en">' in page and "5 results" in page


def test_record_page_shows_provenance_and_earlier_captures(ui_site: UiSite) -> None:
    post = ui_site.posts["blog:1"]
    with ui_site.login("archivist") as client:
        page = client.get("/record/blog:1").text
    text = text_of(page)
    assert post.capture is not None and post.earlier_captures
    for value in (
        post.capture.warc_file,
        str(post.capture.offset),
        post.capture.payload_digest,
        "test-collector 1.0",
    ):
        assert value in text
    assert "&lt;urn:uuid:" in page
    assert 'href="/captured/1/blog:1"' in page
    assert ui_site.ws.catalogue().audit_log(action="view", limit=1)[0].detail["post_id"] == "blog:1"


def test_unknown_record_page_is_404_with_a_way_back(ui_site: UiSite) -> None:
    with ui_site.login("archivist") as client:
        answer = client.get("/record/blog:bestaat-niet")
    assert answer.status_code == 404
    assert 'href="/search"' in answer.text


def test_thread_page_nests_replies_under_their_parents(ui_site: UiSite) -> None:
    with ui_site.login("archivist") as client:
        page = client.get("/thread/network:13").text
    root = page.index("Wie heeft ervaring")
    nested = page.index("Hoe houden jullie")
    assert root < page.index("Wij gebruiken") < nested
    assert page.count('<ul class="thread">') == 3
    assert "4 stukken in deze draad" in page


def test_collections_page_lists_runs_errors_and_fixity(ui_site: UiSite) -> None:
    with ui_site.login("archivist") as client:
        text = text_of(client.get("/collections").text)
    assert "ambtenaar20-netwerk" in text and "deels gelukt" in text and "HTTP 404" in text
    assert "mislukt" in text and "401 Unauthorized" in text
    assert "social-overheid" in text and "nog nooit" in text
    assert "in orde" in text and ".warc.gz" in text


def test_replay_is_sandboxed_and_passes_no_archived_headers(ui_site: UiSite) -> None:
    with ui_site.login("archivist") as client:
        answer = client.get("/replay/0/network:12", headers={"Sec-Fetch-Dest": "iframe"})
        opened_directly = client.get("/replay/0/network:12", headers={"Sec-Fetch-Dest": "document"})
    assert answer.status_code == 200 and b"Wiki voor beleidsmakers" in answer.content
    csp = answer.headers["content-security-policy"]
    assert (
        csp.startswith("sandbox allow-scripts;")
        and "connect-src 'none'" in csp
        and "allow-same-origin" not in csp
    )
    assert "set-cookie" not in answer.headers
    assert (
        opened_directly.status_code == 303
        and opened_directly.headers["location"] == "/captured/0/network:12"
    )


def test_earlier_capture_replays_its_own_bytes(ui_site: UiSite) -> None:
    with ui_site.login("archivist") as client:
        newest = client.get("/replay/0/blog:1", headers={"Sec-Fetch-Dest": "iframe"}).text
        earlier = client.get("/replay/1/blog:1", headers={"Sec-Fetch-Dest": "iframe"}).text
    assert "Tweede, bijgewerkte versie" in newest and "Eerste versie" in earlier


def test_export_page_records_the_search_as_a_query(ui_site: UiSite) -> None:
    with ui_site.login("compliance") as client:
        page = client.get(
            "/export", params={"q": "wiki", "kind": "comment", "from": "2011-01-01"}
        ).text
    assert "(wiki) AND published_at:[2011-01-01 TO *]" in page
    assert 'name="kind" value="comment"' in page


def test_health_needs_no_login(ui_site: UiSite) -> None:
    assert httpx.get(ui_site.base_url + "/health").json() == {"status": "ok"}


@pytest.mark.parametrize(
    ("fragment", "expected"),
    [
        ("een <mark>wiki</mark> &lt;script&gt;", "een <mark>wiki</mark> &lt;script&gt;"),
        (
            "een <mark>wiki</mark> <script>x()</script>",
            "een <mark>wiki</mark> &lt;script&gt;x()&lt;/script&gt;",
        ),
        ('<img src=x onerror="y()">', "&lt;img src=x onerror=&quot;y()&quot;&gt;"),
    ],
)
def test_snippets_keep_only_mark_as_markup(fragment: str, expected: str) -> None:
    assert str(snippet(fragment)) == expected


def test_only_web_links_become_links() -> None:
    assert safe_url("https://blog.example/a") == "https://blog.example/a"
    assert safe_url("JavaScript:alert(1)") == "" and safe_url("data:text/html,x") == ""


def test_accept_language_picks_the_best_supported_language() -> None:
    assert from_accept_language("") == "nl"
    assert from_accept_language("de-DE,en;q=0.8,nl;q=0.7") == "en"
    assert from_accept_language("en;q=0.2,nl-BE;q=0.9") == "nl"
    assert from_accept_language("fr") == "nl"


def test_a_search_url_round_trips_and_toggles_facets() -> None:
    state = SearchState.from_params(
        {"q": "open overheid", "kind": "comment", "from": "2011-01-01", "sort": "newest"}
    )
    assert SearchState.from_params(httpx.QueryParams(state.url().split("?", 1)[1])) == state
    assert "kind=" not in state.toggled("kind", "comment")
    assert "kind=comment&kind=reply" in state.toggled("kind", "reply")
    request = state.request()
    assert (
        request.date_from is not None
        and request.date_from.isoformat() == "2011-01-01T00:00:00+00:00"
    )


@pytest.mark.parametrize("page", ["captured", "full"])
def test_a_capture_number_the_record_does_not_have_is_a_404_saying_how_many_it_has(
    ui_site: UiSite, page: str
) -> None:
    with ui_site.login("archivist") as client:
        answer = client.get(f"/{page}/7/blog:1")
    assert answer.status_code == 404
    post = ui_site.posts["blog:1"]
    count = 1 + len(post.earlier_captures)
    assert f"record blog:1 has {count} captures; there is no capture 7" in answer.text
