"""Replay: the archived response served back, for the sandboxed frame on the "view as captured"
page. The archived page is untrusted and may run its own scripts, but only inside an opaque
origin: the response carries a CSP ``sandbox allow-scripts`` (so even opened directly it cannot
read the app's cookies or pages), may load nothing but inline and data: resources (so it
reaches neither the app nor the live web), and may be framed only by the app, whose own
``frame-src 'self'`` stops the frame navigating elsewhere. Only Content-Type of the archived
headers is passed on: archived Set-Cookie, CSP or redirect headers never reach the browser."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from archive import original_of_revisit, read_capture
from foundation.errors import ArchiveError
from search_ui.auth import User, require
from search_ui.rendering import urlpath
from search_ui.views_record import RecordNotFound, captures, load_post

router = APIRouter()

REPLAY_CSP = "sandbox allow-scripts; default-src 'unsafe-inline' data: blob:; script-src 'unsafe-inline' 'unsafe-eval' data: blob:; connect-src 'none'; form-action 'none'; base-uri 'none'; object-src 'none'; frame-ancestors 'self'"
SAFE_TYPES = (
    "text/",
    "image/",
    "application/xhtml+xml",
    "application/xml",
    "application/json",
    "application/pdf",
)


@router.get("/replay/{index}/{post_id:path}", include_in_schema=False)
def replay(
    request: Request, index: int, post_id: str, user: Annotated[User, Depends(require("archivist"))]
) -> Response:
    # Opened as a top-level page the frame's protections would rest on the CSP alone; send
    # browsers to the framing page instead.
    if request.headers.get("sec-fetch-dest") == "document":
        return RedirectResponse(f"/captured/{index}/{urlpath(post_id)}", status_code=303)
    ws = request.app.state.ws
    try:
        post = load_post(ws, post_id)
    except RecordNotFound as exc:
        return _plain(str(exc), 404)
    pointers = captures(post)
    if not 0 <= index < len(pointers):
        return _plain(f"record {post.id} has no capture {index}", 404)
    pointer = pointers[index]
    capture = read_capture(ws.archive_dir, pointer)
    if capture.record_type == "revisit":
        original = original_of_revisit(ws.archive_dir, pointer)
        if original is None:
            raise ArchiveError(
                f"capture {index} of {post.id} is a revisit of {pointer.target_uri}, whose original response is not in the CDXJ index; run `archiveren verify`"
            )
        capture = read_capture(ws.archive_dir, original)
    ws.catalogue().audit(user.username, "replay", post_id=post.id, capture=pointer.record_id)
    content_type = capture.header("content-type") or "application/octet-stream"
    if not content_type.lower().startswith(SAFE_TYPES):
        content_type = "application/octet-stream"
    response = Response(capture.payload, status_code=200, media_type=None)
    response.headers["content-type"] = content_type
    response.headers["content-security-policy"] = REPLAY_CSP
    response.headers["x-frame-options"] = "SAMEORIGIN"
    response.headers["x-archive-status"] = capture.status
    return response


def _plain(message: str, status: int) -> Response:
    response = Response(message, status_code=status, media_type="text/plain; charset=utf-8")
    response.headers["content-security-policy"] = REPLAY_CSP
    return response
