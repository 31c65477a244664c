"""The audit log for admin and compliance: filter by user, action, date range and case number,
newest first, fifty rows a page, and the same selection as CSV with each row's chain digests.
Reading and exporting the log are themselves logged."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response, StreamingResponse

from catalogue.audit_queries import AuditFilter, audit_actions, audit_page, audit_rows
from foundation.errors import QueryError
from search_ui.auth import User, require
from search_ui.rendering import render
from workspace import Workspace
from workspace.audit_csv import audit_csv

router = APIRouter()
PAGE_SIZE = 50
MAX_PAGE = 10_000


def _filter(request: Request) -> tuple[AuditFilter, dict[str, str]]:
    params = request.query_params
    values = {
        name: params.get(name, "").strip()[:200]
        for name in ("user", "action", "from", "to", "case")
    }
    return (
        AuditFilter(
            username=values["user"],
            action=values["action"],
            date_from=_day(values["from"], "from"),
            date_to=_day(values["to"], "to"),
            case_number=values["case"],
        ),
        values,
    )


def _day(value: str, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise QueryError(f"{name}={value!r} is not a date; write it as YYYY-MM-DD") from None


@router.get("/audit", include_in_schema=False)
def audit_log_page(
    request: Request, user: Annotated[User, Depends(require("compliance"))]
) -> Response:
    ws: Workspace = request.app.state.ws
    wanted, values = _filter(request)
    page_text = request.query_params.get("page", "1")
    page = int(page_text) if page_text.isdigit() and 0 < int(page_text) <= MAX_PAGE else 1
    rows, total = audit_page(ws.catalogue(), wanted, (page - 1) * PAGE_SIZE, PAGE_SIZE)
    selection = {k: v for k, v in values.items() if v}
    ws.catalogue().audit(user.username, "view_audit_log", filters=selection)
    last_page = max(1, -(-total // PAGE_SIZE))
    return render(
        request,
        "audit.html",
        {
            "rows": rows,
            "total": total,
            "values": values,
            "actions": audit_actions(ws.catalogue()),
            "page": page,
            "last_page": last_page,
            "query": urlencode(selection),
        },
    )


@router.get("/audit.csv", include_in_schema=False)
def audit_log_csv(
    request: Request, user: Annotated[User, Depends(require("compliance"))]
) -> Response:
    ws: Workspace = request.app.state.ws
    wanted, values = _filter(request)
    ws.catalogue().audit(
        user.username, "audit_log_exported", filters={k: v for k, v in values.items() if v}
    )
    return StreamingResponse(
        audit_csv(audit_rows(ws.catalogue(), wanted)),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": 'attachment; filename="auditlog.csv"'},
    )
