"""The search page: query box with a help panel on the syntax, facets with counts that filter
on click, a date histogram that filters by clicking a bar or dragging across bars, sort,
highlighted snippets, paging, and empty and error states that say what to do. One backend
search per page view; each is written to the audit log with who asked what."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from foundation.errors import BackendUnavailable, QueryError
from indexer.query_model import FacetBucket, Interval, SearchResult
from search_ui.auth import User, require
from search_ui.i18n import error_text, translator
from search_ui.rendering import render
from search_ui.search_params import (
    PAGE_FACETS,
    PAGE_SIZES,
    SORTS,
    SearchState,
    bucket_end,
    merge_by_year,
)
from search_ui.search_presets import SEARCH_PRESETS
from search_ui.syntax_help import SYNTAX_EXAMPLES
from workspace import Workspace
from workspace.hold_query import HOLD_FILTERS, hold_facets
from workspace.hold_query import resolve as resolve_holds

router = APIRouter()
MAX_BARS = 72
BAR_HEIGHT = 80


@dataclass(frozen=True)
class Bar:
    start: str
    end: str
    count: int
    height: int
    url: str


def histogram(state: SearchState, buckets: list[FacetBucket], interval: Interval) -> list[Bar]:
    """Bars for the date histogram; months are folded into years when there are too many."""
    pairs = [(bucket.value[:10], bucket.count) for bucket in buckets]
    if len(pairs) > MAX_BARS and interval == "month":
        pairs, interval = merge_by_year(pairs), "year"
    highest = max((count for _, count in pairs), default=0) or 1
    bars = []
    for start, count in pairs:
        end = bucket_end(start, interval).isoformat()
        url = state.url(date_from=date.fromisoformat(start), date_to=date.fromisoformat(end))
        bars.append(
            Bar(
                start=start,
                end=end,
                count=count,
                height=max(2, round(BAR_HEIGHT * count / highest)) if count else 0,
                url=url,
            )
        )
    return bars


def zoomed_histogram(
    ws: Workspace, state: SearchState, result: SearchResult
) -> tuple[list[FacetBucket], Interval]:
    """The histogram at a useful grain: when every hit falls within a month or two, a second,
    hit-less search counts them by day so there are bars to choose between."""
    interval = state.interval()
    if interval != "month" or not 0 < len(result.date_histogram) <= 2:
        return result.date_histogram, interval
    by_day = resolve_holds(ws.catalogue(), state.request(facets=False, limit=0)).model_copy(
        update={"date_histogram": "day", "highlight": False}
    )
    return ws.backend().search(by_day).date_histogram, "day"


def chosen_facets(ws: Workspace, state: SearchState) -> dict[str, list[FacetBucket]]:
    """For each facet with a value chosen, its counts as if none of its own values were: the
    values not chosen stay on offer, so a second platform can be added to the first (OR within
    a facet, AND between facets). One hit-less search per such facet."""
    counted: dict[str, list[FacetBucket]] = {}
    for field in PAGE_FACETS:
        if field not in state.filters:
            continue
        others = {name: values for name, values in state.filters.items() if name != field}
        without = replace(state, filters=others).request(limit=0)
        without = without.model_copy(update={"facets": [field], "date_histogram": None})
        counted[field] = ws.backend().search(resolve_holds(ws.catalogue(), without)).facets[field]
    return counted


def run_search(request: Request, user: User, state: SearchState, via: str) -> SearchResult:
    """One search against the backend, audited. Legal holds in the query or the filters are
    resolved against the catalogue first, and their facets counted beside the backend's."""
    ws: Workspace = request.app.state.ws
    catalogue = ws.catalogue()
    resolved = resolve_holds(catalogue, state.request())
    result = ws.backend().search(resolved)
    if resolved.facets:
        result.facets.update(hold_facets(catalogue, ws.backend(), resolved))
        result.facets.update(chosen_facets(ws, state))
    catalogue.audit(user.username, "search", via=via, total=result.total, **state.as_record())
    return result


@router.get("/", include_in_schema=False)
def home(user: Annotated[User, Depends(require("archivist"))]) -> Response:
    return RedirectResponse("/search", status_code=303)


@router.get("/search", include_in_schema=False)
def search_page(request: Request, user: Annotated[User, Depends(require("archivist"))]) -> Response:
    context: dict[str, object] = {
        "state": SearchState(),
        "result": None,
        "error": None,
        "sorts": SORTS,
        "sizes": PAGE_SIZES,
        "facet_fields": PAGE_FACETS + HOLD_FILTERS,
        "syntax_examples": SYNTAX_EXAMPLES,
        "presets": SEARCH_PRESETS,
    }
    status = 200
    try:
        state = SearchState.from_params(request.query_params)
        context["state"] = state
        result = run_search(request, user, state, via="ui")
        buckets, interval = zoomed_histogram(request.app.state.ws, state, result)
        bars = histogram(state, buckets, interval)
        last_page = max(1, min(-(-result.total // state.size), 500))
        context.update(
            result=result,
            bars=bars,
            last_page=last_page,
            can_export=user.can("compliance"),
            back_query=request.url.query,
        )
    except QueryError as exc:
        context["error"] = {
            "kind": "query",
            "message": error_text(exc, translator(request.state.lang)),
        }
        status = 400
    except BackendUnavailable as exc:
        context["error"] = {"kind": "backend", "message": str(exc)}
        status = 503
    return render(request, "search.html", context, status_code=status)
