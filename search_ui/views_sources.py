"""The sources page for admins: every configured source with its last run, outcome and next
run; add one, add many from a pasted list (CSV lines), disable or enable, and collect now.

Changes go into the config file through ``config.editing`` (validated as a whole, comments and
order kept), so the YAML stays the source of truth and a running scheduler picks them up. A
"collect now" runs in a thread of this process, under the same per-source run lock as the
scheduler's runs; its outcome shows on this page and in the catalogue like any other run."""

from __future__ import annotations

import threading
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from starlette.responses import Response

from catalogue.jobs import next_run_times
from collectors.runner import run_sources
from config.editing import SourcesFile, source_from_row, sources_from_csv, x_token_env_in_use
from config.loader import missing_secrets
from foundation.errors import ConfigError
from search_ui.auth import Forbidden, User, check_csrf, require
from search_ui.rendering import render
from workspace import Workspace

router = APIRouter()
SOURCE_TYPES = ("feed", "x", "mastodon", "network")
"""What the form offers: the types that are one account or one URL."""


@router.get("/admin/sources", include_in_schema=False)
def sources_page(request: Request, user: Annotated[User, Depends(require("admin"))]) -> Response:
    return _page(request, None)


@router.post("/admin/sources", include_in_schema=False)
def add_source(
    request: Request,
    user: Annotated[User, Depends(require("admin"))],
    kind: Annotated[str, Form(alias="type", max_length=20)],
    account: Annotated[str, Form(min_length=1, max_length=2000)],
    organisation: Annotated[str, Form(max_length=200)] = "",
    schedule: Annotated[str, Form(max_length=200)] = "",
    category: Annotated[str, Form(max_length=50)] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    _check(request, csrf_token)
    ws: Workspace = request.app.state.ws
    row = {
        "type": kind,
        "account": account,
        "organisation": organisation,
        "schedule": schedule,
        "category": category,
    }
    return _edit(
        request,
        user,
        lambda edited: [
            source_from_row(
                row, taken=edited.names(), x_token_env=x_token_env_in_use(ws.config_path)
            )
        ],
    )


@router.post("/admin/sources/import", include_in_schema=False)
def import_sources(
    request: Request,
    user: Annotated[User, Depends(require("admin"))],
    listing: Annotated[str, Form(min_length=1, max_length=200_000)],
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    _check(request, csrf_token)
    ws: Workspace = request.app.state.ws
    return _edit(
        request,
        user,
        lambda edited: sources_from_csv(
            listing, taken=edited.names(), x_token_env=x_token_env_in_use(ws.config_path)
        ),
    )


@router.post("/admin/sources/{name}/enabled", include_in_schema=False)
def set_enabled(
    request: Request,
    name: str,
    user: Annotated[User, Depends(require("admin"))],
    enabled: Annotated[bool, Form()],
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    _check(request, csrf_token)
    ws: Workspace = request.app.state.ws
    try:
        edited = SourcesFile(ws.config_path)
        edited.set_enabled(name, enabled)
        ws.use_config(edited.save())
    except ConfigError as exc:
        return _page(request, {"error": True, "key": "sources.refused", "detail": str(exc)}, 400)
    ws.catalogue().audit(
        user.username, "source_enabled" if enabled else "source_disabled", source=name
    )
    key = "sources.enabled" if enabled else "sources.disabled"
    return _page(request, {"error": False, "key": key, "detail": name})


@router.post("/admin/sources/{name}/collect", include_in_schema=False)
def collect_now(
    request: Request,
    name: str,
    user: Annotated[User, Depends(require("admin"))],
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    _check(request, csrf_token)
    ws: Workspace = request.app.state.ws
    config = ws.config(check_secrets=False)
    if name not in {source.name for source in config.sources}:
        return _page(request, {"error": True, "key": "sources.unknown", "detail": name}, 404)
    missing = missing_secrets(config, [name])
    if missing:
        return _page(request, {"error": True, "key": "sources.refused", "detail": missing[0]}, 400)
    ws.catalogue().audit(user.username, "collect_requested", source=name)
    threading.Thread(
        target=run_sources, args=(config, ws.data_dir, [name]), name=f"collect-{name}", daemon=True
    ).start()
    return _page(request, {"error": False, "key": "sources.collecting", "detail": name}, 202)


def _check(request: Request, csrf_token: str) -> None:
    if not check_csrf(request, csrf_token):
        raise Forbidden("the form was stale or not sent by this app; reload the page and try again")


def _edit(request: Request, user: User, make: Any) -> Response:
    """Add the sources ``make(edited_file)`` returns; every refusal is shown, nothing half-written."""
    ws: Workspace = request.app.state.ws
    try:
        edited = SourcesFile(ws.config_path)
        added = make(edited)
        for source in added:
            edited.add(source)
        ws.use_config(edited.save())
    except ConfigError as exc:
        return _page(request, {"error": True, "key": "sources.refused", "detail": str(exc)}, 400)
    names = [source["name"] for source in added]
    ws.catalogue().audit(user.username, "sources_added", sources=names)
    return _page(request, {"error": False, "key": "sources.added", "detail": ", ".join(names)})


def _page(request: Request, message: dict[str, Any] | None, status_code: int = 200) -> Response:
    ws: Workspace = request.app.state.ws
    config = ws.config(check_secrets=False)
    catalogue = ws.catalogue()
    last = catalogue.last_runs()
    upcoming = next_run_times(catalogue)
    rows = [
        {
            "source": source,
            "run": last.get(source.name),
            "next_run": upcoming.get(f"collect:{source.name}"),
        }
        for source in config.sources
    ]
    return render(
        request,
        "sources.html",
        {"rows": rows, "types": SOURCE_TYPES, "message": message},
        status_code=status_code,
    )
