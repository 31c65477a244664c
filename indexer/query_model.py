"""The query model every search backend answers: one request type, one result type, one protocol.

The query string is Lucene-style (words, "phrases", field:value, AND/OR/NOT, wildcards,
prefix*). Filters, facets, sort, highlight and paging are separate, typed parts so that the
UI, the CLI and the exports build requests the same way for tantivy and Elasticsearch.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Literal, Protocol, runtime_checkable

from pydantic import BaseModel, Field

from foundation.post import Post
from indexer.prepared import PreparedPost

FilterField = Literal[
    "platform",
    "source",
    "organisation",
    "author",
    "author_handle",
    "kind",
    "hashtag",
    "mention",
    "lang",
    "thread_id",
    "parent_id",
    "changed",
    "deleted",
]
FACET_FIELDS: tuple[str, ...] = ("platform", "source", "organisation", "author", "kind", "hashtag")
Sort = Literal["relevance", "newest", "oldest"]
Interval = Literal["day", "week", "month", "year"]


class SearchRequest(BaseModel):
    query: str = Field(
        default="", description="Lucene-style query string; empty matches everything"
    )
    filters: dict[str, list[str]] = Field(
        default_factory=dict,
        description="field -> accepted values (OR within a field, AND across fields)",
    )
    date_from: datetime | None = Field(default=None, description="published_at >= this (UTC)")
    date_to: datetime | None = Field(default=None, description="published_at < this (UTC)")
    facets: list[str] = Field(default_factory=lambda: list(FACET_FIELDS))
    facet_size: int = 20
    date_histogram: Interval | None = "month"
    sort: Sort = "relevance"
    highlight: bool = True
    offset: int = Field(default=0, ge=0)
    limit: int = Field(default=20, ge=0, le=1000)
    search_after: list[str] | None = Field(
        default=None, description="opaque cursor from a previous page for deep paging"
    )


class FacetBucket(BaseModel):
    value: str
    count: int


class Hit(BaseModel):
    post: Post
    score: float = 0.0
    highlights: dict[str, list[str]] = Field(
        default_factory=dict,
        description="field -> HTML snippets with <mark> around matches; everything else escaped",
    )


class SearchResult(BaseModel):
    total: int
    hits: list[Hit]
    facets: dict[str, list[FacetBucket]] = Field(default_factory=dict)
    date_histogram: list[FacetBucket] = Field(
        default_factory=list, description="bucket start (ISO date) -> count"
    )
    next_cursor: list[str] | None = None


@runtime_checkable
class SearchBackend(Protocol):
    """What the indexer writes to and the UI reads from. Implementations: TantivyBackend,
    ElasticsearchBackend (also for OpenSearch)."""

    @staticmethod
    def prepare(post: Post) -> PreparedPost:
        """The document this backend writes for ``post``, with the Post it came from. A
        function of the Post alone (DocumentPreparer), so it may run in another process."""

    def index_posts(self, posts: Iterable[Post]) -> int:
        """Add or replace Posts by id; returns how many were written. Durable when it returns."""

    def index_prepared(self, documents: Iterable[PreparedPost]) -> int:
        """index_posts for Posts already made into documents by ``prepare``: each replaces the
        Post of its id, the index's or an earlier one among ``documents``."""

    def delete(self, post_ids: Iterable[str]) -> int: ...

    def get(self, post_id: str) -> Post | None: ...

    def get_many(self, post_ids: list[str]) -> dict[str, Post]:
        """The stored Posts among ``post_ids`` (those not indexed are absent), in one round trip."""

    def search(self, request: SearchRequest) -> SearchResult: ...

    def scan(self, request: SearchRequest) -> Iterator[Post]:
        """Every Post matching the request's query and filters, streamed (exports)."""

    def more_like_this(self, post_id: str, limit: int = 10) -> list[Hit]: ...

    def count(self) -> int: ...

    def begin_rebuild(self) -> SearchBackend:
        """A fresh, empty index beside the live one; commit_rebuild swaps it in."""

    def commit_rebuild(self, rebuilt: SearchBackend) -> None: ...

    def abort_rebuild(self, rebuilt: SearchBackend) -> None:
        """Throw away a rebuild that begin_rebuild started and that will not be committed."""

    def remove_abandoned_rebuilds(self) -> list[str]:
        """Remove what rebuilds that never finished left beside the live index (call only
        while holding the index lock); the names of what was removed."""

    def close(self) -> None: ...
