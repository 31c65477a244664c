"""What a Woo case covers, counted in the index with the search code the search page uses: per
search of the case, how many Posts it finds, per platform and per source, and the dates of
the oldest and newest of them. ``legal_hold:`` and ``hold:`` resolve through the catalogue as
they do in a search."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from catalogue.schema import CaseQueryRow
from indexer.query_model import SearchRequest, Sort
from workspace import Workspace
from workspace.hold_query import resolve as resolve_holds


@dataclass(frozen=True)
class Coverage:
    """One search of a case and what it finds."""

    search: CaseQueryRow
    total: int
    platforms: dict[str, int]
    sources: dict[str, int]
    first: date | None
    last: date | None


def search_request(search: CaseQueryRow) -> SearchRequest:
    """The backend request for a case's search (``date_to`` inclusive, as in the UI)."""
    return SearchRequest(
        query=search.query,
        filters=search.filters,
        date_from=_midnight(search.date_from),
        date_to=_midnight(search.date_to + timedelta(days=1)) if search.date_to else None,
        facets=["platform", "source"],
        facet_size=50,
        date_histogram=None,
        highlight=False,
        limit=0,
    )


def coverage(ws: Workspace, search: CaseQueryRow) -> Coverage:
    backend = ws.backend()
    request = resolve_holds(ws.catalogue(), search_request(search))
    counted = backend.search(request)

    def edge(sort: Sort) -> date | None:
        found = backend.search(request.model_copy(update={"facets": [], "sort": sort, "limit": 1}))
        published = found.hits[0].post.published_at if found.hits else None
        return published.date() if published else None

    return Coverage(
        search=search,
        total=counted.total,
        platforms={b.value: b.count for b in counted.facets.get("platform", [])},
        sources={b.value: b.count for b in counted.facets.get("source", [])},
        first=edge("oldest") if counted.total else None,
        last=edge("newest") if counted.total else None,
    )


def _midnight(day: date | None) -> datetime | None:
    return datetime(day.year, day.month, day.day, tzinfo=UTC) if day else None
