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
