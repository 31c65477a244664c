"""Engine responses turned into the shared query model: hits with their Posts and highlights,
facet buckets, the date histogram, and the opaque deep-paging cursor that carries a point in
time and the last hit's sort values from one page to the next.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from foundation.errors import QueryError
from indexer.backends.elastic_mapping import from_source
from indexer.query_model import FacetBucket, Hit, SearchRequest


@dataclass(frozen=True)
class Cursor:
    """Where the next page starts: point-in-time id, the last hit's sort values, hits seen."""

    pit_id: str
    sort_values: list[Any]
    seen: int

    def encode(self) -> list[str]:
        return ["pit", self.pit_id, json.dumps(self.sort_values), str(self.seen)]

    @classmethod
    def decode(cls, parts: list[str]) -> Cursor:
        try:
            marker, pit_id, sort_values, seen = parts
            if marker != "pit":
                raise ValueError(marker)
            return cls(pit_id, json.loads(sort_values), int(seen))
        except ValueError:
            raise QueryError(
                "the paging cursor is not one this search engine gave out; search again from the first page"
            ) from None


def hit(raw: dict[str, Any]) -> Hit:
    return Hit(
        post=from_source(raw["_source"]),
        score=float(raw.get("_score") or 0.0),
        highlights=dict(raw.get("highlight", {})),
    )


def facets(response: dict[str, Any], request: SearchRequest) -> dict[str, list[FacetBucket]]:
    """Buckets per requested facet, under the name the request used (e.g. 'hashtag')."""
    aggs = response.get("aggregations", {})
    return {
        name: [
            FacetBucket(value=str(b["key"]), count=int(b["doc_count"]))
            for b in aggs.get(f"facet:{name}", {}).get("buckets", [])
        ]
        for name in request.facets
    }


def date_histogram(response: dict[str, Any]) -> list[FacetBucket]:
    buckets = response.get("aggregations", {}).get("date_histogram", {}).get("buckets", [])
    return [FacetBucket(value=b["key_as_string"], count=int(b["doc_count"])) for b in buckets]
