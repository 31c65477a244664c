"""Any string given as a search query parses to a tree or raises QueryError with a position —
never another exception, never a hang — and the backend answers every parsable one."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from foundation.errors import QueryError
from indexer.backends.tantivy_backend import TantivyBackend
from indexer.query_model import SearchRequest
from indexer.query_parser import parse_query
from tests.fuzz.conftest import FUZZ

QUERY_ALPHABET = st.sampled_from(
    list("abcXYZ019 \"():*?~^+-!\\/[]{}<>=&|.,'\t\n")
    + ["AND", "OR", "NOT", "TO", "title:", "é", "\x00"]
)
query_like = st.lists(QUERY_ALPHABET, max_size=40).map("".join)


@pytest.mark.timeout(120)
@FUZZ
@given(st.one_of(query_like, st.text(max_size=200)))
def test_any_query_parses_or_says_where_it_is_wrong(query: str) -> None:
    try:
        parse_query(query)
    except QueryError as exc:
        assert "query error at character" in str(exc) or "characters long" in str(exc)


@pytest.mark.timeout(60)
def test_deeply_nested_query_is_refused_not_a_recursion_crash() -> None:
    for depth in (100, 1000, 5000):
        query = "(" * depth + "a" + ")" * depth
        try:
            parse_query(query)
        except QueryError:
            pass


@pytest.fixture(scope="module")
def empty_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TantivyBackend]:
    backend = TantivyBackend(tmp_path_factory.mktemp("fuzz-index") / "index")
    yield backend
    backend.close()


@pytest.mark.timeout(180)
@FUZZ
@given(query_like)
def test_tantivy_answers_any_query_or_raises_query_error(
    empty_index: TantivyBackend, query: str
) -> None:
    try:
        result = empty_index.search(SearchRequest(query=query, facets=[], date_histogram=None))
    except QueryError:
        return
    assert result.total == 0
