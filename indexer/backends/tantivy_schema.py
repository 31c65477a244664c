"""The tantivy index layout for Posts: the Dutch analyser, the schema (analysed title/text, exact
keyword fields that are fast columns for facets, published_at as a date, calendar-bucket
ordinals for the date histogram, a unique sort key for deep paging) and the conversion of a
Post into a tantivy Document. The whole Post is stored as JSON so hits return full Posts.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

import tantivy

from archiveren.errors import IndexError_
from indexer.post import Post
from indexer.query_fields import KEYWORD_FIELDS, TEXT_FIELDS, as_utc, bucket_ordinal, keyword_values
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

# A sort key packs (published second, 31 bits of the id's hash) into one u64 so that "newest"
# and "oldest" are total orders and a search_after cursor is a single range bound. There are two
# keys because Posts without a date come last in both orders (as in Elasticsearch).
_HASH_BITS = 31
_EPOCH_OFFSET = 1 << 32  # seconds; keeps dates back to 1834 positive
_HASH_MASK = (1 << _HASH_BITS) - 1


def bucket_field(interval: Interval) -> str:
    return f"pub_{interval}"


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
    low = (
        int.from_bytes(hashlib.blake2b(post_id.encode(), digest_size=8).digest(), "big")
        & _HASH_MASK
    )
    if published_at is None:
        return low, (((1 << 33) - 1) << _HASH_BITS) | low
    seconds = max(int(as_utc(published_at).timestamp()) + _EPOCH_OFFSET, 1)
    key = (seconds << _HASH_BITS) | low
    return key, key


def post_document(post: Post, schema: tantivy.Schema) -> tantivy.Document:
    fields: dict[str, object] = {name: getattr(post, name) for name in TEXT_FIELDS}
    for name in KEYWORD_FIELDS:
        values = keyword_values(post, name)
        if values:
            fields[name] = values
    if post.published_at is not None:
        published = as_utc(post.published_at)
        fields["published_at"] = published
        for interval in INTERVALS:
            fields[bucket_field(interval)] = bucket_ordinal(published, interval)
    fields[NEWEST_KEY], fields[OLDEST_KEY] = sort_keys(post.id, post.published_at)
    fields[STORED] = post.model_dump_json(exclude_defaults=True).encode()
    return tantivy.Document.from_dict(fields, schema)


def stored_post(document: tantivy.Document) -> Post:
    stored = document.get_first(STORED)
    if stored is None:
        raise IndexError_(
            "a search index document has no stored Post; run `archiveren index --rebuild`"
        )
    return Post.model_validate_json(stored)
