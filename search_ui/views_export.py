"""Starting an export: from any result set (or only the hits ticked on a result page), a
compliance officer names a format and a reason, and the search (query, filters, date range) is
queued as an export job in the catalogue, which the server's export worker runs; the browser
goes on to the job's page to watch its progress. Every request is in the audit log."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from starlette.datastructures import FormData, QueryParams
from starlette.responses import Response

from catalogue import cases
from catalogue.export_jobs import queue_export
from catalogue.schema import CaseRow, ExportJobRow
from exports import FORMATS
from foundation.errors import QueryError
from search_ui.auth import CSRF_FIELD, Forbidden, User, check_csrf, require
from search_ui.rendering import render
from search_ui.search_params import SearchState
from workspace import Workspace
from workspace.hold_query import resolve as resolve_holds
from workspace.hold_query import split_hold_terms

router = APIRouter()
MAX_SELECTED = 1000
"""Ticked hits exported at once: ten result pages of a hundred."""


class ExportChoiceError(QueryError):
    """The export form named too many records or a case that is no case id; answered with 400
    and told in the page's language (``message_key``)."""

    def __init__(self, message: str, key: str, **values: object) -> None:
        super().__init__(message)
        self.message_key = key
        self.message_values = values


def export_query(state: SearchState) -> str:
    """The search as one query string: the date range becomes a published_at range, since
    an export takes a query and keyword filters."""
    parts = [f"({state.query})"] if state.query.strip() else []
    if state.date_from or state.date_to:
        start = state.date_from.isoformat() if state.date_from else "*"
        end = state.date_to.isoformat() if state.date_to else "*"
        parts.append(f"published_at:[{start} TO {end}]")
    return " AND ".join(parts)


def selected_ids(params: QueryParams | FormData) -> list[str]:
    """The Post ids ticked on a result page (``id`` parameters), in order, each once."""
    ids = list(dict.fromkeys(str(v) for v in params.getlist("id") if str(v).strip()))
    if len(ids) > MAX_SELECTED:
        raise ExportChoiceError(
            f"{len(ids)} records were ticked; export at most {MAX_SELECTED} this way, or export the whole search",
            "export.too_many",
            count=len(ids),
            max=MAX_SELECTED,
        )
    return ids


def selection(state: SearchState, ids: list[str]) -> tuple[str, dict[str, list[str]]]:
    """What the export takes: the ticked Posts when there are any, else the whole search, its
    legal_hold:/hold: terms moved to the filters (the rest of the query is parenthesised)."""
    if ids:
        return "", {"id": ids}
    rest, hold_terms = split_hold_terms(state.query)
    filters = state.filters_for_export()
    for name, values in hold_terms.items():
        filters.setdefault(name, []).extend(values)
    return export_query(replace(state, query=rest)), filters


def chosen_case(ws: Workspace, value: object) -> CaseRow | None:
    """The case an export is made for (a case id in a form or a query parameter), if any."""
    text = str(value or "").strip()
    if not text:
        return None
    if not text.isdigit():
        raise ExportChoiceError(
            f"case={text!r} is not a case id; choose the case from its page",
            "export.bad_case",
            value=text,
        )
    return cases.case(ws.catalogue(), int(text))


def queue_job(
    request: Request,
    user: User,
    *,
    query: str,
    filters: dict[str, list[str]],
    fmt: str,
    reason: str,
    record: dict[str, Any],
    case: CaseRow | None = None,
    excel: bool = False,
) -> ExportJobRow:
    """Queue the export (audited as ``export_queued``, with the case's number) and wake the
    worker."""
    job = queue_export(
        request.app.state.ws.catalogue(),
        user=user.username,
        fmt=fmt,
        reason=reason,
        query=query,
        filters=filters,
        case_id=case.id if case else None,
        excel=excel,
        **record,
        **({"case_number": case.number} if case else {}),
    )
    request.app.state.export_worker.wake()
    return job


def _counted(ws: Workspace, query: str, filters: dict[str, list[str]]) -> int:
    request = SearchState().request(facets=False, limit=0)
    request = request.model_copy(update={"query": query, "filters": filters})
    return ws.backend().search(resolve_holds(ws.catalogue(), request)).total


def _context(state: SearchState, ids: list[str], case: CaseRow | None) -> dict[str, Any]:
    query, _ = selection(state, ids)
    return {
        "case": case,
        "state": state,
        "ids": ids,
        "total": None,
        "formats": FORMATS,
        "problem": None,
        "export_query": query,
    }


@router.get("/export", include_in_schema=False)
def export_form(
    request: Request, user: Annotated[User, Depends(require("compliance"))]
) -> Response:
    state = SearchState.from_params(request.query_params)
    ids = selected_ids(request.query_params)
    context = _context(
        state, ids, chosen_case(request.app.state.ws, request.query_params.get("case"))
    )
    context["total"] = _counted(request.app.state.ws, *selection(state, ids))
    return render(request, "export.html", context)


@router.post("/export", include_in_schema=False)
async def export_submit(
    request: Request, user: Annotated[User, Depends(require("compliance"))]
) -> Response:
    form = await request.form()
    if not check_csrf(request, str(form.get(CSRF_FIELD, ""))):
        raise Forbidden("the form was stale or not sent by this app; reload the page and try again")
    state = SearchState.from_params(form)
    ids = selected_ids(form)
    fmt = str(form.get("fmt", ""))
    reason = str(form.get("reason", "")).strip()
    excel = fmt == "csv" and form.get("excel") == "on"  # the checkbox counts for CSV only
    case = chosen_case(request.app.state.ws, form.get("case"))
    context = _context(state, ids, case)
    if fmt not in FORMATS:
        context["problem"] = "export.bad_format"
        return render(request, "export.html", context, status_code=400)
    if not reason or len(reason) > 2000:
        context["problem"] = "export.reason_needed"
        return render(request, "export.html", context, status_code=400)
    query, filters = selection(state, ids)
    job = queue_job(
        request,
        user,
        query=query,
        filters=filters,
        fmt=fmt,
        reason=reason,
        record={"selected": len(ids), "search": state.as_record()},
        case=case,
        excel=excel,
    )
    return RedirectResponse(f"/exports/{job.id}", status_code=303)
