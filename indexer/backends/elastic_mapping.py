"""How a Post lives in an Elasticsearch/OpenSearch index: the index template (Dutch analysis on
title and text with keyword subfields, exact keyword fields, dates) and the conversion between
a Post and its engine document.

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
from indexer.query_fields import DATE_FIELDS, KEYWORD_FIELDS, TEXT_FIELDS, as_utc, keyword_values

ANALYZER = "archiveren_dutch"
"""Standard tokenizer, lowercase, Dutch stop words (removed before stemming, which maps some
content words onto them: overheid -> over), ASCII folding, Snowball Dutch stemmer: defined in the index
settings where the engine has the snowball filter (OpenSearch, full Elasticsearch), or given by
the archiveren-dutch plugin that scripts/search-engine installs into the integ-test Elasticsearch."""

ANALYSIS_SETTINGS: dict[str, Any] = {
    "analyzer": {
        ANALYZER: {
            "type": "custom",
            "tokenizer": "standard",
            "filter": [
                "lowercase",
                "archiveren_dutch_stop",
                "asciifolding",
                "archiveren_dutch_stemmer",
            ],
        }
    },
    "filter": {
        "archiveren_dutch_stop": {"type": "stop", "stopwords": "_dutch_"},
        "archiveren_dutch_stemmer": {"type": "snowball", "language": "Dutch"},
    },
}


def mappings() -> dict[str, Any]:
    """Field mappings for the Post index (strict: an unknown field is an error, not a guess)."""
    properties: dict[str, Any] = {
        "post": {"type": "object", "enabled": False},
    }
    for field in TEXT_FIELDS:
        properties[field] = {
            "type": "text",
            "analyzer": ANALYZER,
            # keyword subfield for exact match and sorting; long texts are simply not indexed there
            "fields": {"keyword": {"type": "keyword", "ignore_above": 256}},
        }
    for field in KEYWORD_FIELDS:
        properties[field] = {"type": "keyword"}
    for field in DATE_FIELDS:
        properties[field] = {"type": "date", "format": "strict_date_optional_time||epoch_millis"}
    return {"dynamic": "strict", "properties": properties}


def index_settings(*, define_analyzer: bool, rebuilding: bool = False) -> dict[str, Any]:
    """Settings for a new index: one shard (one node serves it; an organisation that outgrows
    that changes the template), no replicas on a single node, and refresh off while rebuilding."""
    settings: dict[str, Any] = {"number_of_shards": 1, "number_of_replicas": 0}
    if rebuilding:
        settings["refresh_interval"] = "-1"
    if define_analyzer:
        settings["analysis"] = ANALYSIS_SETTINGS
    return settings


def template_body(pattern: str, *, define_analyzer: bool) -> dict[str, Any]:
    """A composable index template applying the settings and mappings to ``pattern``."""
    return {
        "index_patterns": [pattern],
        "priority": 200,
        "template": {
            "settings": index_settings(define_analyzer=define_analyzer),
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
        doc[field] = getattr(post, field)
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
