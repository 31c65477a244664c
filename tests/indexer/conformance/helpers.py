"""Small helpers the conformance tests share: run a query and name the hits, and the answers a
plain-Python oracle derives from the corpus for filters, facets and sorting."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from foundation.post import Post
from indexer.query_fields import keyword_values
from indexer.query_model import SearchBackend, SearchRequest
from tests.indexer.conformance.corpus import CORPUS


def hit_ids(backend: SearchBackend, query: str = "", **request: object) -> set[str]:
    """Ids of every hit (the corpus is small enough for one page)."""
    result = backend.search(
        SearchRequest(
            query=query, limit=100, facets=[], date_histogram=None, highlight=False, **request
        )
    )  # type: ignore[arg-type]
    assert result.total == len(result.hits)
    return {hit.post.id for hit in result.hits}


def corpus_ids(keep: Callable[[Post], bool]) -> set[str]:
    return {post.id for post in CORPUS if keep(post)}


def expected_facet(field: str, keep: Callable[[Post], bool] = lambda post: True) -> dict[str, int]:
    counts: Counter[str] = Counter()
    for post in CORPUS:
        if keep(post):
            counts.update(keyword_values(post, field))
    return dict(counts)
