"""Exports in the JSON API: ``POST /api/exports`` queues one (202, with its id, status and
download URL), ``GET /api/exports`` lists them, ``GET /api/exports/{id}`` tells one's status and
progress. Compliance and admin only, with the same audit rows as the pages; the package itself
is downloaded from the ``download_url`` the answers give."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field
from starlette.datastructures import QueryParams

from catalogue.cases import case_number, case_numbers
from catalogue.export_jobs import export_jobs
from foundation.errors import QueryError
from indexer.query_model import FACET_FIELDS
from search_ui.api import ERRORS
from search_ui.auth import CSRF_HEADER, Forbidden, User, check_csrf, require
from search_ui.search_params import FILTER_FIELDS, SearchState
from search_ui.views_export import MAX_SELECTED, chosen_case, queue_job, selection
from search_ui.views_exports import ExportView, find_job

router = APIRouter(prefix="/api", tags=["api"], responses=ERRORS)
ExportFormat = Literal["bag", "wacz", "csv", "jsonl", "transfer"]


class ExportOrder(BaseModel):
    query: str = Field(default="", max_length=4000)
    filters: dict[str, list[str]] = Field(
        default_factory=dict,
        description="facet field (or legal_hold, hold) -> accepted values",
    )
    date_from: date | None = None
    date_to: date | None = Field(default=None, description="inclusive")
    ids: list[str] = Field(
        default_factory=list,
        max_length=MAX_SELECTED,
        description="export only these Post ids (query, filters and dates are then ignored)",
    )
    case_id: int | None = Field(default=None, description="the Woo case the export is made for")
    fmt: ExportFormat
    reason: str = Field(
        min_length=1, max_length=2000, description="why the export is made; recorded with it"
    )
    excel: bool = Field(
        default=False,
        description="fmt csv only: start the file with a UTF-8 byte order mark for Excel",
    )


class ExportQueued(BaseModel):
    id: int
    status: str
    download_url: str = Field(description="where the package can be fetched once status is done")


class ExportStatus(BaseModel):
    id: int
    status: Literal["queued", "running", "done", "failed"]
    created_by: str
    created_at: datetime
    fmt: str
    reason: str
    query: str
    filters: dict[str, list[str]]
    case_id: int | None
    case_number: str = Field(description="the number of the Woo case, '' when none")
    total: int | None = Field(description="Posts the export selects (known once it runs)")
    posts_done: int
    bytes_done: int
    size: int | None = Field(description="bytes of the finished package")
    sha256: str | None = Field(description="SHA-256 of the finished package")
    error: str | None
    finished_at: datetime | None
    download_url: str


def _status(view: ExportView) -> ExportStatus:
    return ExportStatus.model_validate(
        {**view.__dict__, "download_url": view.download_url, "status": view.status}
    )


def _check_csrf(request: Request) -> None:
    if not check_csrf(request, request.headers.get(CSRF_HEADER)):
        raise Forbidden("send the CSRF token from the login answer as the X-CSRF-Token header")


@router.post(
    "/exports",
    response_model=ExportQueued,
    status_code=202,
    summary="queue an export of the Posts a search finds, or of chosen Posts (compliance)",
)
def api_export(
    request: Request, order: ExportOrder, user: Annotated[User, Depends(require("compliance"))]
) -> Any:
    _check_csrf(request)
    if not order.reason.strip():
        raise QueryError("give a reason for the export (reason), e.g. 'Woo-verzoek 2026-114'")
    unknown = sorted(set(order.filters) - set(FILTER_FIELDS))
    if unknown:
        raise QueryError(
            f"cannot filter on {', '.join(unknown)}; filter fields are {', '.join(FACET_FIELDS)}"
            ", legal_hold and hold"
        )
    params: list[tuple[str, str]] = [("q", order.query)]
    params += [(name, value) for name, values in order.filters.items() for value in values]
    params += [("from", order.date_from.isoformat())] if order.date_from else []
    params += [("to", order.date_to.isoformat())] if order.date_to else []
    state = SearchState.from_params(QueryParams(params))
    if order.excel and order.fmt != "csv":
        raise QueryError(f"excel is for a csv export, not {order.fmt}")
    ids = list(dict.fromkeys(order.ids))
    query, filters = selection(state, ids)
    job = queue_job(
        request,
        user,
        query=query,
        filters=filters,
        fmt=order.fmt,
        reason=order.reason.strip(),
        record={"selected": len(ids), "search": state.as_record(), "via": "api"},
        case=chosen_case(request.app.state.ws, order.case_id),
        excel=order.excel,
    )
    view = ExportView.of(job)
    return ExportQueued(id=view.id, status=view.status, download_url=view.download_url)


@router.get("/exports", response_model=list[ExportStatus], summary="the exports, newest first")
def api_exports(
    request: Request, user: Annotated[User, Depends(require("compliance"))]
) -> list[ExportStatus]:
    catalogue = request.app.state.ws.catalogue()
    numbers = case_numbers(catalogue)
    return [
        _status(ExportView.of(row, numbers.get(row.case_id or 0, "")))
        for row in export_jobs(catalogue)
    ]


@router.get(
    "/exports/{job_id}",
    response_model=ExportStatus,
    summary="one export's status and progress",
    responses={404: {"description": "no such export"}},
)
def api_export_status(
    request: Request, job_id: int, user: Annotated[User, Depends(require("compliance"))]
) -> ExportStatus:
    catalogue = request.app.state.ws.catalogue()
    row = find_job(request.app.state.ws, job_id)
    return _status(ExportView.of(row, case_number(catalogue, row.case_id)))
