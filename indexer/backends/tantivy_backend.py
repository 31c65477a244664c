"""TantivyBackend: the embedded search backend, an index directory in the data dir and no
server. One process writes (tantivy's writer lock says which); any number of processes search,
each on a snapshot of the last commit, so indexing never blocks a search. The index path is a
symlink to a generation directory beside it: a rebuild fills a new generation and swaps the
symlink with one atomic rename, and searchers in every process follow the link on their next
search.
"""

from __future__ import annotations

import os
import re
import shutil
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

import tantivy
from tantivy import FieldType, Occur, Order, Query

from foundation.errors import IndexError_, QueryError, StorageFull, is_disk_full
from foundation.post import Post
from indexer.backends.tantivy_query import QueryTranslator
from indexer.backends.tantivy_results import (
    decode_cursor,
    encode_cursor,
    facet_counts,
    highlight_html,
)
from indexer.backends.tantivy_schema import (
    NEWEST_KEY,
    OLDEST_KEY,
    build_schema,
    prepare_document,
    register_analyzers,
    stored_post,
    with_stored,
)
from indexer.prepared import PreparedPost
from indexer.query_ast import MatchAll
from indexer.query_model import Hit, SearchBackend, SearchRequest, SearchResult
from indexer.query_parser import parse_query

MAX_WINDOW = 100_000
"""offset + limit beyond this must page with next_cursor (newest/oldest), as in Elasticsearch."""
SCAN_BATCH = 500
SNIPPET_CHARS = 240
_SCHEMA_MISMATCH = "schema does not match"
"""What tantivy says when an index on disk has other fields than the schema it is opened with."""
LOW_DISK_BYTES = 64_000_000
"""A tantivy write that fails with less than this free beside the index failed for lack of room."""


class TantivyBackend:
    """SearchBackend over a tantivy index at ``path`` (normally ``data_dir / "index"``)."""

    def __init__(
        self,
        path: Path,
        *,
        writer_heap_bytes: int = 128_000_000,
        writer_threads: int = 1,
        _generation: bool = False,
    ) -> None:
        self.path = Path(path)
        self.schema = build_schema()
        self._translator = QueryTranslator(self.schema)
        self._heap = writer_heap_bytes
        self._threads = writer_threads
        self._is_generation = _generation
        self._lock = threading.RLock()
        self._writer: tantivy.IndexWriter | None = None
        self._outdated: str | None = None  # why the live index cannot serve this version
        self._index, self._target = self._open()

    # -- opening and following the live generation --------------------------------------------

    def _open(self) -> tuple[tantivy.Index, str]:
        if self._is_generation:
            self.path.mkdir(parents=True, exist_ok=True)
        elif not self.path.exists():
            generation = self._new_generation_dir()
            generation.mkdir(parents=True)
            _point_link(self.path, generation)
        target = os.path.realpath(self.path)
        self._outdated = None
        try:
            index = tantivy.Index(self.schema, path=target, reuse=True)
        except ValueError as exc:
            if _SCHEMA_MISMATCH not in str(exc) or self._is_generation:
                raise IndexError_(
                    f"cannot open the search index at {self.path} ({exc}); if it was built by another version, run `archiveren index --rebuild`"
                ) from exc
            # Built by a version with other fields. Opened as it is, so that a rebuild can
            # replace it; searching and writing it are refused until then.
            index = tantivy.Index.open(target)
            self._outdated = (
                f"the search index at {self.path} was built by an earlier version of archiveren "
                "and lacks fields this version searches (names, wildcards, fuzzy words, earlier versions); "
                "run `archiveren index --rebuild` to rebuild it from the WARC files"
            )
        register_analyzers(index)
        index.config_reader(reload_policy="OnCommit")
        return index, target

    def _new_generation_dir(self) -> Path:
        return self.path.parent / f"{self.path.name}-{time.time_ns()}"

    def _searcher(self) -> tantivy.Searcher:
        # Another process may have swapped in a rebuilt generation; follow the link if so.
        if (
            not self._is_generation
            and os.path.realpath(self.path) != self._target
            and self.path.exists()
        ):
            with self._lock:
                if os.path.realpath(self.path) != self._target:
                    self._close_writer()
                    self._index, self._target = self._open()
        if self._outdated is not None:
            raise IndexError_(self._outdated)
        return self._index.searcher()

    def _get_writer(self) -> tantivy.IndexWriter:
        if self._writer is None:
            try:
                self._writer = self._index.writer(self._heap, self._threads)
            except ValueError as exc:
                raise IndexError_(
                    f"cannot write the search index at {self.path}: another process is writing it ({exc}); "
                    "wait for that indexer to finish or stop it, then try again"
                ) from exc
        return self._writer

    def _close_writer(self) -> None:
        if self._writer is not None:
            self._writer.wait_merging_threads()
            self._writer = None

    # -- writing ---------------------------------------------------------------------------------

    @staticmethod
    def prepare(post: Post) -> PreparedPost:
        return prepare_document(post)

    def index_posts(self, posts: Iterable[Post]) -> int:
        return self.index_prepared(prepare_document(post) for post in posts)

    def index_prepared(self, documents: Iterable[PreparedPost]) -> int:
        written = 0
        searcher = self._searcher()
        with self._lock:
            writer = self._get_writer()
            added: set[str] = set()
            try:
                for prepared in documents:
                    # Replace by id: a delete applies to the documents added before it, so the
                    # newest of a Post wins, also within one call. An id the index does not
                    # hold needs none: each delete costs a lookup in every segment at commit.
                    if prepared.id in added or searcher.doc_freq("id", prepared.id):
                        writer.delete_documents_by_term("id", prepared.id)
                    writer.add_json(with_stored(prepared))
                    added.add(prepared.id)
                    written += 1
                writer.commit()
            except (ValueError, OSError) as exc:
                self._writer = None  # a writer that failed may be dead ("index writer was killed")
                raise self._write_failure(exc) from None
            except BaseException:
                writer.rollback()
                raise
        self._index.reload()
        return written

    def _write_failure(self, exc: BaseException) -> StorageFull | IndexError_:
        """What to tell about a failed write: a full disk as such (tantivy's writer threads
        report it as "index writer was killed" without the OS error), else tantivy's words."""
        try:
            free = shutil.disk_usage(self.path.parent).free
        except OSError:
            free = -1
        if is_disk_full(exc) or 0 <= free < LOW_DISK_BYTES:
            return StorageFull(
                f"the disk holding the search index {self.path} is full ({free // 1_000_000} MB free; "
                f"tantivy: {exc}); nothing of this batch was kept; free space and index again"
            )
        return IndexError_(f"writing the search index {self.path} failed: {exc}")

    def delete(self, post_ids: Iterable[str]) -> int:
        searcher = self._searcher()
        deleted = 0
        with self._lock:
            writer = self._get_writer()
            for post_id in post_ids:
                deleted += _total(searcher, Query.term_query(self.schema, "id", post_id))
                writer.delete_documents_by_term("id", post_id)
            writer.commit()
        self._index.reload()
        return deleted

    # -- reading ---------------------------------------------------------------------------------

    def get(self, post_id: str) -> Post | None:
        searcher = self._searcher()
        hits = searcher.search(Query.term_query(self.schema, "id", post_id), 1).hits
        return stored_post(searcher.doc(hits[0][1])) if hits else None

    def get_many(self, post_ids: list[str]) -> dict[str, Post]:
        """The stored Posts among ``post_ids``, in one search (the indexer asks per batch)."""
        if not post_ids:
            return {}
        searcher = self._searcher()
        query = Query.term_set_query(self.schema, "id", list(post_ids))
        hits = searcher.search(query, len(post_ids)).hits
        found = (stored_post(searcher.doc(address)) for _score, address in hits)
        return {post.id: post for post in found}

    def count(self) -> int:
        return int(self._searcher().num_docs)

    def search(self, request: SearchRequest) -> SearchResult:
        node = parse_query(request.query)
        text_query = self._translator.query(node)
        query = self._translator.combine(text_query, self._translator.filters(request))
        searcher = self._searcher()
        if request.search_after is not None and request.offset:
            raise QueryError(
                "give either offset or search_after, not both; search_after continues right after the previous page"
            )
        if request.search_after is None and request.offset + request.limit > MAX_WINDOW:
            raise QueryError(
                f"offset + limit may not pass {MAX_WINDOW}; page deeper with next_cursor and sort newest or oldest, or narrow the query"
            )
        if request.sort == "relevance":
            hits, total, next_cursor = self._relevance_page(searcher, query, request)
        else:
            hits, total, next_cursor = self._sorted_page(searcher, query, request)
        facets, histogram = facet_counts(searcher, query, request)
        if request.highlight and not isinstance(node, MatchAll) and hits:
            self._highlight(searcher, text_query, hits)
        return SearchResult(
            total=total, hits=hits, facets=facets, date_histogram=histogram, next_cursor=next_cursor
        )

    def _relevance_page(
        self, searcher: tantivy.Searcher, query: Query, request: SearchRequest
    ) -> tuple[list[Hit], int, list[str] | None]:
        # Scores are not a total order, so relevance pages continue by offset.
        offset = (
            request.offset
            if request.search_after is None
            else decode_cursor(request.search_after, "relevance")
        )
        if offset + request.limit > MAX_WINDOW:
            raise QueryError(
                f"relevance-ordered results end at {MAX_WINDOW}; sort newest or oldest to page further"
            )
        found = searcher.search(query, request.limit + 1, count=True, offset=offset)
        page = found.hits[: request.limit]
        hits = [
            Hit(post=stored_post(searcher.doc(address)), score=float(score))
            for score, address in page
        ]
        more = len(found.hits) > request.limit and request.limit > 0
        return (
            hits,
            _count(found),
            encode_cursor("relevance", offset + request.limit) if more else None,
        )

    def _sorted_page(
        self, searcher: tantivy.Searcher, query: Query, request: SearchRequest
    ) -> tuple[list[Hit], int, list[str] | None]:
        descending = request.sort == "newest"
        key = NEWEST_KEY if descending else OLDEST_KEY
        page_query = query
        if request.search_after is not None:
            after = decode_cursor(request.search_after, request.sort)
            bound = (
                Query.range_query(
                    self.schema, key, FieldType.Unsigned, upper_bound=after, include_upper=False
                )
                if descending
                else Query.range_query(
                    self.schema, key, FieldType.Unsigned, lower_bound=after, include_lower=False
                )
            )
            page_query = Query.boolean_query([(Occur.Must, query), (Occur.Must, bound)])
        found = searcher.search(
            page_query,
            request.limit + 1,
            count=True,
            order_by_field=key,
            offset=request.offset,
            order=Order.Desc if descending else Order.Asc,
        )
        total = _count(found) if request.search_after is None else _total(searcher, query)
        page = found.hits[: request.limit]
        hits = [Hit(post=stored_post(searcher.doc(address))) for _, address in page]
        more = len(found.hits) > request.limit and request.limit > 0
        return hits, total, encode_cursor(request.sort, int(page[-1][0])) if more else None

    def _highlight(self, searcher: tantivy.Searcher, text_query: Query, hits: list[Hit]) -> None:
        for field in ("title", "text"):
            generator = tantivy.SnippetGenerator.create(searcher, text_query, self.schema, field)
            generator.set_max_num_chars(SNIPPET_CHARS)
            for hit in hits:
                text = getattr(hit.post, field)
                if not text:
                    continue
                document = tantivy.Document()
                document.add_text(field, text)
                fragment = highlight_html(generator.snippet_from_doc(document), text)
                if fragment is not None:
                    hit.highlights[field] = [fragment]

    def scan(self, request: SearchRequest) -> Iterator[Post]:
        """Oldest first, in batches that continue by sort key, on one snapshot of the index."""
        query = self._translator.combine(
            self._translator.query(parse_query(request.query)), self._translator.filters(request)
        )
        searcher = self._searcher()
        after: int | None = None
        while True:
            page_query = query
            if after is not None:
                bound = Query.range_query(
                    self.schema,
                    OLDEST_KEY,
                    FieldType.Unsigned,
                    lower_bound=after,
                    include_lower=False,
                )
                page_query = Query.boolean_query([(Occur.Must, query), (Occur.Must, bound)])
            found = searcher.search(
                page_query, SCAN_BATCH, count=False, order_by_field=OLDEST_KEY, order=Order.Asc
            )
            for key, address in found.hits:
                yield stored_post(searcher.doc(address))
                after = int(key)
            if len(found.hits) < SCAN_BATCH:
                return

    def more_like_this(self, post_id: str, limit: int = 10) -> list[Hit]:
        post = self.get(post_id)
        if post is None:
            return []
        words = f"{post.title} {post.text}".strip()
        if not words:
            return []
        # Both fields get title and text, so a title word finds the same word in other texts.
        fields = {"title": [words], "text": [words]}
        similar = Query.more_like_this_document_fields_query(
            self.schema,
            fields,
            min_doc_frequency=1,
            min_term_frequency=1,
            min_word_length=3,
            max_query_terms=25,
        )
        query = Query.boolean_query(
            [(Occur.Must, similar), (Occur.MustNot, Query.term_query(self.schema, "id", post_id))]
        )
        searcher = self._searcher()
        return [
            Hit(post=stored_post(searcher.doc(address)), score=float(score))
            for score, address in searcher.search(query, limit).hits
        ]

    # -- rebuild and lifecycle -------------------------------------------------------------------

    def begin_rebuild(self) -> TantivyBackend:
        if self._is_generation:
            raise IndexError_(
                f"{self.path} is itself a rebuild in progress; commit it before starting another"
            )
        return TantivyBackend(
            self._new_generation_dir(),
            writer_heap_bytes=self._heap,
            writer_threads=self._threads,
            _generation=True,
        )

    def commit_rebuild(self, rebuilt: SearchBackend) -> None:
        if (
            not isinstance(rebuilt, TantivyBackend)
            or not rebuilt._is_generation
            or rebuilt.path.parent != self.path.parent
        ):
            raise IndexError_(
                f"commit_rebuild takes the backend that begin_rebuild of {self.path} returned"
            )
        rebuilt.close()
        with self._lock:
            self._close_writer()
            replaced = Path(self._target)
            if not self.path.is_symlink():
                # An index made before generations existed: move it aside, then link.
                moved = self._new_generation_dir()
                os.rename(self.path, moved)
                replaced = moved
            _point_link(self.path, rebuilt.path)
            self._index, self._target = self._open()
        # Processes still reading the old generation keep their open files (POSIX semantics)
        # until they follow the link on their next search.
        shutil.rmtree(replaced, ignore_errors=True)

    def abort_rebuild(self, rebuilt: SearchBackend) -> None:
        if (
            isinstance(rebuilt, TantivyBackend)
            and rebuilt._is_generation
            and rebuilt.path.parent == self.path.parent
        ):
            rebuilt.close()
            shutil.rmtree(rebuilt.path, ignore_errors=True)

    def remove_abandoned_rebuilds(self) -> list[str]:
        """Generation directories beside the index that its link does not point at (compared
        as resolved paths: the data dir may be given relative to the working directory)."""
        live = Path(os.path.realpath(self.path))
        pattern = re.compile(rf"^{re.escape(self.path.name)}-[0-9]+$")
        abandoned = sorted(
            entry
            for entry in self.path.parent.iterdir()
            if pattern.match(entry.name)
            and entry.is_dir()
            and not entry.is_symlink()
            and entry.resolve() != live
        )
        for entry in abandoned:
            shutil.rmtree(entry, ignore_errors=True)
        return [str(entry) for entry in abandoned]

    def close(self) -> None:
        with self._lock:
            self._close_writer()


def _count(found: tantivy.SearchResult) -> int:
    return int(found.count)  # type: ignore[attr-defined]  # tantivy's stub omits SearchResult.count


def _total(searcher: tantivy.Searcher, query: Query) -> int:
    return _count(searcher.search(query, 1, count=True))


def _point_link(link: Path, target: Path) -> None:
    """Make ``link`` point at ``target`` with one atomic rename (relative, so the data dir may move)."""
    temporary = link.parent / f".{link.name}.swap-{os.getpid()}"
    if temporary.is_symlink():
        temporary.unlink()
    os.symlink(target.name, temporary)
    os.replace(temporary, link)
