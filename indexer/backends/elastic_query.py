"""Translate the shared query tree (indexer/query_ast.py) and a SearchRequest into the
Elasticsearch/OpenSearch query DSL: the query, filters, facets (terms aggregations and a date
histogram), highlighting and a sort with a unique tie-breaker for search_after paging.

It mirrors indexer/backends/tantivy_query.py so both backends answer alike: a bare word or
phrase searches title (boosted), text and the author's name; a word that the analyser splits
into several tokens is a phrase; wildcards and fuzzy words on text search the stems and the
unstemmed folded words (the ``folded`` subfield) both; names are searched by their folded
words; keyword values are normalised as indexer/query_fields.py says; filters constrain
without scoring. Both engines take the same DSL here, so there is one translation.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from foundation.errors import QueryError
from indexer import query_ast as ast
from indexer.backends.elastic_mapping import folded_field
from indexer.query_fields import (
    DEFAULT_FIELDS,
    KEYWORD_FIELDS,
    NAME_FIELDS,
    TEXT_FIELDS,
    as_utc,
    canonical_field,
    normalise_keyword,
    prefix_completions,
)
from indexer.query_model import SearchRequest

TITLE_BOOST = 2.0
TIEBREAKER = "id"
HIGHLIGHT = {
    "pre_tags": ["<mark>"],
    "post_tags": ["</mark>"],
    # html encoder escapes everything but the tags above, as Hit.highlights promises
    "encoder": "html",
    "require_field_match": False,
    "fields": {
        "title": {"number_of_fragments": 0},
        "text": {"fragment_size": 160, "number_of_fragments": 3},
    },
}

Dsl = dict[str, Any]


def translate(node: ast.Node) -> Dsl:
    """The DSL query for a parsed query string."""
    if isinstance(node, ast.MatchAll):
        return {"match_all": {}}
    if isinstance(node, ast.Not):
        return {"bool": {"must_not": [translate(node.child)]}}
    if isinstance(node, ast.And):
        must = [translate(c) for c in node.children if not isinstance(c, ast.Not)]
        must_not = [translate(c.child) for c in node.children if isinstance(c, ast.Not)]
        return {"bool": {"must": must, "must_not": must_not}}
    if isinstance(node, ast.Or):
        return {
            "bool": {"should": [translate(c) for c in node.children], "minimum_should_match": 1}
        }
    if isinstance(node, ast.Boost):
        return {"bool": {"must": [translate(node.child)], "boost": node.factor}}
    if isinstance(node, ast.DateRange):
        return date_range(node.field, node.start, node.end)
    fields = (node.field,) if node.field else DEFAULT_FIELDS
    per_field = [
        _leaf(node, field, boost=TITLE_BOOST if node.field is None and field == "title" else 1.0)
        for field in fields
    ]
    if len(per_field) == 1:
        return per_field[0]
    return {"bool": {"should": per_field, "minimum_should_match": 1}}


def _leaf(
    node: ast.Term | ast.Phrase | ast.Wildcard | ast.Fuzzy, field: str, *, boost: float
) -> Dsl:
    if field in TEXT_FIELDS:
        stems = _analysed(node, field, boost=boost)
        if not isinstance(node, ast.Wildcard | ast.Fuzzy):
            return stems
        # A stem is not a word: samenwerking and samenwerken are both indexed as samenwerk.
        # So a pattern or a misspelling also meets the words as written, lowercased and folded.
        should = [stems, _analysed(node, folded_field(field), boost=boost)]
        prefix = node.prefix if isinstance(node, ast.Wildcard) else None
        completed = prefix_completions(prefix) if prefix is not None else ()
        if completed:
            # The engine stems each word and matches any of the stems.
            should.append({"match": {field: {"query": " ".join(completed), "boost": boost}}})
        return {"bool": {"should": should, "minimum_should_match": 1}}
    if field in NAME_FIELDS:
        return _analysed(node, folded_field(field), boost=boost)
    if isinstance(node, ast.Wildcard):
        return {
            "wildcard": {field: {"value": normalise_keyword(field, node.pattern), "boost": boost}}
        }
    value = normalise_keyword(field, node.text)
    if isinstance(node, ast.Fuzzy):
        return {"fuzzy": {field: {"value": value, "fuzziness": node.distance, "boost": boost}}}
    return {"term": {field: {"value": value, "boost": boost}}}


def _analysed(
    node: ast.Term | ast.Phrase | ast.Wildcard | ast.Fuzzy, field: str, *, boost: float
) -> Dsl:
    """``node`` against an analysed field: the engine analyses the words with the field's
    analyser; a wildcard pattern, which it takes as it is, is lowercased and folded here."""
    if isinstance(node, ast.Wildcard):
        return {"wildcard": {field: {"value": fold_pattern(node.pattern), "boost": boost}}}
    if isinstance(node, ast.Fuzzy):
        return {
            "match": {
                field: {
                    "query": node.text,
                    "fuzziness": node.distance,
                    "operator": "and",
                    "boost": boost,
                }
            }
        }
    slop = node.slop if isinstance(node, ast.Phrase) else 0
    return {"match_phrase": {field: {"query": node.text, "slop": slop, "boost": boost}}}


_UNDECOMPOSED = str.maketrans(
    {"ı": "i", "ø": "o", "ß": "ss", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "þ": "th"}
)


def fold_pattern(pattern: str) -> str:
    """``pattern`` lowercased and ASCII-folded the way the analysers fold indexed words (Lucene's
    ASCIIFoldingFilter, tantivy's ascii_fold): accents dropped by Unicode decomposition, and
    the letters that have none mapped as those filters map them."""
    decomposed = unicodedata.normalize("NFKD", pattern.lower().translate(_UNDECOMPOSED))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def date_range(field: str, start: Any, end: Any) -> Dsl:
    if start is None and end is None:
        return {"exists": {"field": field}}
    bounds: dict[str, str] = {}
    if start is not None:
        bounds["gte"] = as_utc(start).isoformat()
    if end is not None:
        bounds["lt"] = as_utc(end).isoformat()
    return {"range": {field: bounds}}


def filters(request: SearchRequest) -> list[Dsl]:
    """One clause per filter field (values OR-ed) and one for the date range."""
    out: list[Dsl] = []
    for name, values in sorted(request.filters.items()):
        field = canonical_field(name)
        if field is None or field not in KEYWORD_FIELDS:
            raise QueryError(
                f"cannot filter on {name!r}; filter on one of {', '.join(sorted(KEYWORD_FIELDS))}"
            )
        if values:
            out.append(
                {"terms": {field: sorted({normalise_keyword(field, value) for value in values})}}
            )
    if request.date_from is not None or request.date_to is not None:
        out.append(date_range("published_at", request.date_from, request.date_to))
    return out


def full_query(node: ast.Node, request: SearchRequest) -> Dsl:
    """The query with the request's filters applied as non-scoring clauses."""
    clauses = filters(request)
    if not clauses:
        return translate(node)
    return {"bool": {"must": [translate(node)], "filter": clauses}}


def sort(request: SearchRequest) -> list[Any]:
    """The sort, ending in the unique id so that search_after never skips or repeats a hit."""
    if request.sort == "newest":
        first: Any = {"published_at": {"order": "desc", "missing": "_last"}}
    elif request.sort == "oldest":
        first = {"published_at": {"order": "asc", "missing": "_last"}}
    else:
        first = {"_score": {"order": "desc"}}
    return [first, {TIEBREAKER: {"order": "asc"}}]


def aggregations(request: SearchRequest) -> Dsl:
    """Terms aggregations named after the requested facets, plus the date histogram."""
    aggs: Dsl = {}
    for name in request.facets:
        field = canonical_field(name)
        if field is None or field not in KEYWORD_FIELDS:
            raise QueryError(
                f"cannot facet on {name!r}; use one of {', '.join(sorted(KEYWORD_FIELDS))}"
            )
        aggs[f"facet:{name}"] = {
            "terms": {
                "field": field,
                "size": request.facet_size,
                "order": [{"_count": "desc"}, {"_key": "asc"}],
            }
        }
    if request.date_histogram is not None:
        aggs["date_histogram"] = {
            "date_histogram": {
                "field": "published_at",
                "calendar_interval": request.date_histogram,
                "format": "yyyy-MM-dd",
                "min_doc_count": 0,
                "time_zone": "UTC",
            }
        }
    return aggs


def search_body(node: ast.Node, request: SearchRequest, *, size: int, offset: int) -> Dsl:
    """The whole search request body (without point in time and search_after)."""
    body: Dsl = {
        "query": full_query(node, request),
        "sort": sort(request),
        "size": size,
        "from": offset,
        "track_total_hits": True,
        "_source": ["post"],
    }
    aggs = aggregations(request)
    if aggs:
        body["aggs"] = aggs
    if request.highlight and size:
        body["highlight"] = HIGHLIGHT
    return body
