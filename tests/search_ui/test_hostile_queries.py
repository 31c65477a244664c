"""Hostile queries (issue 21) over real HTTP: the JSON API answers 400 naming the problem, the
search page answers 400 saying it in Dutch, and far dates are answered, never a 500."""

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


@pytest.mark.parametrize(
    "query", ["published_at:9999-12-31", "published_at:[0001-01-01 TO 9999-12-31]", "a\x00b"]
)
def test_far_dates_and_nul_are_answered(ui_site: UiSite, query: str) -> None:
    with ui_site.login("archivist") as client:
        assert client.get("/api/search", params={"q": query}).status_code == 200
        assert client.get("/search", params={"q": query}).status_code == 200
