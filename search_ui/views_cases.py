"""Woo cases (zaken) for compliance: the list of cases and a form to open one; "Aan zaak
toevoegen" from any search, which records the search in a new or an open case; and a case's
page: what it covers (per search: counts per platform and source, the date span, from the
index), its exports, its legal holds and its audit log rows, with links that export or hold
a search for the case. Every POST checks the form's CSRF token; every change is audited with
the case's number (catalogue.cases)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.responses import Response

from catalogue import cases
from catalogue.audit_queries import AuditFilter, audit_page
from catalogue.export_jobs import export_jobs
from catalogue.schema import CaseQueryRow
from search_ui.auth import CSRF_FIELD, Forbidden, User, check_csrf, require
from search_ui.i18n import error_text, translator
from search_ui.rendering import render
from search_ui.search_params import SearchState
from search_ui.views_exports import ExportView
from workspace import Workspace, holds
from workspace.case_coverage import coverage

router = APIRouter()
AUDIT_ROWS = 50


async def _form(request: Request) -> FormData:
    form = await request.form()
    if not check_csrf(request, str(form.get(CSRF_FIELD, ""))):
        raise Forbidden("the form was stale or not sent by this app; reload the page and try again")
    return form


def _day(value: str, label: str) -> date | None:
    if not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise cases.CaseError(
            f"{label} {value!r} is not a date; write it as YYYY-MM-DD",
            "case.bad_date",
            value=value,
        ) from None


def _said(request: Request, error: cases.CaseError) -> str:
    return error_text(error, translator(request.state.lang))


def new_case(form: FormData) -> cases.NewCase:
    return cases.NewCase(
        number=str(form.get("number", "")),
        title=str(form.get("title", "")),
        requester_reference=str(form.get("requester_reference", "")),
        received_on=_day(str(form.get("received_on", "")), "received"),
        deadline=_day(str(form.get("deadline", "")), "deadline"),
    )


def case_search(state: SearchState) -> cases.CaseSearch:
    return cases.CaseSearch(
        query=state.query,
        filters=state.filters_for_export(),
        date_from=state.date_from,
        date_to=state.date_to,
    )


def search_state(search: CaseQueryRow) -> SearchState:
    return SearchState(
        query=search.query,
        filters={name: tuple(values) for name, values in search.filters.items()},
        date_from=search.date_from,
        date_to=search.date_to,
    )


def _list_page(
    request: Request, problem: str = "", form: dict[str, str] | None = None, status: int = 200
) -> Response:
    ws: Workspace = request.app.state.ws
    return render(
        request,
        "cases.html",
        {"cases": cases.cases(ws.catalogue()), "problem": problem, "form": form or {}},
        status_code=status,
    )


@router.get("/cases", include_in_schema=False)
def cases_page(request: Request, user: Annotated[User, Depends(require("compliance"))]) -> Response:
    return _list_page(request)


@router.post("/cases", include_in_schema=False)
async def open_case(
    request: Request, user: Annotated[User, Depends(require("compliance"))]
) -> Response:
    form = await _form(request)
    ws: Workspace = request.app.state.ws
    try:
        wanted = new_case(form)
        row = await run_in_threadpool(cases.open_case, ws.catalogue(), wanted, user.username)
        if form.get("with_search"):
            search = case_search(SearchState.from_params(form))
            await run_in_threadpool(cases.add_search, ws.catalogue(), row.id, search, user.username)
    except cases.CaseError as exc:
        values = {key: str(form.get(key, "")) for key in ("number", "title", "requester_reference")}
        if form.get("with_search"):
            return _add_page(
                request, SearchState.from_params(form), _said(request, exc), values, 400
            )
        return _list_page(request, _said(request, exc), values, 400)
    return RedirectResponse(f"/cases/{row.id}", status_code=303)


def _add_page(
    request: Request,
    state: SearchState,
    problem: str = "",
    form: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    ws: Workspace = request.app.state.ws
    open_cases = [row for row in cases.cases(ws.catalogue()) if row.status == "open"]
    return render(
        request,
        "case_add.html",
        {"state": state, "open_cases": open_cases, "problem": problem, "form": form or {}},
        status_code=status,
    )


@router.get("/cases/add", include_in_schema=False)
def add_to_case_page(
    request: Request, user: Annotated[User, Depends(require("compliance"))]
) -> Response:
    return _add_page(request, SearchState.from_params(request.query_params))


@router.post("/cases/add", include_in_schema=False)
async def add_to_case(
    request: Request, user: Annotated[User, Depends(require("compliance"))]
) -> Response:
    form = await _form(request)
    state = SearchState.from_params(form)
    chosen = str(form.get("case_id", ""))
    if not chosen.isdigit():
        return _add_page(request, state, translator(request.state.lang)("case.choose"), status=400)
    ws: Workspace = request.app.state.ws
    try:
        await run_in_threadpool(
            cases.add_search, ws.catalogue(), int(chosen), case_search(state), user.username
        )
    except cases.CaseError as exc:
        return _add_page(request, state, _said(request, exc), status=400)
    return RedirectResponse(f"/cases/{chosen}", status_code=303)


def links(case: Any, search: CaseQueryRow) -> dict[str, str]:
    """Where a case's search is searched, exported and held, for the case."""
    state = search_state(search)
    params = [pair for pair in state.params() if pair[0] not in ("page", "size", "sort")]
    return {
        "search": state.url(),
        "export": "/export?" + urlencode([*params, ("case", str(case.id))]),
        "hold": "/retention/holds/new?" + urlencode([*params, ("case_number", case.number)]),
    }


@router.get("/cases/{case_id}", include_in_schema=False)
def case_page(
    request: Request, case_id: int, user: Annotated[User, Depends(require("compliance"))]
) -> Response:
    ws: Workspace = request.app.state.ws
    catalogue = ws.catalogue()
    case = cases.case(catalogue, case_id)
    searches = cases.case_searches(catalogue, case_id)
    rows, total = audit_page(catalogue, AuditFilter(case_number=case.number), 0, AUDIT_ROWS)
    catalogue.audit(user.username, "view_case", case_id=case.id, case_number=case.number)
    return render(
        request,
        "case.html",
        {
            "case": case,
            "coverage": [coverage(ws, search) for search in searches],
            "links": {search.id: links(case, search) for search in searches},
            "exports": [
                ExportView.of(row, case.number) for row in export_jobs(catalogue, case_id=case.id)
            ],
            "holds": [h for h in holds.holds(ws) if h.case_number == case.number],
            "audit_rows": rows,
            "audit_total": total,
            "audit_link": "/audit?" + urlencode({"case": case.number}),
        },
    )


@router.post("/cases/{case_id}/status", include_in_schema=False)
async def case_status(
    request: Request, case_id: int, user: Annotated[User, Depends(require("compliance"))]
) -> Response:
    form = await _form(request)
    ws: Workspace = request.app.state.ws
    await run_in_threadpool(
        cases.set_status, ws.catalogue(), case_id, str(form.get("status", "")), user.username
    )
    return RedirectResponse(f"/cases/{case_id}", status_code=303)
