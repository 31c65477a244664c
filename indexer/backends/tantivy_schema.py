"""The tantivy index layout for Posts: the Dutch analyser, the schema (analysed title/text, an
unstemmed folded copy of them and of the name fields, exact keyword fields that are fast columns
for facets, published_at and deleted_at as dates, calendar-bucket
ordinals for the date histogram, a unique sort key for deep paging) and the conversion of a
Post into the JSON document tantivy reads. The whole Post is stored as JSON so hits return full
Posts.
"""

from __future__ import annotations

import zlib
from base64 import b64encode
from datetime import UTC, datetime

import msgspec
import tantivy

from foundation.errors import IndexError_
from foundation.post import Post
from indexer.prepared import PreparedPost
from indexer.query_fields import (
    FLAG_FIELDS,
    KEYWORD_FIELDS,
    LIST_KEYWORD_FIELDS,
    NAME_FIELDS,
    TEXT_FIELDS,
    as_utc,
    bucket_ordinals,
    flag_value,
    keyword_values,
    text_value,
)
from indexer.query_model import Interval

DUTCH = "dutch"
FOLD = "fold"
WORDS = "folded_words"
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
    "changed",
    "deleted",
)
"""Keyword fields kept as columns, so they can be faceted."""
_SINGLE_KEYWORDS = tuple(
    name for name in KEYWORD_FIELDS if name not in LIST_KEYWORD_FIELDS + FLAG_FIELDS
)
_DERIVED_TEXT = "earlier_text"
"""The text field a Post has no attribute for (text_value makes it)."""

# A sort key packs (published second, 31 bits of the id's hash) into one u64 so that "newest"
# and "oldest" are total orders and a search_after cursor is a single range bound. There are two
# keys because Posts without a date come last in both orders (as in Elasticsearch).
_HASH_BITS = 31
_EPOCH_OFFSET = 1 << 32  # seconds; keeps dates back to 1834 positive
_HASH_MASK = (1 << _HASH_BITS) - 1
_UNDATED_OLDEST = ((1 << 33) - 1) << _HASH_BITS
INDEXED_DATES = (
    datetime.fromtimestamp(1 - _EPOCH_OFFSET, UTC),
    datetime.fromtimestamp(_EPOCH_OFFSET - 1, UTC),
)


def bucket_field(interval: Interval) -> str:
    return f"pub_{interval}"


def folded_field(name: str) -> str:
    """The field holding ``name``'s words lowercased and ASCII-folded, unstemmed (the
    folded_words analyser): wildcards and fuzzy words on text fields, and queries on names."""
    return f"{name}_folded"


_OWN_TEXT: tuple[str, ...] = tuple(name for name in TEXT_FIELDS if name != _DERIVED_TEXT)
_INDEXED_STRINGS: tuple[str, ...] = (*_OWN_TEXT, *_SINGLE_KEYWORDS)
_FOLDED: tuple[tuple[str, str], ...] = tuple(
    (name, folded_field(name)) for name in (*_OWN_TEXT, *NAME_FIELDS)
)
_JSON = msgspec.json.Encoder()
_BUCKET_FIELDS: dict[Interval, str] = {interval: bucket_field(interval) for interval in INTERVALS}


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


def words_analyzer() -> tantivy.TextAnalyzer:
    """The Dutch analyser without stop words and stemming: words split on non-alphanumerics,
    very long ones dropped, lowercased and ASCII-folded (Ćosić -> cosic). Names keep every
    word (``van der``), and wildcards and fuzzy words meet words as they were written."""
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(64))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
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
    for name in TEXT_FIELDS:
        # Wildcards and fuzzy words need no positions or frequencies here: only which Posts.
        builder.add_text_field(folded_field(name), tokenizer_name=WORDS, index_option="basic")
    for name in NAME_FIELDS:
        builder.add_text_field(folded_field(name), tokenizer_name=WORDS, index_option="position")
    for name in KEYWORD_FIELDS:
        builder.add_text_field(
            name, tokenizer_name="raw", index_option="basic", fast=name in FAST_KEYWORDS
        )
    builder.add_date_field("published_at", indexed=True, fast=True)
    builder.add_date_field("deleted_at", indexed=True, fast=True)
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
    index.register_tokenizer(WORDS, words_analyzer())


def _sort_keys(post_id: str, seconds: int | None) -> tuple[int, int]:
    """(newest_key, oldest_key) for a Post published ``seconds`` after the epoch (clamped to
    INDEXED_DATES): ordered by date then id hash; undated Posts sort last in descending
    newest_key and in ascending oldest_key."""
    low = zlib.crc32(post_id.encode()) & _HASH_MASK
    if seconds is None:
        return low, _UNDATED_OLDEST | low
    key = (max(seconds + _EPOCH_OFFSET, 1) << _HASH_BITS) | low
    return key, key


def clamp_date(moment: datetime) -> datetime:
    """``moment`` moved into the span the index can sort on (1833-11-24 to 2106-02-07, within
    tantivy's 1677-2262): a Post from a broken clock or a hostile page is indexed at the edge
    instead of failing its whole batch; its stored Post keeps the date it gave."""
    return min(max(moment, INDEXED_DATES[0]), INDEXED_DATES[1])


def document_json(post: Post) -> str:
    """The index document for ``post`` as the JSON tantivy reads (``IndexWriter.add_json``),
    without the stored Post (``with_stored`` adds it): one string, cheap to send from an
    extraction worker and parsed by tantivy itself."""
    values = post.__dict__  # the model's field values, read directly: this runs for every Post
    document: dict[str, object] = {name: values[name] for name in _INDEXED_STRINGS if values[name]}
    for name, folded in _FOLDED:
        if values[name]:
            document[folded] = values[name]
    for name in LIST_KEYWORD_FIELDS:
        if values[name]:
            document[name] = keyword_values(post, name)
    if values["versions"]:
        earlier = text_value(post, _DERIVED_TEXT)
        if earlier:
            document[_DERIVED_TEXT] = document[folded_field(_DERIVED_TEXT)] = earlier
    for name in FLAG_FIELDS:
        document[name] = flag_value(post, name)
    gone_since = post.deleted_at
    if gone_since is not None:
        document["deleted_at"] = clamp_date(as_utc(gone_since))
    published = values["published_at"]
    seconds = None
    if published is not None:
        published = clamp_date(as_utc(published))
        seconds = int(published.timestamp())
        document["published_at"] = published
        for interval, ordinal in bucket_ordinals(published).items():
            document[_BUCKET_FIELDS[interval]] = ordinal
    document[NEWEST_KEY], document[OLDEST_KEY] = _sort_keys(post.id, seconds)
    return _JSON.encode(document).decode()


def with_stored(prepared: PreparedPost) -> str:
    """The prepared document with its stored Post, base64 in the bytes field as tantivy's JSON
    has it. Added only as the document is written: a prepared document that held it too would
    carry the Post twice, in every batch and hand-over from a worker (at 100,000 tweets the
    indexing process then peaked at 344 MB instead of 238). Base64 needs no JSON escaping."""
    stored = b64encode(prepared.stored).decode("ascii")
    return f'{prepared.document[:-1]},"{STORED}":"{stored}"}}'


def prepare_document(post: Post) -> PreparedPost:
    """``post`` ready for TantivyBackend.index_prepared."""
    return PreparedPost(
        id=post.id, stored=post.model_dump_json().encode(), document=document_json(post)
    )


def stored_post(document: tantivy.Document) -> Post:
    stored = document.get_first(STORED)
    if stored is None:
        raise IndexError_(
            "a search index document has no stored Post; run `archiveren index --rebuild`"
        )
    return Post.model_validate_json(stored)
