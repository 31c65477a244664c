"""Hostile queries (issue 21) over real HTTP: the JSON API answers 400 naming the problem, the
search page answers 400 saying it in Dutch (in English when the browser asks for it), far
dates in the query and in from/to included; open-ended ranges and NUL are answered, never a
500."""

from __future__ import annotations

import pytest

from tests.fixtures.ui import UiSite

REFUSED = [
    ("NOT " * 990 + "a", "nested too deeply", "te diep genest"),
    ("-" * 3990, "nested too deeply", "te diep genest"),
    ("*?" * 1000, "2000 wildcards", "2000 jokertekens"),
    ('"a b"~99999999999999999999999', "too far apart", "te ver uit elkaar"),
    ("koffie^" + "9" * 400, "too large a boost", "deze weging (^) is te groot"),
    (" ".join(["woord"] * 150), "more than 100 words", "meer dan 100 woorden"),
    ('koffie "thee', "never closed", "aanhalingsteken"),
]


@pytest.mark.parametrize(("query", "english", "dutch"), REFUSED)
def test_hostile_query_is_a_400_naming_the_problem(
    ui_site: UiSite, query: str, english: str, dutch: str
) -> None:
    with ui_site.login("archivist") as client:
        api = client.get("/api/search", params={"q": query})
        page = client.get("/search", params={"q": query, "lang": "nl"})
    assert api.status_code == 400 and english in api.json()["detail"]
    assert page.status_code == 400
    assert 'id="search-error"' in page.text and "Bij teken" in page.text and dutch in page.text


FAR_DATES = [
    ("published_at:9999-12-31", "9999-12-31"),
    ("published_at:[0001-01-01 TO 9999-12-31]", "0001-01-01"),
    ("published_at:[2021 TO 9999]", "9999"),
]


@pytest.mark.parametrize(("query", "value"), FAR_DATES)
def test_a_far_date_is_a_400_naming_the_field_the_value_and_the_span(
    ui_site: UiSite, query: str, value: str
) -> None:
    with ui_site.login("archivist") as client:
        api = client.get("/api/search", params={"q": query})
        dutch = client.get("/search", params={"q": query}, headers={"Accept-Language": "nl"})
        english = client.get("/search", params={"q": query}, headers={"Accept-Language": "en"})
    assert api.status_code == dutch.status_code == english.status_code == 400
    assert (
        f"the date {value} in published_at is outside the dates archiveren can search; "
        "use a date from 1900-01-01 to 2099-12-31, or * for an open end"
    ) in api.json()["detail"]
    assert (
        f"de datum {value} in published_at valt buiten de datums die archiveren kan doorzoeken; "
        "gebruik een datum van 1900-01-01 tot en met 2099-12-31, of * voor een open einde."
    ) in dutch.text
    assert "Bij teken" in dutch.text
    assert f"the date {value} in published_at is outside" in english.text
    assert "At character" in english.text


@pytest.mark.parametrize(
    ("params", "field", "veld", "value"),
    [
        ({"from": "0001-01-01"}, "from", "Van", "0001-01-01"),
        ({"to": "9999-12-31"}, "to", "Tot en met", "9999-12-31"),
        ({"from": "2020-01-01", "to": "2100-01-01"}, "to", "Tot en met", "2100-01-01"),
    ],
)
def test_a_far_from_or_to_day_is_a_400_naming_the_field_the_value_and_the_span(
    ui_site: UiSite, params: dict[str, str], field: str, veld: str, value: str
) -> None:
    with ui_site.login("archivist") as client:
        api = client.get("/api/search", params=params)
        dutch = client.get("/search", params=params, headers={"Accept-Language": "nl"})
        english = client.get("/search", params=params, headers={"Accept-Language": "en-GB"})
    assert api.status_code == dutch.status_code == english.status_code == 400
    assert api.json()["detail"] == (
        f"{field} {value} is outside the dates archiveren can search; "
        "use a date from 1900-01-01 to 2099-12-31"
    )
    assert (
        f"De datum {value} bij &#39;{veld}&#39; valt buiten de datums die archiveren kan "
        "doorzoeken. Kies een datum van 1900-01-01 tot en met 2099-12-31."
    ) in dutch.text
    assert f"The date {value} in &#39;" in english.text
    assert "Choose a date from 1900-01-01 to 2099-12-31." in english.text


@pytest.mark.parametrize(
    ("query", "params"),
    [
        ("published_at:[* TO 2020-01-01]", {}),
        ("published_at:[2000-01-01 TO *]", {}),
        ("a\x00b", {}),
        ("", {"from": "1900-01-01", "to": "2099-12-31"}),
    ],
)
def test_open_ended_ranges_the_span_s_edges_and_nul_are_answered(
    ui_site: UiSite, query: str, params: dict[str, str]
) -> None:
    with ui_site.login("archivist") as client:
        assert client.get("/api/search", params={"q": query, **params}).status_code == 200
        assert client.get("/search", params={"q": query, **params}).status_code == 200
