"""Logging in and out, and the admin's user list. POST /login takes a form (the login page) or
JSON (API clients) and answers with the session cookie; JSON clients also get the CSRF token to
send as X-CSRF-Token on later POSTs. Logins, failed logins (with the client address), login
locks and new users go into the audit log. Attempts while the account or the address is locked
(search_ui.login_throttle) are answered 429 with Retry-After without looking at the password."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

import anyio
from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from catalogue.usernames import UserNameError
from foundation.errors import CatalogueError
from search_ui.auth import (
    CSRF_FIELD,
    ROLES,
    SESSION_COOKIE,
    SESSION_LIFETIME,
    SESSION_MAX_AGE,
    Forbidden,
    User,
    check_csrf,
    check_login,
    hash_password,
    require,
    session_key,
)
from search_ui.rendering import render

if TYPE_CHECKING:
    from catalogue.schema import UserRow

router = APIRouter()


class Credentials(BaseModel):
    username: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=1, max_length=1000)


def _safe_next(target: str | None) -> str:
    """Only paths inside this app (never '//host' or a scheme) are followed after login."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/search"


@router.get("/login", include_in_schema=False)
def login_page(request: Request, next: str | None = None) -> Response:
    return render(request, "login.html", {"next": _safe_next(next), "failed": False})


@router.post("/login", include_in_schema=False)
async def login(request: Request) -> Response:
    wants_json = request.headers.get("content-type", "").startswith("application/json")
    if wants_json:
        try:
            credentials = Credentials.model_validate(await request.json())
        except ValueError:
            return JSONResponse(
                {"detail": 'send JSON {"username": ..., "password": ...}'}, status_code=422
            )
        target = "/search"
    else:
        form = await request.form()
        credentials = Credentials.model_construct(
            username=str(form.get("username", "")), password=str(form.get("password", ""))
        )
        target = _safe_next(str(form.get("next", "")))
    state = request.app.state
    address = request.client.host if request.client else "unknown"
    wait = await run_in_threadpool(state.login_throttle.retry_after, credentials.username, address)
    outcome = (
        LoginOutcome(retry_after=wait)
        if wait
        else await anyio.to_thread.run_sync(
            _try_login, state, credentials, address, limiter=state.password_limiter
        )
    )
    if outcome.retry_after:
        return _throttled(request, outcome.retry_after, wants_json, target, credentials.username)
    if outcome.user is None:
        if wants_json:
            return JSONResponse({"detail": "user name or password is wrong"}, status_code=401)
        return render(
            request,
            "login.html",
            {"next": target, "failed": True, "username": credentials.username},
            status_code=401,
        )
    row, cookie, sid = outcome.user, outcome.cookie, outcome.sid
    sessions = state.sessions
    response: Response
    if wants_json:
        response = JSONResponse(
            {"username": row.username, "role": row.role, "csrf_token": sessions.csrf_token(sid)}
        )
    else:
        response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        cookie,
        max_age=SESSION_MAX_AGE,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return response


@dataclass(frozen=True)
class LoginOutcome:
    """What a login attempt came to: a lock to wait out, a refusal, or a new session."""

    retry_after: int | None = None
    user: UserRow | None = None
    cookie: str = ""
    sid: str = ""


def _try_login(state: Any, credentials: Credentials, address: str) -> LoginOutcome:
    """Runs in a worker thread, at most PASSWORD_CHECKS at once. The lock is checked again here:
    another attempt may have set it while this one waited for its turn."""
    throttle = state.login_throttle
    wait = throttle.retry_after(credentials.username, address)
    if wait:
        return LoginOutcome(retry_after=wait)
    catalogue = state.ws.catalogue()
    row = check_login(state.ws, credentials.username, credentials.password)
    name = credentials.username[:200]
    if row is None:
        lockouts = throttle.failed(credentials.username, address)
        catalogue.audit(name, "login_failed", address=address)
        for lock in lockouts:
            catalogue.audit(
                name,
                "login_locked",
                address=address,
                scope=lock.scope,
                failures=lock.failures,
                seconds=lock.seconds,
            )
        return LoginOutcome()
    throttle.succeeded(credentials.username)
    cookie, sid = state.sessions.new_session(row.username)
    catalogue.start_session(row.id, session_key(sid), SESSION_LIFETIME)
    catalogue.audit(row.username, "login", address=address)
    return LoginOutcome(user=row, cookie=cookie, sid=sid)


def _throttled(
    request: Request, seconds: int, wants_json: bool, target: str, username: str
) -> Response:
    headers = {"Retry-After": str(seconds)}
    if wants_json:
        return JSONResponse(
            {"detail": f"too many failed logins: try again in {seconds} seconds"},
            status_code=429,
            headers=headers,
        )
    response = render(
        request,
        "login.html",
        {"next": target, "failed": False, "throttled": seconds, "username": username},
        status_code=429,
    )
    response.headers.update(headers)
    return response


@router.post("/logout", include_in_schema=False)
async def logout(
    request: Request, user: Annotated[User, Depends(require("archivist"))]
) -> Response:
    form = await request.form()
    if not check_csrf(request, str(form.get(CSRF_FIELD, ""))):
        raise Forbidden("the form was stale or not sent by this app; reload the page and try again")
    catalogue = request.app.state.ws.catalogue()
    session = request.scope.get("archiveren.session")
    if session:
        await run_in_threadpool(catalogue.end_session, session_key(session["sid"]))
    catalogue.audit(user.username, "logout")
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, httponly=True, samesite="strict")
    return response


@router.get("/admin/users", include_in_schema=False)
def users_page(request: Request, user: Annotated[User, Depends(require("admin"))]) -> Response:
    return render(
        request,
        "users.html",
        {"users": request.app.state.ws.catalogue().users(), "roles": ROLES, "message": None},
    )


@router.post("/admin/users", include_in_schema=False)
def add_user(
    request: Request,
    user: Annotated[User, Depends(require("admin"))],
    username: Annotated[str, Form(min_length=1, max_length=200)],
    password: Annotated[str, Form()],
    role: Annotated[str, Form()],
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    if not check_csrf(request, csrf_token):
        raise Forbidden("the form was stale or not sent by this app; reload the page and try again")
    catalogue = request.app.state.ws.catalogue()
    message: dict[str, Any]
    if role not in ROLES:
        message = {"error": True, "key": "users.bad_role"}
    elif len(password) < 8:
        message = {"error": True, "key": "users.short_password"}
    else:
        try:
            catalogue.add_user(username, hash_password(password), role)
            catalogue.audit(user.username, "user_added", new_user=username, role=role)
            message = {"error": False, "key": "users.added", "username": username}
        except UserNameError:
            message = {"error": True, "key": "users.bad_name", "username": username}
        except CatalogueError:
            message = {"error": True, "key": "users.exists", "username": username}
    status = 400 if message["error"] else 200
    return render(
        request,
        "users.html",
        {"users": catalogue.users(), "roles": ROLES, "message": message},
        status_code=status,
    )
