"""The web app: one FastAPI application that serves the archivists' pages (server-rendered, no
front-end build) and the JSON API, over a Workspace. This module wires the parts together: the
per-request middleware (session cookie, language, security headers), error handling that turns
archiveren's errors into pages or JSON that say what to do, static files, and the routers of
the view modules. Every route but /login, /health and /static requires a logged-in user."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from urllib.parse import quote

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount

from catalogue.cases import CaseError, CaseNotFound, case_number
from foundation.errors import ArchiverenError, BackendUnavailable, QueryError
from search_ui import (
    api,
    api_exports,
    views_accessibility,
    views_audit,
    views_auth,
    views_cases,
    views_collections,
    views_evidence,
    views_export,
    views_exports,
    views_full_replay,
    views_media,
    views_metrics,
    views_record,
    views_replay,
    views_retention,
    views_search,
    views_sources,
    views_users,
)
from search_ui.auth import (
    SESSION_COOKIE,
    Forbidden,
    NotAuthenticated,
    SessionCodec,
    password_limiter,
    session_secret,
)
from search_ui.i18n import LANG_COOKIE, LANGUAGES, error_text, negotiate, translator
from search_ui.login_throttle import LoginThrottle
from search_ui.rendering import render
from search_ui.views_exports import ExportBusy, ExportNotFound
from search_ui.views_record import RecordDestroyed, RecordNotFound
from workspace import Workspace
from workspace.export_worker import ExportWorker
from workspace.holds import HoldError

APP_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; media-src 'self'; font-src 'self'; connect-src 'self'; form-action 'self'; frame-src 'self'; frame-ancestors 'none'; base-uri 'none'"
"""Pages of the app load only their own scripts and styles: nothing inline, nothing from
elsewhere, so archived text that slipped past escaping could still not run."""

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
ROUTERS: tuple[APIRouter, ...] = (
    views_auth.router,
    views_search.router,
    views_record.router,
    views_evidence.router,
    views_replay.router,
    views_full_replay.router,
    views_media.router,
    views_collections.router,
    views_export.router,
    views_exports.router,
    views_metrics.router,
    views_sources.router,
    views_users.router,
    views_retention.router,
    views_audit.router,
    views_cases.router,
    views_accessibility.router,
    api.router,
    api_exports.router,
)
"""The page families and the API, in the order their routes are matched."""


def create_app(ws: Workspace) -> FastAPI:
    """The app for this workspace (config, catalogue and search backend are opened on demand)."""
    config = ws.config(check_secrets=False)
    app = FastAPI(
        title="archiveren",
        version="1",
        summary="Search, read and export the archived public work of civil servants.",
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
    )
    app.state.ws = ws
    app.state.sessions = SessionCodec(session_secret(ws))
    app.state.login_throttle = LoginThrottle(ws.catalogue)
    app.state.password_limiter = password_limiter()
    app.state.trusted_user_header = config.server.trusted_user_header
    app.state.display_timezone = config.display_timezone
    # export jobs run in this process, one at a time; those a stopped server left are taken up
    app.state.export_worker = ExportWorker(ws, lambda case_id: case_number(ws.catalogue(), case_id))
    app.state.export_worker.start()
    app.mount("/static", StaticFiles(directory=Path(__file__).with_name("static")), name="static")
    for router in ROUTERS:
        app.include_router(router)
    app.middleware("http")(_per_request)
    _install_error_handlers(app)
    return app


def route_table(app: FastAPI) -> list[BaseRoute]:
    """Every route the app serves, flat: its own (health, static) and those of ROUTERS (FastAPI
    keeps an included router as one branch in ``app.routes``)."""
    own = [route for route in app.routes if isinstance(route, APIRoute | Mount)]
    return own + [route for router in ROUTERS for route in router.routes]


async def _per_request(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    started = time.perf_counter()
    cookie = request.cookies.get(SESSION_COOKIE)
    request.scope["archiveren.session"] = (
        request.app.state.sessions.loads(cookie) if cookie else None
    )
    request.state.lang = negotiate(request)
    if request.method in UNSAFE_METHODS and not _same_origin(request):
        response: Response = JSONResponse(
            {"detail": "cross-origin request refused"}, status_code=403
        )
    else:
        response = await call_next(request)
    response.headers.setdefault("content-security-policy", APP_CSP)
    response.headers.setdefault("x-frame-options", "DENY")
    response.headers["x-content-type-options"] = "nosniff"
    response.headers["referrer-policy"] = "same-origin"
    # the server's own time, so the 300 ms page budget can be checked from any client
    response.headers["server-timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.1f}"
    if not request.url.path.startswith("/static/"):
        response.headers.setdefault("cache-control", "no-store")
    chosen = request.query_params.get("lang")
    if chosen in LANGUAGES and request.cookies.get(LANG_COOKIE) != chosen:
        response.set_cookie(
            LANG_COOKIE,
            chosen,
            max_age=365 * 86400,
            samesite="lax",
            secure=request.url.scheme == "https",
        )
    return response


def _same_origin(request: Request) -> bool:
    """A browser names the page that sent a POST in Origin; refuse other sites' pages."""
    origin = request.headers.get("origin")
    return origin is None or origin == f"{request.url.scheme}://{request.url.netloc}"


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.headers.get(
        "content-type", ""
    ).startswith("application/json")


def _answer_with(
    status: int, title_key: str
) -> Callable[[Request, ArchiverenError], Awaitable[Response]]:
    """An exception handler answering ``status``: JSON for the API, the error page otherwise."""

    async def handler(request: Request, exc: ArchiverenError) -> Response:
        if _wants_json(request):
            return JSONResponse({"detail": str(exc)}, status_code=status)
        message = error_text(exc, translator(request.state.lang))
        return render(
            request, "error.html", {"title_key": title_key, "message": message}, status_code=status
        )

    return handler


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(NotAuthenticated)
    async def not_authenticated(request: Request, exc: NotAuthenticated) -> Response:
        if _wants_json(request):
            return JSONResponse(
                {"detail": "not authenticated: log in (POST /login) and send the session cookie"},
                status_code=401,
            )
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse("/login?next=" + quote(target, safe=""), status_code=303)

    for error, status, title_key in (
        (Forbidden, 403, "error.forbidden"),
        (RecordNotFound, 404, "error.not_found"),
        (ExportNotFound, 404, "error.not_found"),
        (ExportBusy, 409, "error.bad_request"),
        (RecordDestroyed, 410, "error.gone"),
        (QueryError, 400, "error.bad_request"),
        (HoldError, 400, "error.bad_request"),
        (CaseNotFound, 404, "error.not_found"),
        (CaseError, 400, "error.bad_request"),
    ):
        app.exception_handler(error)(_answer_with(status, title_key))

    @app.exception_handler(ArchiverenError)
    async def archiveren_error(request: Request, exc: ArchiverenError) -> Response:
        status = 503 if isinstance(exc, BackendUnavailable) else 500
        if _wants_json(request):
            return JSONResponse({"detail": str(exc)}, status_code=status)
        return render(
            request,
            "error.html",
            {"title_key": "error.server", "message": str(exc)},
            status_code=status,
        )

    @app.get("/health", include_in_schema=False)
    async def health() -> dict[str, str]:
        return {"status": "ok"}
