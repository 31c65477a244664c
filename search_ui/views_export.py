"""Export hand-off: from any result set, a compliance officer names a format and a reason, and
the search (query, filters, date range) is passed to the export feature as a query, so the
export records exactly what was asked. The exports themselves are built by
``exports.run_export``. Every request, whatever its outcome, goes into the audit log."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from exports import run_export
from foundation.errors import ArchiverenError
from search_ui.auth import CSRF_FIELD, Forbidden, User, check_csrf, require
from search_ui.rendering import render
from search_ui.search_params import SearchState
from workspace import Workspace

router = APIRouter()
FORMATS: tuple[str, ...] = ("bag", "wacz", "csv", "jsonl")
SUFFIXES = {"bag": "", "wacz": ".wacz", "csv": ".csv", "jsonl": ".jsonl"}


@dataclass(frozen=True)
class ExportOutcome:
    path: Path
    query: str


def export_query(state: SearchState) -> str:
    """The search as one query string: the date range becomes a published_at range, since
    run_export takes a query and keyword filters."""
    parts = [f"({state.query})"] if state.query.strip() else []
    if state.date_from or state.date_to:
        start = state.date_from.isoformat() if state.date_from else "*"
        end = state.date_to.isoformat() if state.date_to else "*"
        parts.append(f"published_at:[{start} TO {end}]")
    return " AND ".join(parts)


def start_export(
    ws: Workspace, user: User, state: SearchState, fmt: str, reason: str, excel: bool = False
) -> ExportOutcome:
    """Run the export for this search, logging the request and its outcome; ``excel`` starts a
    CSV with the byte order mark Excel needs."""
    query = export_query(state)
    catalogue = ws.catalogue()
    # unique even for two exports in one second; the user name only as far as it is file-safe
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    who = re.sub(r"[^A-Za-z0-9_-]", "_", user.username)[:40]
    out = ws.exports_dir / f"export-{stamp}-{who}-{secrets.token_hex(4)}{SUFFIXES[fmt]}"
    out.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        path = run_export(
            ws,
            query=query,
            filters=state.filters_for_export(),
            fmt=fmt,
            out=out,
            reason=reason,
            user=user.username,
            excel=excel,
        )
    except ArchiverenError as exc:
        catalogue.audit(
            user.username,
            "export_failed",
            error=str(exc),
            fmt=fmt,
            reason=reason,
            export_query=query,
            **state.as_record(),
        )
        raise
    catalogue.audit(
        user.username,
        "export_requested",
        path=str(path),
        fmt=fmt,
        reason=reason,
        export_query=query,
        **state.as_record(),
    )
    return ExportOutcome(path=Path(path), query=query)


@router.get("/export", include_in_schema=False)
def export_form(
    request: Request, user: Annotated[User, Depends(require("compliance"))]
) -> Response:
    state = SearchState.from_params(request.query_params)
    total = request.app.state.ws.backend().search(state.request(facets=False, limit=0)).total
    return render(
        request,
        "export.html",
        {
            "state": state,
            "total": total,
            "formats": FORMATS,
            "outcome": None,
            "problem": None,
            "export_query": export_query(state),
        },
    )


@router.post("/export", include_in_schema=False)
async def export_submit(
    request: Request, user: Annotated[User, Depends(require("compliance"))]
) -> Response:
    form = await request.form()
    if not check_csrf(request, str(form.get(CSRF_FIELD, ""))):
        raise Forbidden("the form was stale or not sent by this app; reload the page and try again")
    state = SearchState.from_params(form)
    fmt = str(form.get("fmt", ""))
    reason = str(form.get("reason", "")).strip()
    excel = fmt == "csv" and form.get("excel") == "on"  # the checkbox counts for CSV only
    context: dict[str, Any] = {
        "state": state,
        "total": None,
        "formats": FORMATS,
        "outcome": None,
        "problem": None,
        "export_query": export_query(state),
    }
    if fmt not in FORMATS:
        context["problem"] = "export.bad_format"
        return render(request, "export.html", context, status_code=400)
    if not reason:
        context["problem"] = "export.reason_needed"
        return render(request, "export.html", context, status_code=400)
    context["outcome"] = await run_in_threadpool(
        start_export, request.app.state.ws, user, state, fmt, reason, excel
    )
    return render(request, "export.html", context)
