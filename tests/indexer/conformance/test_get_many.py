"""get_many answers the indexer's one-round-trip lookup the same on every backend."""

from __future__ import annotations

from indexer.query_model import SearchBackend, SearchRequest


def test_get_many_returns_the_indexed_posts_and_skips_unknown_ids(
    corpus_backend: SearchBackend,
) -> None:
    some = [hit.post.id for hit in corpus_backend.search(SearchRequest(limit=5)).hits]
    found = corpus_backend.get_many([*some, "x:bestaat-niet"])
    assert set(found) == set(some)
    assert all(found[post_id].id == post_id for post_id in some)
    assert corpus_backend.get_many([]) == {}
