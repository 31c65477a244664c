"""ElasticsearchBackend: the SearchBackend for an Elasticsearch 8 or OpenSearch cluster.

Posts live in a physical index ``{name}.v{timestamp}`` that an index template shapes; readers go
through the alias ``{name}`` and writers through ``{name}-write``. ``begin_rebuild`` makes a fresh
physical index beside the live one and ``commit_rebuild`` moves both aliases to it in one atomic
alias update, then drops the old index, so searches never see a half-built index. Writes go
through elastic_bulk.BulkWriter, which waits out an engine outage without losing its place;
searches fail fast with BackendUnavailable, and a deep-paging cursor carries a point in time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from functools import partial
from typing import Any, TypeVar

from config.models import SearchSettings
from foundation.errors import BackendUnavailable, IndexError_, QueryError
from foundation.post import Post
from indexer.backends import elastic_query
from indexer.backends import elastic_results as results
from indexer.backends.elastic_bulk import BulkRejected, BulkWriter
from indexer.backends.elastic_client import (
    RETRY_STATUSES,
    EngineClient,
    Flavour,
    is_engine_error,
    is_unreachable,
    reason_of,
    status_of,
)
from indexer.backends.elastic_mapping import (
    ANALYZER,
    FOLDED_ANALYZER,
    MAPPING_VERSION,
    from_source,
    index_settings,
    mappings,
    prepare_document,
    template_body,
)
from indexer.backends.elastic_results import Cursor
from indexer.prepared import PreparedPost
from indexer.query_model import Hit, SearchBackend, SearchRequest, SearchResult
from indexer.query_parser import parse_query

__all__ = ["BulkRejected", "ElasticsearchBackend"]

T = TypeVar("T")
PIT_KEEP_ALIVE = "2m"
SCAN_PAGE = 500


class ElasticsearchBackend:
    """SearchBackend over Elasticsearch 8 or OpenSearch; ``flavour`` defaults to the settings'
    search_backend (tantivy there means Elasticsearch, for callers that pick this class)."""

    def __init__(
        self,
        settings: SearchSettings,
        *,
        index_name: str | None = None,
        flavour: Flavour | None = None,
        outage_wait_seconds: float = 300.0,
        retry_interval_seconds: float = 2.0,
        batch_size: int = 1000,
    ) -> None:
        self.settings = settings
        self.flavour: Flavour = flavour or (
            "opensearch" if settings.search_backend == "opensearch" else "elasticsearch"
        )
        self.name = index_name or settings.index_name
        self.read_alias = self.name
        self.write_alias = f"{self.name}-write"
        self.client = EngineClient(settings, self.flavour)
        self.writer = BulkWriter(
            self.client, self.where, outage_wait_seconds, retry_interval_seconds, batch_size
        )
        self._target: str | None = None  # a physical index being rebuilt, else None (use aliases)
        self._ready = False
        self._current = False  # the live index was found to have this version's mappings

    # -- layout ---------------------------------------------------------------------------

    @property
    def where(self) -> str:
        return f"{self.flavour} at {', '.join(self.client.hosts)}"

    def _call(self, what: str, call: Callable[[], T]) -> T:
        """Run one engine call, turning its failures into archiveren errors that say where."""
        try:
            return call()
        except Exception as exc:
            if is_unreachable(exc) or status_of(exc) in RETRY_STATUSES:
                raise BackendUnavailable(
                    f"{what}: {self.where} cannot be reached or is overloaded ({exc.__class__.__name__}: {reason_of(exc)}); start it (scripts/search-engine start) or check search.hosts in the config"
                ) from None
            if is_engine_error(exc):
                raise IndexError_(
                    f"{what}: {self.where} refused the request: {reason_of(exc)}"
                ) from None
            raise

    def ensure_index(self) -> None:
        """Install the template and, on first use, the first physical index with both aliases."""
        if self._ready:
            return
        raw = self.client.raw
        define = self._analyzer_needs_definition()
        self._call(
            "installing the index template",
            lambda: raw.indices.put_index_template(
                name=f"{self.name}-template",
                body=template_body(f"{self.name}.v*", define_analyzer=define, **self._layout()),
            ),
        )
        if self._target is None:
            if not self._call(
                "looking up the read alias", lambda: raw.indices.exists_alias(name=self.read_alias)
            ):
                self._create_index(
                    {self.read_alias: {}, self.write_alias: {"is_write_index": True}}
                )
            else:
                # Replicas and refresh may change on a live index: the configured ones apply.
                self._call(
                    "applying search.number_of_replicas and search.refresh_interval",
                    lambda: raw.indices.put_settings(index=self.read_alias, body=self._dynamic()),
                )
        self._ready = True

    def _layout(self) -> dict[str, Any]:
        return {
            "shards": self.settings.number_of_shards,
            "replicas": self.settings.number_of_replicas,
            "refresh_interval": self.settings.refresh_interval,
        }

    def _dynamic(self) -> dict[str, Any]:
        return {
            "index": {
                "number_of_replicas": self.settings.number_of_replicas,
                "refresh_interval": self.settings.refresh_interval,
            }
        }

    def ensure_current(self) -> None:
        """ensure_index, then refuse an index whose mappings an earlier version made (it would
        answer some queries wrongly, e.g. find no names) until `index --rebuild` replaced it.
        Checked until the index is found current, so a rebuild elsewhere is noticed."""
        self.ensure_index()
        if self._current or self._target is not None:
            return
        found = self._call(
            "reading the index mappings",
            lambda: dict(self.client.raw.indices.get_mapping(index=self.read_alias)),
        )
        versions = {
            index: body.get("mappings", {}).get("_meta", {}).get("archiveren_mapping_version", 1)
            for index, body in found.items()
        }
        old = sorted(index for index, version in versions.items() if version < MAPPING_VERSION)
        if old:
            raise IndexError_(
                f"the search index {', '.join(old)} on {self.where} was built by an earlier version of archiveren "
                f"(mapping version {min(versions.values())}, this one needs {MAPPING_VERSION}) and lacks fields this version searches "
                "(names, wildcards, fuzzy words, earlier versions); run `archiveren index --rebuild` to rebuild it from the WARC files"
            )
        self._current = True

    def _analyzer_needs_definition(self) -> bool:
        """True when the engine has the snowball filter (so the index defines archiveren_dutch
        and archiveren_folded); False when it offers both itself (the integ-test Elasticsearch
        with the plugin of scripts/search-engine)."""
        raw = self.client.raw
        probe = {
            "tokenizer": "standard",
            "filter": [{"type": "snowball", "language": "Dutch"}],
            "text": "ambtenaren",
        }
        try:
            self._call("checking the Dutch analyser", lambda: raw.indices.analyze(body=probe))
            return True
        except BackendUnavailable:
            raise
        except IndexError_:
            pass
        for analyzer in (ANALYZER, FOLDED_ANALYZER):
            try:
                self._call(
                    "checking the Dutch analyser",
                    partial(raw.indices.analyze, body={"analyzer": analyzer, "text": "ambtenaren"}),
                )
            except BackendUnavailable:
                raise
            except IndexError_:
                raise IndexError_(
                    f"{self.where} has neither the snowball token filter (module analysis-common) nor the {analyzer} analyzer; use a full distribution or start the node with scripts/search-engine, which installs {ANALYZER} and {FOLDED_ANALYZER} (a node it started before {FOLDED_ANALYZER} existed needs `scripts/search-engine stop` and `start`)"
                ) from None
        return False

    def _create_index(self, aliases: dict[str, Any], *, rebuilding: bool = False) -> str:
        physical = f"{self.name}.v{datetime.now(UTC).strftime('%Y%m%d%H%M%S%f')}"
        define = self._analyzer_needs_definition()
        body = {
            "settings": index_settings(
                define_analyzer=define, rebuilding=rebuilding, **self._layout()
            ),
            "mappings": mappings(),
            "aliases": aliases,
        }
        self._call(
            f"creating index {physical}",
            lambda: self.client.raw.indices.create(index=physical, body=body),
        )
        return physical

    def physical_indices(self) -> list[str]:
        """The physical indices the read alias points at (one, except mid-swap)."""
        if self._target is not None:
            return [self._target]
        found = self._call(
            "resolving the read alias",
            lambda: self.client.raw.indices.get_alias(name=self.read_alias),
        )
        return sorted(found)

    @property
    def _read(self) -> str:
        return self._target or self.read_alias

    @property
    def _write(self) -> str:
        return self._target or self.write_alias

    # -- writing --------------------------------------------------------------------------

    @staticmethod
    def prepare(post: Post) -> PreparedPost:
        return prepare_document(post)

    def index_posts(self, posts: Iterable[Post]) -> int:
        return self.index_prepared(prepare_document(post) for post in posts)

    def index_prepared(self, documents: Iterable[PreparedPost]) -> int:
        # Not ensure_current: writing waits out an outage (BulkWriter), and an index of an
        # earlier version takes the same documents; searching it is what goes wrong.
        self.ensure_index()
        return self.writer.index(self._write, documents)

    def delete(self, post_ids: Iterable[str]) -> int:
        self.ensure_index()
        return self.writer.delete(self._write, post_ids)

    # -- reading --------------------------------------------------------------------------

    def get(self, post_id: str) -> Post | None:
        self.ensure_index()

        def fetch() -> dict[str, Any] | None:
            # The real-time GET sees a Post as soon as it is written, refreshed or not.
            try:
                return dict(self.client.raw.get(index=self._read, id=post_id))
            except Exception as exc:
                if status_of(exc) == 404:
                    return None
                raise

        found = self._call(f"reading Post {post_id!r}", fetch)
        return from_source(found["_source"]) if found else None

    def get_many(self, post_ids: list[str]) -> dict[str, Post]:
        """The stored Posts among ``post_ids``, in one real-time multi-get."""
        if not post_ids:
            return {}
        self.ensure_index()
        found = self._call(
            f"reading {len(post_ids)} Posts",
            lambda: dict(self.client.raw.mget(index=self._read, body={"ids": list(post_ids)})),
        )
        return {
            doc["_id"]: from_source(doc["_source"])
            for doc in found.get("docs", [])
            if doc.get("found")
        }

    def count(self) -> int:
        self.ensure_index()
        return int(
            self._call("counting Posts", lambda: self.client.raw.count(index=self._read))["count"]
        )

    def search(self, request: SearchRequest) -> SearchResult:
        self.ensure_current()
        node = parse_query(request.query)
        cursor = Cursor.decode(request.search_after) if request.search_after else None
        body = elastic_query.search_body(
            node, request, size=request.limit, offset=0 if cursor else request.offset
        )
        if cursor is not None:
            body["pit"] = {"id": cursor.pit_id, "keep_alive": PIT_KEEP_ALIVE}
            body["search_after"] = cursor.sort_values
            del body["from"]
        response = self._search(
            body, index=None if cursor else self._read, paging=cursor is not None
        )
        hits = response["hits"]["hits"]
        total = int(response["hits"]["total"]["value"])
        seen = (cursor.seen if cursor else request.offset) + len(hits)
        next_cursor = None
        if hits and len(hits) == request.limit and seen < total:
            pit_id = response.get("pit_id") or (
                cursor.pit_id
                if cursor
                else self._call(
                    "opening a point in time",
                    lambda: self.client.open_pit(self._read, PIT_KEEP_ALIVE),
                )
            )
            next_cursor = Cursor(pit_id, hits[-1]["sort"], seen).encode()
        return SearchResult(
            total=total,
            hits=[results.hit(h) for h in hits],
            facets=results.facets(response, request),
            date_histogram=results.date_histogram(response),
            next_cursor=next_cursor,
        )

    def _search(self, body: dict[str, Any], *, index: str | None, paging: bool) -> dict[str, Any]:
        try:
            return self._call(
                "searching",
                lambda: (
                    self.client.raw.search(index=index, body=body)
                    if index
                    else self.client.raw.search(body=body)
                ),
            )
        except IndexError_ as exc:
            if (
                paging
                and not isinstance(exc, BackendUnavailable)
                and "search_context_missing" in str(exc)
            ):
                raise QueryError(
                    f"the paging cursor has expired (a page is kept {PIT_KEEP_ALIVE} after the previous one); search again from the first page"
                ) from None
            if "query_shard_exception" in str(exc) or "parse_exception" in str(exc):
                raise QueryError(f"the search engine could not run this query: {exc}") from None
            raise

    def scan(self, request: SearchRequest) -> Iterator[Post]:
        self.ensure_current()
        query = elastic_query.full_query(parse_query(request.query), request)
        pit_id = self._call(
            "opening a point in time", lambda: self.client.open_pit(self._read, PIT_KEEP_ALIVE)
        )
        try:
            search_after: list[Any] | None = None
            while True:
                body: dict[str, Any] = {
                    "query": query,
                    "size": SCAN_PAGE,
                    "sort": [{"id": "asc"}],
                    "_source": ["post"],
                    "pit": {"id": pit_id, "keep_alive": PIT_KEEP_ALIVE},
                    "track_total_hits": False,
                }
                if search_after is not None:
                    body["search_after"] = search_after
                response = self._search(body, index=None, paging=True)
                pit_id = response.get("pit_id", pit_id)
                hits = response["hits"]["hits"]
                for hit in hits:
                    yield from_source(hit["_source"])
                if len(hits) < SCAN_PAGE:
                    return
                search_after = hits[-1]["sort"]
        finally:
            try:
                self.client.close_pit(pit_id)
            except (
                Exception
            ) as exc:  # the PIT expires by itself; a failed close must not hide the real outcome
                if not (is_unreachable(exc) or is_engine_error(exc)):
                    raise

    def more_like_this(self, post_id: str, limit: int = 10) -> list[Hit]:
        self.ensure_current()
        index = self.physical_indices()[0]
        body = {
            "query": {
                "more_like_this": {
                    "fields": ["title", "text"],
                    "like": [{"_index": index, "_id": post_id}],
                    "min_term_freq": 1,
                    "min_doc_freq": 1,
                    "max_query_terms": 25,
                }
            },
            "size": limit,
            "_source": ["post"],
        }
        response = self._call(
            f"finding Posts like {post_id!r}",
            lambda: self.client.raw.search(index=self._read, body=body),
        )
        return [results.hit(h) for h in response["hits"]["hits"]]

    # -- rebuild and lifecycle ------------------------------------------------------------

    def begin_rebuild(self) -> ElasticsearchBackend:
        self.ensure_index()
        fresh = ElasticsearchBackend(
            self.settings,
            index_name=self.name,
            flavour=self.flavour,
            outage_wait_seconds=self.writer.outage_wait_seconds,
            retry_interval_seconds=self.writer.retry_interval_seconds,
            batch_size=self.writer.batch_size,
        )
        fresh._target = self._create_index({}, rebuilding=True)
        fresh._ready = True
        return fresh

    def commit_rebuild(self, rebuilt: SearchBackend) -> None:
        if (
            not isinstance(rebuilt, ElasticsearchBackend)
            or rebuilt._target is None
            or rebuilt.name != self.name
        ):
            raise IndexError_(
                f"commit_rebuild takes the backend that begin_rebuild of {self.name!r} returned"
            )
        new = rebuilt._target
        raw = self.client.raw
        self._call(
            f"finishing {new}",
            lambda: raw.indices.put_settings(
                index=new, body={"index": {"refresh_interval": self.settings.refresh_interval}}
            ),
        )
        self._call(f"refreshing {new}", lambda: raw.indices.refresh(index=new))
        old = (
            self.physical_indices()
            if self._call(
                "looking up the read alias", lambda: raw.indices.exists_alias(name=self.read_alias)
            )
            else []
        )
        actions: list[dict[str, Any]] = [
            {"remove": {"index": index, "alias": alias}}
            for index in old
            for alias in (self.read_alias, self.write_alias)
        ]
        actions += [
            {"add": {"index": new, "alias": self.read_alias}},
            {"add": {"index": new, "alias": self.write_alias, "is_write_index": True}},
        ]
        # One request, so readers switch from the old index to the new one atomically.
        self._call(
            "swapping the aliases", lambda: raw.indices.update_aliases(body={"actions": actions})
        )
        for index in old:
            self._call(
                f"dropping the old index {index}",
                partial(raw.indices.delete, index=index),
            )
        rebuilt._target = None
        self._current = False

    def abort_rebuild(self, rebuilt: SearchBackend) -> None:
        if isinstance(rebuilt, ElasticsearchBackend) and rebuilt._target is not None:
            target, rebuilt._target = rebuilt._target, None
            self._call(
                f"dropping the unfinished rebuild {target}",
                partial(self.client.raw.indices.delete, index=target),
            )

    def remove_abandoned_rebuilds(self) -> list[str]:
        """Physical indices of this name that neither alias points at: rebuilds that died."""
        raw = self.client.raw
        self.ensure_index()
        indices = self._call("listing indices", lambda: raw.indices.get(index=f"{self.name}.v*"))
        live = set(self.physical_indices())
        abandoned = sorted(
            index
            for index, body in indices.items()
            if index not in live and not body.get("aliases")
        )
        for index in abandoned:
            self._call(
                f"dropping the abandoned rebuild {index}", partial(raw.indices.delete, index=index)
            )
        return abandoned

    def drop(self) -> None:
        """Delete every index, alias and the template of this name (tests and `index --reset`)."""
        raw = self.client.raw
        # Deleting by wildcard is refused by default (action.destructive_requires_name), so name them.
        for index in sorted(
            self._call("listing indices", lambda: raw.indices.get(index=f"{self.name}.v*"))
        ):
            self._call(f"dropping index {index}", partial(raw.indices.delete, index=index))
        if self._call(
            "looking up the template",
            lambda: raw.indices.exists_index_template(name=f"{self.name}-template"),
        ):
            self._call(
                "dropping the template",
                lambda: raw.indices.delete_index_template(name=f"{self.name}-template"),
            )
        self._ready = False

    def close(self) -> None:
        self.client.close()
