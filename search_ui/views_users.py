"""The admin's changes to an account on the users page: disable, enable, change the role,
delete. Each ends the account's sessions, is refused for the admin's own account (so nobody
locks themselves out by accident, and an admin always remains: the one acting), and goes into
the audit log.
A deleted account stays listed as such: its name stays in the audit log and is not reused."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from starlette.responses import Response

from foundation.errors import CatalogueError
from search_ui.auth import ROLES, Forbidden, User, check_csrf, require
from search_ui.rendering import render

router = APIRouter()
ACTIONS = ("disable", "enable", "delete", "role")


@router.post("/admin/users/{username}/change", include_in_schema=False)
def change_user(
    request: Request,
    username: str,
    user: Annotated[User, Depends(require("admin"))],
    action: Annotated[str, Form()],
    role: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    if not check_csrf(request, csrf_token):
        raise Forbidden("the form was stale or not sent by this app; reload the page and try again")
    catalogue = request.app.state.ws.catalogue()
    message = {"error": True, "key": "users.bad_action", "username": username}
    status = 400
    if username == user.username:
        message["key"] = "users.not_yourself"
    elif action in ACTIONS and (action != "role" or role in ROLES):
        try:
            if action == "role":
                catalogue.set_role(username, role)
                catalogue.audit(user.username, "user_role", user=username, role=role)
            elif action == "delete":
                catalogue.delete_user(username)
                catalogue.audit(user.username, "user_deleted", user=username)
            else:
                catalogue.set_disabled(username, action == "disable")
                catalogue.audit(user.username, f"user_{action}d", user=username)
            message = {"error": False, "key": f"users.done.{action}", "username": username}
            status = 200
        except CatalogueError as exc:
            catalogue.audit(user.username, "user_change_refused", user=username, error=str(exc))
            message = {"error": True, "key": "users.refused", "username": username}
    return render(
        request,
        "users.html",
        {"users": catalogue.users(), "roles": ROLES, "message": message},
        status_code=status,
    )
