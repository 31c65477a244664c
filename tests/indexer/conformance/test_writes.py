"""Writing: replace by id, delete, and a rebuild that swaps in without disturbing searches."""

from __future__ import annotations

from indexer.query_model import SearchBackend, SearchRequest
from tests.indexer.conformance.corpus import BY_ID, CORPUS


def test_reindexing_a_post_replaces_it(empty_backend: SearchBackend) -> None:
    original = BY_ID["x:1005"]
    edited = original.model_copy(update={"text": "Het café heeft nu ook thee"})
    assert empty_backend.index_posts([original]) == 1
    assert empty_backend.index_posts([edited, edited]) == 2
    assert empty_backend.count() == 1
    assert empty_backend.get("x:1005") == edited
    assert [h.post.id for h in empty_backend.search(SearchRequest(query="thee")).hits] == ["x:1005"]
    assert empty_backend.search(SearchRequest(query="koffie")).total == 0


def test_prepared_posts_replace_indexed_and_earlier_ones_by_id_and_add_the_rest(
    empty_backend: SearchBackend,
) -> None:
    original = BY_ID["x:1005"]
    empty_backend.index_posts([original])
    edited = original.model_copy(update={"text": "Het café heeft nu ook thee"})
    new, newer = BY_ID["blog:1"], BY_ID["blog:1"].model_copy(update={"title": "Nieuwer"})
    documents = [empty_backend.prepare(post) for post in (edited, new, newer)]
    assert documents[0].post() == edited  # a prepared Post still knows the Post it came from
    assert empty_backend.index_prepared(documents) == 3
    assert empty_backend.count() == 2
    assert empty_backend.get("x:1005") == edited
    assert empty_backend.get("blog:1") == newer


def test_delete_removes_posts_and_counts_only_existing_ones(empty_backend: SearchBackend) -> None:
    empty_backend.index_posts(CORPUS[:5])
    assert empty_backend.delete(["blog:1", "blog:2", "x:does-not-exist"]) == 2
    assert empty_backend.count() == 3
    assert empty_backend.get("blog:1") is None


def test_rebuild_swaps_in_while_the_live_index_keeps_answering(
    empty_backend: SearchBackend,
) -> None:
    empty_backend.index_posts(CORPUS[:10])
    rebuilt = empty_backend.begin_rebuild()
    rebuilt.index_posts(CORPUS[10:15])
    assert empty_backend.count() == 10
    assert empty_backend.get("blog:1") is not None
    empty_backend.commit_rebuild(rebuilt)
    assert empty_backend.count() == 5
    assert empty_backend.get("blog:1") is None
    assert empty_backend.get(CORPUS[12].id) == CORPUS[12]
    empty_backend.index_posts(CORPUS[:1])
    assert empty_backend.count() == 6
