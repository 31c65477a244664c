"""Queries shaped like the grammar, hostile in every slot, never end in anything but an answer
or the parser's own QuerySyntaxError: not a RecursionError, OverflowError, a tantivy automaton
error or an engine refusing the query. Runs against tantivy and, marked ``engine``, against
Elasticsearch and OpenSearch, on the conformance corpus so fuzzy and wildcard words expand
into real terms."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import example, given

from indexer.query_model import SearchBackend, SearchRequest
from indexer.query_parser import QuerySyntaxError, parse_query
from tests.fuzz.conftest import FUZZ
from tests.fuzz.query_grammar import HOSTILE_QUERIES, grammar_query


def with_hostile_seeds(test: Callable[..., None]) -> Callable[..., None]:
    for query in HOSTILE_QUERIES:
        test = example(query=query)(test)
    return test


@pytest.mark.timeout(120)
@FUZZ
@with_hostile_seeds
@given(query=grammar_query)
def test_grammar_shaped_query_parses_or_is_refused_by_the_parser(query: str) -> None:
    try:
        parse_query(query)
    except QuerySyntaxError as refused:
        assert str(refused).startswith("query error at character")
        assert refused.code and 0 <= refused.position <= len(query)


@pytest.mark.timeout(300)
@FUZZ
@with_hostile_seeds
@given(query=grammar_query)
def test_every_backend_answers_a_grammar_shaped_query_or_the_parser_refuses_it(
    corpus_backend: SearchBackend, query: str
) -> None:
    request = SearchRequest(query=query, limit=5)
    try:
        result = corpus_backend.search(request)
    except QuerySyntaxError:
        return
    assert result.total >= len(result.hits)


@pytest.mark.parametrize(
    ("query", "value"),
    [
        ("published_at:9999-12-31", "9999-12-31"),
        ("published_at:[0001-01-01 TO 9999-12-31]", "0001-01-01"),
        ("published_at:9999-12-31T23:59:59+14:00", "9999-12-31T23:59:59+14:00"),
    ],
)
def test_every_backend_refuses_a_far_date_naming_it_and_answers_an_open_end(
    corpus_backend: SearchBackend, query: str, value: str
) -> None:
    with pytest.raises(QuerySyntaxError) as refused:
        corpus_backend.search(SearchRequest(query=query, limit=5))
    assert refused.value.code == "date_out_of_range"
    assert f"the date {value} in published_at is outside" in str(refused.value)
    assert "from 1900-01-01 to 2099-12-31" in str(refused.value)
    open_end = corpus_backend.search(SearchRequest(query="published_at:[* TO 2099-12-31]"))
    assert open_end.total > 0
