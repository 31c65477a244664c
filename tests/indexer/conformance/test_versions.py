"""Versions on every backend: a word found only in an earlier version finds the Post (bare and
as ``earlier_text:``), ``text:`` searches the current wording only, and ``changed:true`` and the
``changed`` filter pick out the Posts whose content changed; ``deleted:true`` the Posts gone at
their source (a restored one is not)."""

from __future__ import annotations

from datetime import UTC, datetime

from foundation.post import Post
from foundation.post_version import PostVersion
from foundation.tombstone import Tombstone
from indexer.query_model import SearchBackend, SearchRequest
from tests.indexer.conformance.corpus import BY_ID
from tests.indexer.conformance.helpers import hit_ids


def edited_posts() -> list[Post]:
    """blog:1 edited once (the bridge was first a bicycle bridge), and x:1005 never edited."""
    blog = BY_ID["blog:1"]
    edited = blog.model_copy(
        update={
            "text": "De gemeente opent de voetgangersbrug over het kanaal.",
            "versions": [
                PostVersion(
                    title=blog.title,
                    text="De gemeente opent de fietsbrug over het kanaal.",
                    captured_at=blog.collected_at,
                )
            ],
        }
    )
    return [edited, BY_ID["x:1005"]]


def test_a_word_only_in_an_earlier_version_finds_the_post(empty_backend: SearchBackend) -> None:
    empty_backend.index_posts(edited_posts())
    assert hit_ids(empty_backend, "fietsbrug") == {"blog:1"}
    assert hit_ids(empty_backend, "earlier_text:fietsbrug") == {"blog:1"}
    assert hit_ids(empty_backend, "fietsbr*") == {"blog:1"}
    assert hit_ids(empty_backend, "text:fietsbrug") == set()
    assert hit_ids(empty_backend, "voetgangersbrug") == {"blog:1"}
    assert empty_backend.get("blog:1") == edited_posts()[0]


def test_changed_true_finds_the_posts_whose_content_changed(empty_backend: SearchBackend) -> None:
    empty_backend.index_posts(edited_posts())
    assert hit_ids(empty_backend, "changed:true") == {"blog:1"}
    assert hit_ids(empty_backend, "changed:false") == {"x:1005"}
    assert hit_ids(empty_backend, filters={"changed": ["true"]}) == {"blog:1"}


def test_changed_is_a_facet(empty_backend: SearchBackend) -> None:
    empty_backend.index_posts(edited_posts())
    result = empty_backend.search(SearchRequest(facets=["changed"], date_histogram=None))
    assert {bucket.value: bucket.count for bucket in result.facets["changed"]} == {
        "true": 1,
        "false": 1,
    }


def test_deleted_true_finds_the_posts_gone_at_the_source(empty_backend: SearchBackend) -> None:
    gone = BY_ID["mastodon:2006"].model_copy(
        update={
            "tombstone": Tombstone(
                missing_since=datetime(2026, 3, 2, tzinfo=UTC), status=404, last_seen=None
            )
        }
    )
    back = BY_ID["x:1004"].model_copy(
        update={
            "tombstone": Tombstone(
                missing_since=datetime(2026, 3, 2, tzinfo=UTC),
                status=410,
                restored_at=datetime(2026, 3, 9, tzinfo=UTC),
            )
        }
    )
    empty_backend.index_posts([gone, back, BY_ID["blog:1"]])
    assert hit_ids(empty_backend, "deleted:true") == {"mastodon:2006"}
    assert hit_ids(empty_backend, "deleted:false") == {"x:1004", "blog:1"}, "restored is not gone"
    assert hit_ids(empty_backend, filters={"deleted": ["true"]}) == {"mastodon:2006"}
    assert hit_ids(empty_backend, "deleted:true OR changed:true") == {"mastodon:2006"}
    assert empty_backend.get("mastodon:2006") == gone


def test_deleted_at_finds_what_went_missing_in_a_period(empty_backend: SearchBackend) -> None:
    def gone_since(post_id: str, day: int, restored: int | None = None) -> Post:
        return BY_ID[post_id].model_copy(
            update={
                "tombstone": Tombstone(
                    missing_since=datetime(2026, 3, day, 9, tzinfo=UTC),
                    status=404,
                    restored_at=datetime(2026, 3, restored, tzinfo=UTC) if restored else None,
                )
            }
        )

    empty_backend.index_posts(
        [
            gone_since("mastodon:2006", 2),
            gone_since("x:1004", 20),
            gone_since("x:1005", 10, restored=12),
            BY_ID["blog:1"],
        ]
    )
    assert hit_ids(empty_backend, "deleted_at:[2026-03-01 TO 2026-03-15]") == {"mastodon:2006"}
    assert hit_ids(empty_backend, "deleted_at:2026-03") == {"mastodon:2006", "x:1004"}
    assert hit_ids(empty_backend, "deleted_at:[2026-03-15 TO *]") == {"x:1004"}
    assert hit_ids(empty_backend, "deleted_at:[* TO *]") == {"mastodon:2006", "x:1004"}, (
        "a post that came back is not gone, whenever it was missing"
    )
