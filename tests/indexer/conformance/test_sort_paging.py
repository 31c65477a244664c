"""Sorting, paging by offset and by cursor, and streaming every match with scan()."""

from __future__ import annotations

from datetime import datetime

import pytest

from foundation.errors import QueryError
from indexer.query_model import SearchBackend, SearchRequest, Sort
from tests.indexer.conformance.corpus import CORPUS


def _page_ids(backend: SearchBackend, **request: object) -> list[str]:
    result = backend.search(
        SearchRequest(facets=[], date_histogram=None, highlight=False, **request)
    )  # type: ignore[arg-type]
    return [hit.post.id for hit in result.hits]


def _by_date(newest_first: bool) -> list[str]:
    dated = sorted(
        (p for p in CORPUS if p.published_at),
        key=lambda p: p.published_at or datetime.min,
        reverse=newest_first,
    )
    return [p.id for p in dated]


def test_newest_and_oldest_order_by_date_with_undated_last(corpus_backend: SearchBackend) -> None:
    newest = _page_ids(corpus_backend, sort="newest", limit=100)
    oldest = _page_ids(corpus_backend, sort="oldest", limit=100)
    assert newest[:41] == _by_date(newest_first=True)
    assert oldest[:41] == _by_date(newest_first=False)
    assert set(newest[41:]) == set(oldest[41:]) == {"mastodon:2007", "wiki:zonder-datum"}


def test_relevance_puts_a_title_match_first(corpus_backend: SearchBackend) -> None:
    ranked = _page_ids(corpus_backend, query="thuiswerken", limit=10)
    assert ranked[0] == "wiki:thuiswerken"
    scores = [hit.score for hit in corpus_backend.search(SearchRequest(query="thuiswerken")).hits]
    assert scores == sorted(scores, reverse=True) and scores[0] > 0


@pytest.mark.parametrize("sort", ["newest", "oldest", "relevance"])
def test_offset_pages_join_up_to_the_full_list(corpus_backend: SearchBackend, sort: Sort) -> None:
    full = _page_ids(corpus_backend, query="-kind:page", sort=sort, limit=100)
    pages = [
        _page_ids(corpus_backend, query="-kind:page", sort=sort, offset=offset, limit=7)
        for offset in range(0, 35, 7)
    ]
    assert [post_id for page in pages for post_id in page] == full
    assert _page_ids(corpus_backend, sort=sort, offset=500, limit=10) == []


@pytest.mark.parametrize("sort", ["newest", "oldest", "relevance"])
def test_cursor_pages_visit_every_hit_once(corpus_backend: SearchBackend, sort: Sort) -> None:
    full = _page_ids(corpus_backend, query="-kind:page", sort=sort, limit=100)
    seen: list[str] = []
    cursor: list[str] | None = None
    while True:
        result = corpus_backend.search(
            SearchRequest(
                query="-kind:page",
                sort=sort,
                limit=6,
                search_after=cursor,
                facets=[],
                date_histogram=None,
            )
        )
        assert result.total == len(full)
        seen += [hit.post.id for hit in result.hits]
        cursor = result.next_cursor
        if cursor is None:
            break
    assert seen == full


def test_last_page_has_no_cursor(corpus_backend: SearchBackend) -> None:
    assert corpus_backend.search(SearchRequest(query="koffie", limit=2)).next_cursor is None
    assert corpus_backend.search(SearchRequest(query="koffie", limit=1)).next_cursor is not None


def test_foreign_cursor_is_a_query_error(corpus_backend: SearchBackend) -> None:
    with pytest.raises(QueryError):
        corpus_backend.search(SearchRequest(sort="newest", search_after=["not", "a", "cursor"]))


def test_scan_streams_every_match(corpus_backend: SearchBackend) -> None:
    streamed = [
        post.id
        for post in corpus_backend.scan(
            SearchRequest(query="-kind:page", filters={"platform": ["x", "mastodon"]})
        )
    ]
    expected = {p.id for p in CORPUS if p.platform in ("x", "mastodon") and p.kind != "page"}
    assert len(streamed) == len(expected) and set(streamed) == expected


def test_scan_of_everything_returns_whole_posts(corpus_backend: SearchBackend) -> None:
    streamed = {post.id: post for post in corpus_backend.scan(SearchRequest())}
    assert streamed == {post.id: post for post in CORPUS}
