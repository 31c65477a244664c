"""ElasticsearchBackend: the SearchBackend for an Elasticsearch 8 or OpenSearch cluster.

Posts live in a physical index ``{name}.v{timestamp}`` that an index template shapes; readers go
through the alias ``{name}`` and writers through ``{name}-write``. ``begin_rebuild`` makes a fresh
physical index beside the live one and ``commit_rebuild`` moves both aliases to it in one atomic
alias update, then drops the old index, so searches never see a half-built index. Writes stream
through the client's bulk helper in batches; a batch that meets an unreachable or overloaded
engine waits and is sent again (nothing before it is re-sent, nothing after it is skipped) until
``outage_wait_seconds`` have passed, and documents the engine refuses are reported together in a
BulkRejected error once everything else is written. Searches fail fast with BackendUnavailable.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from itertools import islice
from typing import Any, TypeVar

from archiveren.errors import BackendUnavailable, IndexError_, QueryError
from config.models import SearchSettings
from indexer.backends import elastic_query
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
    from_source,
    index_settings,
    mappings,
    template_body,
    to_document,
)
from indexer.post import Post
from indexer.query_model import FacetBucket, Hit, SearchRequest, SearchResult
from indexer.query_parser import parse_query

T = TypeVar("T")
BATCH_SIZE = 1000
PIT_KEEP_ALIVE = "2m"
SCAN_PAGE = 500
MAX_ID_BYTES = 512


class BulkRejected(IndexError_):
    """The engine refused some documents of a bulk write; ``rejected`` holds (post id, reason)."""

    def __init__(self, index: str, written: int, rejected: list[tuple[str, str]]) -> None:
        self.written = written
        self.rejected = rejected
        shown = "\n".join(f"  {post_id}: {reason}" for post_id, reason in rejected[:20])
        more = f"\n  ... and {len(rejected) - 20} more" if len(rejected) > 20 else ""
        super().__init__(
            f"search index {index!r}: {len(rejected)} Post(s) rejected, {written} written:\n{shown}{more}\nFix the extractor that produced them (or the index template) and run `archiveren index` again."
        )


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
        batch_size: int = BATCH_SIZE,
    ) -> None:
        self.settings = settings
        self.flavour: Flavour = flavour or (
            "opensearch" if settings.search_backend == "opensearch" else "elasticsearch"
        )
        self.name = index_name or settings.index_name
        self.read_alias = self.name
        self.write_alias = f"{self.name}-write"
        self.outage_wait_seconds = outage_wait_seconds
        self.retry_interval_seconds = retry_interval_seconds
        self.batch_size = batch_size
        self.client = EngineClient(settings, self.flavour)
        self._target: str | None = None  # a physical index being rebuilt, else None (use aliases)
        self._ready = False

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
                body=template_body(f"{self.name}.v*", define_analyzer=define),
            ),
        )
        if self._target is None and not self._call(
            "looking up the read alias", lambda: raw.indices.exists_alias(name=self.read_alias)
        ):
            self._create_index({self.read_alias: {}, self.write_alias: {"is_write_index": True}})
        self._ready = True

    def _analyzer_needs_definition(self) -> bool:
        """True when the engine has the snowball filter (so the index defines archiveren_dutch);
        False when it offers archiveren_dutch itself (the integ-test Elasticsearch + plugin)."""
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
        try:
            self._call(
                "checking the Dutch analyser",
                lambda: raw.indices.analyze(body={"analyzer": ANALYZER, "text": "ambtenaren"}),
            )
            return False
        except BackendUnavailable:
            raise
        except IndexError_:
            raise IndexError_(
                f"{self.where} has neither the snowball token filter (module analysis-common) nor the {ANALYZER} analyzer; use a full distribution or start the node with scripts/search-engine, which installs {ANALYZER}"
            ) from None

    def _create_index(self, aliases: dict[str, Any], *, rebuilding: bool = False) -> str:
        physical = f"{self.name}.v{datetime.now(UTC).strftime('%Y%m%d%H%M%S%f')}"
        define = self._analyzer_needs_definition()
        body = {
            "settings": index_settings(define_analyzer=define, rebuilding=rebuilding),
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

    def index_posts(self, posts: Iterable[Post]) -> int:
        self.ensure_index()
        rejected: list[tuple[str, str]] = []

        def actions() -> Iterator[dict[str, Any]]:
            for post in posts:
                # The engine fails a whole bulk request over one long id, so refuse it here.
                size = len(post.id.encode("utf-8"))
                if size > MAX_ID_BYTES:
                    rejected.append(
                        (
                            post.id,
                            f"id is {size} bytes long; {self.flavour} takes ids of at most {MAX_ID_BYTES} bytes",
                        )
                    )
                    continue
                yield {
                    "_op_type": "index",
                    "_index": self._write,
                    "_id": post.id,
                    "_source": to_document(post),
                }

        return self._write_actions(actions(), what="indexing Posts", rejected=rejected)

    def delete(self, post_ids: Iterable[str]) -> int:
        self.ensure_index()
        actions = (
            {"_op_type": "delete", "_index": self._write, "_id": post_id} for post_id in post_ids
        )
        return self._write_actions(actions, what="deleting Posts", missing_ok=True)

    def _write_actions(
        self,
        actions: Iterator[dict[str, Any]],
        *,
        what: str,
        missing_ok: bool = False,
        rejected: list[tuple[str, str]] | None = None,
    ) -> int:
        written = 0
        rejected = [] if rejected is None else rejected
        while batch := list(islice(actions, self.batch_size)):
            done, refused = self._send_batch(batch, what=what, written_before=written)
            written += done
            rejected.extend(
                (post_id, reason)
                for post_id, reason in refused
                if not (missing_ok and reason == "not_found")
            )
        if written or rejected:
            self._call(
                f"{what}: refreshing", lambda: self.client.raw.indices.refresh(index=self._write)
            )
        if rejected:
            raise BulkRejected(self._write, written, rejected)
        return written

    def _send_batch(
        self, batch: list[dict[str, Any]], *, what: str, written_before: int
    ) -> tuple[int, list[tuple[str, str]]]:
        """Send one batch until the engine takes it; an outage makes it wait, not skip."""
        deadline = time.monotonic() + self.outage_wait_seconds
        delay = self.retry_interval_seconds
        while True:
            try:
                done, refused = 0, []
                for ok, item in self.client.streaming_bulk(
                    batch, max_retries=3, initial_backoff=self.retry_interval_seconds
                ):
                    _op, result = next(iter(item.items()))
                    if ok:
                        done += 1
                    else:
                        refused.append((str(result.get("_id")), _item_reason(result)))
                return done, refused
            except Exception as exc:
                if not (is_unreachable(exc) or status_of(exc) in RETRY_STATUSES):
                    if is_engine_error(exc):
                        raise IndexError_(
                            f"{what}: {self.where} refused a bulk request: {reason_of(exc)}"
                        ) from None
                    raise
                if time.monotonic() + delay > deadline:
                    raise BackendUnavailable(
                        f"{what}: {self.where} has been unreachable or overloaded for {self.outage_wait_seconds:.0f}s ({reason_of(exc)}); "
                        f"{written_before} written before the outage, the batch from Post {batch[0]['_id']!r} on was not; "
                        "start the engine and run the command again (it carries on from the watermark)"
                    ) from None
                time.sleep(delay)
                delay = min(delay * 2, 30.0)

    # -- reading --------------------------------------------------------------------------

    def get(self, post_id: str) -> Post | None:
        self.ensure_index()
        found = self._call(
            f"reading Post {post_id!r}",
            lambda: self.client.raw.search(
                index=self._read,
                body={"query": {"ids": {"values": [post_id]}}, "_source": ["post"], "size": 1},
            ),
        )
        hits = found["hits"]["hits"]
        return from_source(hits[0]["_source"]) if hits else None

    def count(self) -> int:
        self.ensure_index()
        return int(
            self._call("counting Posts", lambda: self.client.raw.count(index=self._read))["count"]
        )

    def search(self, request: SearchRequest) -> SearchResult:
        self.ensure_index()
        node = parse_query(request.query)
        cursor = _Cursor.decode(request.search_after) if request.search_after else None
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
            next_cursor = _Cursor(pit_id, hits[-1]["sort"], seen).encode()
        return SearchResult(
            total=total,
            hits=[_hit(h) for h in hits],
            facets=_facets(response, request),
            date_histogram=_histogram(response),
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
        self.ensure_index()
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
        self.ensure_index()
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
        return [_hit(h) for h in response["hits"]["hits"]]

    # -- rebuild and lifecycle ------------------------------------------------------------

    def begin_rebuild(self) -> ElasticsearchBackend:
        self.ensure_index()
        fresh = ElasticsearchBackend(
            self.settings,
            index_name=self.name,
            flavour=self.flavour,
            outage_wait_seconds=self.outage_wait_seconds,
            retry_interval_seconds=self.retry_interval_seconds,
            batch_size=self.batch_size,
        )
        fresh._target = self._create_index({}, rebuilding=True)
        fresh._ready = True
        return fresh

    def commit_rebuild(self, rebuilt: ElasticsearchBackend) -> None:  # type: ignore[override]
        if rebuilt._target is None or rebuilt.name != self.name:
            raise IndexError_(
                f"commit_rebuild: {rebuilt.name!r} is not a rebuild of {self.name!r}; pass the backend begin_rebuild returned"
            )
        new = rebuilt._target
        raw = self.client.raw
        self._call(
            f"finishing {new}",
            lambda: raw.indices.put_settings(index=new, body={"index": {"refresh_interval": None}}),
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
                lambda index=index: raw.indices.delete(index=index),
            )
        rebuilt._target = None

    def drop(self) -> None:
        """Delete every index, alias and the template of this name (tests and `index --reset`)."""
        raw = self.client.raw
        # Deleting by wildcard is refused by default (action.destructive_requires_name), so name them.
        for index in sorted(
            self._call("listing indices", lambda: raw.indices.get(index=f"{self.name}.v*"))
        ):
            self._call(
                f"dropping index {index}", lambda index=index: raw.indices.delete(index=index)
            )
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


class _Cursor:
    """The opaque search_after cursor: point-in-time id, the last hit's sort values, hits seen."""

    def __init__(self, pit_id: str, sort_values: list[Any], seen: int) -> None:
        self.pit_id = pit_id
        self.sort_values = sort_values
        self.seen = seen

    def encode(self) -> list[str]:
        return ["pit", self.pit_id, json.dumps(self.sort_values), str(self.seen)]

    @classmethod
    def decode(cls, parts: list[str]) -> _Cursor:
        try:
            marker, pit_id, sort_values, seen = parts
            if marker != "pit":
                raise ValueError(marker)
            return cls(pit_id, json.loads(sort_values), int(seen))
        except ValueError:
            raise QueryError(
                "the paging cursor is not one this search engine gave out; search again from the first page"
            ) from None


def _hit(hit: dict[str, Any]) -> Hit:
    return Hit(
        post=from_source(hit["_source"]),
        score=float(hit.get("_score") or 0.0),
        highlights=dict(hit.get("highlight", {})),
    )


def _facets(response: dict[str, Any], request: SearchRequest) -> dict[str, list[FacetBucket]]:
    aggs = response.get("aggregations", {})
    return {
        name: [
            FacetBucket(value=str(b["key"]), count=int(b["doc_count"]))
            for b in aggs.get(f"facet:{name}", {}).get("buckets", [])
        ]
        for name in request.facets
    }


def _histogram(response: dict[str, Any]) -> list[FacetBucket]:
    buckets = response.get("aggregations", {}).get("date_histogram", {}).get("buckets", [])
    return [FacetBucket(value=b["key_as_string"], count=int(b["doc_count"])) for b in buckets]


def _item_reason(result: dict[str, Any]) -> str:
    error = result.get("error")
    if isinstance(error, dict):
        # The engine quotes the offending value, which may be huge; keep the report readable.
        reason = f"{error.get('type')}: {str(error.get('reason'))[:240]}"
        cause = error.get("caused_by")
        if isinstance(cause, dict):
            reason += f" (caused by {cause.get('type')}: {str(cause.get('reason'))[:160]})"
        return reason
    if result.get("result") == "not_found" or result.get("status") == 404:
        return "not_found"
    return str(error or result.get("status"))
