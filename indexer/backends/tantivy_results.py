"""Turn what tantivy returns into the shared result model: exact facet counts and a gap-filled
calendar histogram from one aggregation request, safe HTML highlights from tantivy snippets,
and the opaque paging cursors the SearchResult hands out.
"""

from __future__ import annotations

import html
from typing import Any

import tantivy

from foundation.errors import QueryError
from indexer.backends.tantivy_schema import FAST_KEYWORDS, bucket_field
from indexer.query_fields import bucket_start, canonical_field
from indexer.query_model import FacetBucket, Interval, SearchRequest, Sort

# Per-segment candidate list for terms aggregations. Counts are exact while a segment has no
# more distinct values than this; facet_counts raises it and asks again when tantivy says not.
_SEGMENT_SIZE = 1 << 16
_HISTOGRAM = "__date_histogram"


def facet_fields(request: SearchRequest) -> dict[str, str]:
    """Requested facet name -> index field, refusing names that cannot be faceted."""
    out: dict[str, str] = {}
    for name in request.facets:
        field = canonical_field(name)
        if field not in FAST_KEYWORDS:
            raise QueryError(
                f"cannot count facets of {name!r}; facet on one of {', '.join(FAST_KEYWORDS)} (hashtag and mention also work)"
            )
        out[name] = field
    return out


def facet_counts(
    searcher: tantivy.Searcher, query: tantivy.Query, request: SearchRequest
) -> tuple[dict[str, list[FacetBucket]], list[FacetBucket]]:
    """Exact term counts per requested facet (most frequent first, ties by value) and the
    date histogram, over every document the query matches."""
    fields = facet_fields(request) if request.facet_size > 0 else {}
    spec: dict[str, Any] = {
        name: _terms(field, request.facet_size, _SEGMENT_SIZE) for name, field in fields.items()
    }
    if request.date_histogram is not None:
        spec[_HISTOGRAM] = {
            "histogram": {"field": bucket_field(request.date_histogram), "interval": 1}
        }
    if not spec:
        return {}, []
    result = searcher.aggregate(query, spec)
    facets: dict[str, list[FacetBucket]] = {}
    for name, field in fields.items():
        answer = result[name]
        segment_size = _SEGMENT_SIZE
        while answer.get("doc_count_error_upper_bound", 0) > 0:
            segment_size *= 16
            answer = searcher.aggregate(
                query, {name: _terms(field, request.facet_size, segment_size)}
            )[name]
        buckets = [
            FacetBucket(value=str(b["key"]), count=int(b["doc_count"])) for b in answer["buckets"]
        ]
        facets[name] = sorted(buckets, key=lambda b: (-b.count, b.value))
    histogram: list[FacetBucket] = []
    if request.date_histogram is not None:
        histogram = _histogram(result[_HISTOGRAM]["buckets"], request.date_histogram)
    return facets, histogram


def _terms(field: str, size: int, segment_size: int) -> dict[str, Any]:
    return {"terms": {"field": field, "size": size, "segment_size": max(segment_size, size)}}


def _histogram(buckets: list[dict[str, Any]], interval: Interval) -> list[FacetBucket]:
    # tantivy fills the gaps between the first and last non-empty bucket with zero counts,
    # which is what Elasticsearch's date_histogram does too.
    return [
        FacetBucket(value=bucket_start(int(b["key"]), interval), count=int(b["doc_count"]))
        for b in buckets
    ]


def highlight_html(snippet: tantivy.Snippet, text: str) -> str | None:
    """The snippet as HTML: every character escaped, matches in <mark>, an ellipsis where the
    fragment is cut from longer text. None when nothing in the text matched."""
    ranges = sorted((r.start, r.end) for r in snippet.highlighted())
    if not ranges:
        return None
    fragment = snippet.fragment().encode()
    parts: list[str] = []
    position = 0
    # tantivy reports UTF-8 byte offsets, so the fragment is cut as bytes.
    for start, end in ranges:
        parts.append(html.escape(fragment[position:start].decode()))
        parts.append("<mark>" + html.escape(fragment[start:end].decode()) + "</mark>")
        position = end
    parts.append(html.escape(fragment[position:].decode()))
    cut = snippet.fragment_range()
    prefix = "…" if cut.start > 0 else ""
    suffix = "…" if cut.end < len(text.strip().encode()) else ""
    return prefix + "".join(parts).strip() + suffix


def encode_cursor(sort: Sort, value: int) -> list[str]:
    """For newest/oldest the value is the last hit's sort key; for relevance, the next offset."""
    return [sort, str(value)]


def decode_cursor(cursor: list[str], sort: Sort) -> int:
    if len(cursor) != 2 or cursor[0] != sort or not cursor[1].isdigit():
        raise QueryError(
            f"the paging cursor {cursor!r} does not belong to a search sorted by {sort!r}; "
            "start again from the first page (without search_after)"
        )
    return int(cursor[1])
