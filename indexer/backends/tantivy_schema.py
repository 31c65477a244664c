"""The tantivy index layout for Posts: the Dutch analyser, the schema (analysed title/text, exact
keyword fields that are fast columns for facets, published_at as a date, calendar-bucket
ordinals for the date histogram, a unique sort key for deep paging) and the conversion of a
Post into a tantivy Document. The whole Post is stored as JSON so hits return full Posts.
"""

from __future__ import annotations

import zlib
from datetime import UTC, datetime

import tantivy

from archiveren.errors import IndexError_
from indexer.post import Post
from indexer.prepared import PreparedPost
from indexer.query_fields import (
    KEYWORD_FIELDS,
    LIST_KEYWORD_FIELDS,
    TEXT_FIELDS,
    as_utc,
    bucket_ordinals,
    keyword_values,
)
from indexer.query_model import Interval

DUTCH = "dutch"
FOLD = "fold"
STORED = "post"
NEWEST_KEY = "newest_key"
OLDEST_KEY = "oldest_key"
INTERVALS: tuple[Interval, ...] = ("day", "week", "month", "year")
FAST_KEYWORDS: tuple[str, ...] = (
    "platform",
    "source",
    "organisation",
    "kind",
    "author",
    "author_handle",
    "hashtags",
    "mentions",
    "lang",
)
"""Keyword fields kept as columns, so they can be faceted."""
_SINGLE_KEYWORDS = tuple(name for name in KEYWORD_FIELDS if name not in LIST_KEYWORD_FIELDS)

# A sort key packs (published second, 31 bits of the id's hash) into one u64 so that "newest"
# and "oldest" are total orders and a search_after cursor is a single range bound. There are two
# keys because Posts without a date come last in both orders (as in Elasticsearch).
_HASH_BITS = 31
_EPOCH_OFFSET = 1 << 32  # seconds; keeps dates back to 1834 positive
_HASH_MASK = (1 << _HASH_BITS) - 1
INDEXED_DATES = (
    datetime.fromtimestamp(1 - _EPOCH_OFFSET, UTC),
    datetime.fromtimestamp(_EPOCH_OFFSET - 1, UTC),
)


def bucket_field(interval: Interval) -> str:
    return f"pub_{interval}"


DOCUMENT_FIELDS: tuple[str, ...] = (
    *TEXT_FIELDS,
    *_SINGLE_KEYWORDS,
    *LIST_KEYWORD_FIELDS,
    "published_at",
    *(bucket_field(interval) for interval in INTERVALS),
    NEWEST_KEY,
    OLDEST_KEY,
)
"""The order of the values in a prepared tantivy document (the stored Post goes beside them)."""


def dutch_analyzer() -> tantivy.TextAnalyzer:
    """Words split on non-alphanumerics, very long tokens dropped, lowercased, Dutch stop words
    removed, ASCII-folded (België -> belgie) and Snowball-stemmed for Dutch (ambtenaren ->
    ambten). Stop words go because the stemmer maps some content words onto them (overheid ->
    over); removing them keeps their positions, so phrases still line up."""
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(64))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.stopword("dutch"))
        .filter(tantivy.Filter.ascii_fold())
        .filter(tantivy.Filter.stemmer("dutch"))
        .build()
    )


def fold_analyzer() -> tantivy.TextAnalyzer:
    """Lowercases and ASCII-folds a whole string in one token: wildcard patterns on text fields
    must meet the indexed terms in the same form, but must not be stemmed."""
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.raw())
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .build()
    )


def build_schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    for name in TEXT_FIELDS:
        builder.add_text_field(name, tokenizer_name=DUTCH, index_option="position")
    for name in KEYWORD_FIELDS:
        builder.add_text_field(
            name, tokenizer_name="raw", index_option="basic", fast=name in FAST_KEYWORDS
        )
    builder.add_date_field("published_at", indexed=True, fast=True)
    for interval in INTERVALS:
        builder.add_integer_field(bucket_field(interval), fast=True)
    builder.add_unsigned_field(NEWEST_KEY, fast=True)
    builder.add_unsigned_field(OLDEST_KEY, fast=True)
    builder.add_bytes_field(STORED, stored=True)
    return builder.build()


def register_analyzers(index: tantivy.Index) -> None:
    """Analysers are not stored in the index; every opened Index needs them registered."""
    index.register_tokenizer(DUTCH, dutch_analyzer())
    index.register_tokenizer(FOLD, fold_analyzer())


def sort_keys(post_id: str, published_at: datetime | None) -> tuple[int, int]:
    """(newest_key, oldest_key): ordered by date then id hash; undated Posts sort last in
    descending newest_key and in ascending oldest_key."""
    low = zlib.crc32(post_id.encode()) & _HASH_MASK
    if published_at is None:
        return low, (((1 << 33) - 1) << _HASH_BITS) | low
    seconds = int(clamp_date(as_utc(published_at)).timestamp()) + _EPOCH_OFFSET
    key = (max(seconds, 1) << _HASH_BITS) | low
    return key, key


def clamp_date(moment: datetime) -> datetime:
    """``moment`` moved into the span the index can sort on (1833-11-24 to 2106-02-07, within
    tantivy's 1677-2262): a Post from a broken clock or a hostile page is indexed at the edge
    instead of failing its whole batch; its stored Post keeps the date it gave."""
    return min(max(moment, INDEXED_DATES[0]), INDEXED_DATES[1])


def document_values(post: Post) -> tuple[object, ...]:
    """The index document for ``post`` as values in DOCUMENT_FIELDS order, None where it has
    none: plain values that are cheap to send from an extraction worker to the index writer.
    The date goes as a POSIX timestamp (pickling datetimes costs more than the rest)."""
    values = post.__dict__  # the model's field values, read directly: this runs for every Post
    document: list[object] = [values[name] for name in TEXT_FIELDS]
    document += [values[name] or None for name in _SINGLE_KEYWORDS]
    document += [keyword_values(post, name) or None if values[name] else None for name in LIST_KEYWORD_FIELDS]
    published = values["published_at"]
    if published is None:
        document += [None] * (1 + len(INTERVALS))
    else:
        published = clamp_date(as_utc(published))
        buckets = bucket_ordinals(published)
        document.append(published.timestamp())
        document += [buckets[interval] for interval in INTERVALS]
    document += sort_keys(post.id, published)
    return tuple(document)


def prepare_document(post: Post) -> PreparedPost:
    """``post`` ready for TantivyBackend.index_prepared."""
    stored = post.model_dump_json().encode()  # with defaults: leaving them out costs more
    return PreparedPost(id=post.id, stored=stored, document=document_values(post))


def tantivy_document(prepared: PreparedPost, schema: tantivy.Schema) -> tantivy.Document:
    fields = {
        name: value
        for name, value in zip(DOCUMENT_FIELDS, prepared.document, strict=True)
        if value is not None
    }
    if (timestamp := fields.get("published_at")) is not None:
        fields["published_at"] = datetime.fromtimestamp(timestamp, UTC)  # type: ignore[arg-type]
    fields[STORED] = prepared.stored
    return tantivy.Document.from_dict(fields, schema)


def stored_post(document: tantivy.Document) -> Post:
    stored = document.get_first(STORED)
    if stored is None:
        raise IndexError_(
            "a search index document has no stored Post; run `archiveren index --rebuild`"
        )
    return Post.model_validate_json(stored)
