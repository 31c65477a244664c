"""The compliance officer's retention page: legal holds (placed from a search, listed with their
counts, opened to see the Posts they cover, released with a reason; holds still waiting for the
index are retried here) and destruction under the selectielijst (a proposal by one person,
approval by another, and the verklaring van vernietiging to download). Every POST checks the
form's CSRF token and goes into the audit log (the workspace functions write the rows)."""

from __future__ import annotations

import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.responses import PlainTextResponse, Response

from catalogue.cases import case_id_for
from indexer.index_marks import pending_destructions, pending_holds
from search_ui.auth import CSRF_FIELD, Forbidden, User, check_csrf, require
from search_ui.rendering import render
from search_ui.search_params import SearchState
from workspace import Workspace, destruction, holds
from workspace.hold_query import resolve as resolve_holds
from workspace.index_sync import apply_now

router = APIRouter()
LISTED_POSTS = 200


async def _form(request: Request) -> FormData:
    form = await request.form()
    if not check_csrf(request, str(form.get(CSRF_FIELD, ""))):
        raise Forbidden("the form was stale or not sent by this app; reload the page and try again")
    return form


def _page(request: Request, message: dict[str, Any] | None = None, status: int = 200) -> Response:
    ws: Workspace = request.app.state.ws
    return render(
        request,
        "retention.html",
        {
            "holds": holds.holds(ws),
            "plans": destruction.plans(ws),
            "pending": pending_holds(ws.catalogue()) + pending_destructions(ws.catalogue()),
            "message": message,
        },
        status_code=status,
    )


@router.get("/retention", include_in_schema=False)
def retention_page(
    request: Request, user: Annotated[User, Depends(require("compliance"))]
) -> Response:
    # after a proposal or an approval the browser is sent here (so a reload posts nothing again)
    for param, key in (("proposed", "destruction.proposed"), ("approved", "destruction.done")):
        plan_id = request.query_params.get(param, "")
        if plan_id.isdigit():
            pending = (
                param == "approved" and destruction.plan(request.app.state.ws, int(plan_id)).pending
            )
            message = {
                "error": False,
                "key": key + ("_pending" if pending else ""),
                "plan": plan_id,
            }
            return _page(request, message)
    return _page(request)


@router.get("/retention/holds/new", include_in_schema=False)
def new_hold(request: Request, user: Annotated[User, Depends(require("compliance"))]) -> Response:
    state = SearchState.from_params(request.query_params)
    ws: Workspace = request.app.state.ws
    counting = resolve_holds(ws.catalogue(), state.request(facets=False, limit=0))
    total = ws.backend().search(counting).total
    return render(
        request,
        "hold_new.html",
        {
            "state": state,
            "total": total,
            "token": secrets.token_urlsafe(16),
            "problem": None,
            "case_number": request.query_params.get("case_number", "")[:100],
        },
    )


@router.post("/retention/holds", include_in_schema=False)
async def place_hold(
    request: Request, user: Annotated[User, Depends(require("compliance"))]
) -> Response:
    form = await _form(request)
    state = SearchState.from_params(form)
    name, reason = str(form.get("name", "")).strip(), str(form.get("reason", "")).strip()
    if not name or not reason:
        return render(
            request,
            "hold_new.html",
            {
                "state": state,
                "total": None,
                "token": str(form.get("token", "")),
                "problem": "hold.needs_name_reason",
                "case_number": str(form.get("case_number", "")),
            },
            status_code=400,
        )
    case_number = str(form.get("case_number", "")).strip()
    outcome = await run_in_threadpool(
        lambda: holds.place_hold(
            request.app.state.ws,
            name=name,
            query=state.query,
            filters=state.filters_for_export(),
            reason=reason,
            case_number=case_number,
            token=str(form.get("token", "")),
            user=user.username,
            case_id=case_id_for(request.app.state.ws.catalogue(), case_number),
        )
    )
    return RedirectResponse(f"/retention/holds/{outcome.hold_id}", status_code=303)


@router.get("/retention/holds/{hold_id}", include_in_schema=False)
def hold_page(
    request: Request, hold_id: int, user: Annotated[User, Depends(require("compliance"))]
) -> Response:
    ws: Workspace = request.app.state.ws
    summary = holds.hold(ws, hold_id)
    post_ids = holds.held_ids(ws, hold_id)
    listed = ws.backend().get_many(post_ids[:LISTED_POSTS])
    ws.catalogue().audit(user.username, "view_legal_hold", hold_id=hold_id)
    return render(
        request,
        "hold.html",
        {
            "hold": summary,
            "posts": [listed.get(post_id) for post_id in post_ids[:LISTED_POSTS]],
            "post_ids": post_ids[:LISTED_POSTS],
            "more": max(0, len(post_ids) - LISTED_POSTS),
        },
    )


@router.post("/retention/holds/{hold_id}/release", include_in_schema=False)
async def release_hold(
    request: Request, hold_id: int, user: Annotated[User, Depends(require("compliance"))]
) -> Response:
    form = await _form(request)
    reason = str(form.get("reason", "")).strip()
    if not reason:
        return _page(request, {"error": True, "key": "hold.release_needs_reason"}, 400)
    await run_in_threadpool(
        lambda: holds.release_hold(request.app.state.ws, hold_id, user=user.username, reason=reason)
    )
    return RedirectResponse(f"/retention/holds/{hold_id}", status_code=303)


@router.post("/retention/apply", include_in_schema=False)
async def apply_pending(
    request: Request, user: Annotated[User, Depends(require("compliance"))]
) -> Response:
    await _form(request)
    ws: Workspace = request.app.state.ws
    holds_waiting = pending_holds(ws.catalogue())
    plans_waiting = pending_destructions(ws.catalogue())
    applied = await run_in_threadpool(apply_now, ws)
    ws.catalogue().audit(
        user.username,
        "index_apply_pending",
        holds=holds_waiting,
        destruction_plans=plans_waiting,
        applied=applied,
    )
    key = "hold.applied" if applied else "hold.still_pending"
    return _page(request, {"error": not applied, "key": key})


@router.post("/retention/destruction", include_in_schema=False)
async def propose_destruction(
    request: Request, user: Annotated[User, Depends(require("compliance"))]
) -> Response:
    form = await _form(request)
    try:
        plan = await run_in_threadpool(
            lambda: destruction.propose(
                request.app.state.ws,
                user=user.username,
                reason=str(form.get("reason", "")),
                basis=str(form.get("basis", "")),
                category=str(form.get("category", "")).strip(),
            )
        )
    except destruction.DestructionError as exc:
        return _page(request, {"error": True, "text": str(exc)}, 400)
    return RedirectResponse(f"/retention?proposed={plan.id}", status_code=303)


@router.post("/retention/destruction/{plan_id}/approve", include_in_schema=False)
async def approve_destruction(
    request: Request, plan_id: int, user: Annotated[User, Depends(require("compliance"))]
) -> Response:
    await _form(request)
    ws: Workspace = request.app.state.ws
    try:
        plan = await run_in_threadpool(lambda: destruction.approve(ws, plan_id, user=user.username))
    except destruction.DestructionError as exc:
        ws.catalogue().audit(user.username, "destruction_refused", plan_id=plan_id, error=str(exc))
        return _page(request, {"error": True, "text": str(exc)}, 403)
    return RedirectResponse(f"/retention?approved={plan.id}", status_code=303)


@router.get("/retention/destruction/{plan_id}/verklaring", include_in_schema=False)
def certificate(
    request: Request, plan_id: int, user: Annotated[User, Depends(require("compliance"))]
) -> Response:
    ws: Workspace = request.app.state.ws
    text = destruction.certificate(
        destruction.plan(ws, plan_id), ws.config(check_secrets=False).organisation
    )
    ws.catalogue().audit(user.username, "destruction_certificate", plan_id=plan_id)
    return PlainTextResponse(
        text,
        headers={
            "content-disposition": f'attachment; filename="verklaring-van-vernietiging-{plan_id}.txt"'
        },
    )
