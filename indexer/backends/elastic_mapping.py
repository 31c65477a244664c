"""How a Post lives in an Elasticsearch/OpenSearch index: the index template (Dutch analysis on
title and text with keyword and unstemmed ``folded`` subfields, exact keyword fields, names
with a ``folded`` subfield, dates) and the conversion between a Post and its engine document.

The document keeps the whole Post, untouched, under ``post`` (stored, not indexed) so that
``get`` and search hits give back exactly what was indexed; beside it sit the search fields of
indexer/query_fields.py, with keywords already normalised (hashtags lowercased, sigils dropped)
so filters, facets and ``field:value`` compare the way the tantivy backend does.
"""

from __future__ import annotations

from typing import Any

import msgspec

from foundation.post import Post
from indexer.prepared import PreparedPost
from indexer.query_fields import (
    DATE_FIELDS,
    KEYWORD_FIELDS,
    NAME_FIELDS,
    TEXT_FIELDS,
    as_utc,
    keyword_values,
    text_value,
)

ANALYZER = "archiveren_dutch"
"""Standard tokenizer, lowercase, Dutch stop words (removed before stemming, which maps some
content words onto them: overheid -> over), ASCII folding, Snowball Dutch stemmer: defined in the index
settings where the engine has the snowball filter (OpenSearch, full Elasticsearch), or given by
the archiveren-dutch plugin that scripts/search-engine installs into the integ-test Elasticsearch."""

FOLDED_ANALYZER = "archiveren_folded"
"""Standard tokenizer, lowercase, ASCII folding; no stop words, no stemming: for names and for
the unstemmed copy of title and text that wildcards and fuzzy words search. Defined in the
index settings or given by the archiveren-dutch plugin, as ANALYZER is."""

MAPPING_VERSION = 4
"""Raised whenever the mappings change so that an index built before gives wrong answers; the
backend then refuses to search such an index and says to rebuild it. 2: the ``folded``
subfields of title, text and author. 3: ``earlier_text``, ``changed`` (versions) and ``deleted``
(tombstones). 4: ``deleted_at`` (since when a post is gone at its source)."""

ANALYSIS_SETTINGS: dict[str, Any] = {
    "analyzer": {
        FOLDED_ANALYZER: {
            "type": "custom",
            "tokenizer": "standard",
            "filter": ["lowercase", "asciifolding"],
        },
        ANALYZER: {
            "type": "custom",
            "tokenizer": "standard",
            "filter": [
                "lowercase",
                "archiveren_dutch_stop",
                "asciifolding",
                "archiveren_dutch_stemmer",
            ],
        },
    },
    "filter": {
        "archiveren_dutch_stop": {"type": "stop", "stopwords": "_dutch_"},
        "archiveren_dutch_stemmer": {"type": "snowball", "language": "Dutch"},
    },
}


def folded_field(field: str) -> str:
    """The subfield holding ``field``'s words lowercased and ASCII-folded, unstemmed."""
    return f"{field}.folded"


def mappings() -> dict[str, Any]:
    """Field mappings for the Post index (strict: an unknown field is an error, not a guess)."""
    properties: dict[str, Any] = {
        "post": {"type": "object", "enabled": False},
    }
    for field in TEXT_FIELDS:
        properties[field] = {
            "type": "text",
            "analyzer": ANALYZER,
            "fields": {
                # for exact match and sorting; long texts are simply not indexed there
                "keyword": {"type": "keyword", "ignore_above": 256},
                # wildcards and fuzzy words only ask which Posts hold a word: no positions
                "folded": {
                    "type": "text",
                    "analyzer": FOLDED_ANALYZER,
                    "index_options": "docs",
                    "norms": False,
                },
            },
        }
    for field in KEYWORD_FIELDS:
        properties[field] = {"type": "keyword"}
    for field in NAME_FIELDS:
        properties[field]["fields"] = {"folded": {"type": "text", "analyzer": FOLDED_ANALYZER}}
    for field in DATE_FIELDS:
        properties[field] = {"type": "date", "format": "strict_date_optional_time||epoch_millis"}
    return {
        "dynamic": "strict",
        "_meta": {"archiveren_mapping_version": MAPPING_VERSION},
        "properties": properties,
    }


def index_settings(
    *,
    define_analyzer: bool,
    rebuilding: bool = False,
    shards: int = 1,
    replicas: int = 0,
    refresh_interval: str | None = None,
) -> dict[str, Any]:
    """Settings for a new index: ``search.number_of_shards`` primaries with
    ``search.number_of_replicas`` copies each (one shard and none suit a single node; a cluster
    wants a replica so that losing a node loses nothing), the configured refresh interval, and
    refresh off while rebuilding."""
    settings: dict[str, Any] = {"number_of_shards": shards, "number_of_replicas": replicas}
    if rebuilding:
        settings["refresh_interval"] = "-1"
    elif refresh_interval is not None:
        settings["refresh_interval"] = refresh_interval
    if define_analyzer:
        settings["analysis"] = ANALYSIS_SETTINGS
    return settings


def template_body(
    pattern: str,
    *,
    define_analyzer: bool,
    shards: int = 1,
    replicas: int = 0,
    refresh_interval: str | None = None,
) -> dict[str, Any]:
    """A composable index template applying the settings and mappings to ``pattern``."""
    return {
        "index_patterns": [pattern],
        "priority": 200,
        "template": {
            "settings": index_settings(
                define_analyzer=define_analyzer,
                shards=shards,
                replicas=replicas,
                refresh_interval=refresh_interval,
            ),
            "mappings": mappings(),
        },
        "_meta": {
            "managed_by": "archiveren",
            "about": "Post documents; see indexer/backends/elastic_mapping.py",
        },
    }


def search_fields(post: Post) -> dict[str, Any]:
    """``post``'s normalised search fields, which the engine document has beside the Post."""
    doc: dict[str, Any] = {}
    for field in TEXT_FIELDS:
        doc[field] = text_value(post, field)
    for field in KEYWORD_FIELDS:
        doc[field] = keyword_values(post, field)
    for field in DATE_FIELDS:
        moment = getattr(post, field)
        doc[field] = as_utc(moment).isoformat() if moment is not None else None
    return doc


def prepare_document(post: Post) -> PreparedPost:
    """``post`` ready for ElasticsearchBackend.index_prepared: the engine document as the JSON
    the bulk request carries (the Post under ``post``, its search fields beside it). One
    string weighs a fraction of the same document as Python objects, in a batch and in the
    hand-over from an extraction worker."""
    stored = post.model_dump_json().encode()
    document = _JSON.encode({"post": msgspec.Raw(stored), **search_fields(post)}).decode()
    return PreparedPost(id=post.id, stored=stored, document=document)


_JSON = msgspec.json.Encoder()


def from_source(source: dict[str, Any]) -> Post:
    """The Post stored in an engine document's ``_source``."""
    return Post.model_validate(source["post"])
