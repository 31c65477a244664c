"""The accessibility statement (toegankelijkheidsverklaring): which standard the pages meet, how
that is tested and what is known not to meet it. Public, like the login page, because anyone
who is asked to use archiveren may want to read it first."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from search_ui.rendering import render

router = APIRouter()


@router.get("/toegankelijkheid", include_in_schema=False)
def accessibility_statement(request: Request) -> Response:
    return render(request, "accessibility.html")
