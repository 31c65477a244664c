"""The collections page: every configured source with its last run (when, outcome, counts,
errors) and every closed WARC file with its size and fixity status, so an archivist sees what
is collected and whether the record of truth is intact."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from catalogue.jobs import next_run_times
from search_ui.auth import User, require
from search_ui.rendering import render

router = APIRouter()


@dataclass(frozen=True)
class SourceStatus:
    name: str
    type: str
    organisation: str
    enabled: bool
    last_run: Any
    next_run: Any = None
    failures: int = 0


@router.get("/collections", include_in_schema=False)
def collections_page(
    request: Request, user: Annotated[User, Depends(require("archivist"))]
) -> Response:
    ws = request.app.state.ws
    catalogue = ws.catalogue()
    last = catalogue.last_runs()
    upcoming = next_run_times(catalogue)
    config = ws.config(check_secrets=False)
    sources = [
        SourceStatus(
            s.name,
            s.type,
            s.organisation or config.organisation,
            s.enabled,
            last.pop(s.name, None),
            upcoming.get(f"collect:{s.name}"),
            catalogue.consecutive_failures(s.name),
        )
        for s in config.sources
    ]
    # runs of sources since removed from the config are still part of the record
    sources += [
        SourceStatus(name, run.source_type, "", False, run) for name, run in sorted(last.items())
    ]
    files = catalogue.warc_files()
    problems = sum(f.fixity_status not in ("ok", "unchecked") for f in files)
    return render(
        request,
        "collections.html",
        {
            "sources": sources,
            "files": files,
            "total_size": sum(f.size for f in files),
            "fixity_problems": problems,
        },
    )
