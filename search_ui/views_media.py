"""The files a Post shows (photos, videos, avatars), served from the archive by the URL the
Post lists, so a post card shows what was captured, never the live file. Only image and video
types are passed on as such; the answer carries the replay's sandbox CSP and nosniff."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from archive.cdxj import lookup
from foundation.errors import ArchiverenError
from search_ui.auth import User, require
from search_ui.views_record import RecordNotFound, archived_payload, load_post
from search_ui.views_replay import REPLAY_CSP

router = APIRouter()
SHOWN_TYPES = ("image/", "video/")


@router.get("/media/{number}/{post_id:path}", include_in_schema=False)
def archived_media(
    request: Request,
    number: int,
    post_id: str,
    user: Annotated[User, Depends(require("archivist"))],
) -> Response:
    ws = request.app.state.ws
    try:
        post = load_post(ws, post_id)
    except RecordNotFound as exc:
        return _plain(str(exc), 404)
    if not 0 <= number < len(post.media):
        return _plain(
            f"record {post.id} lists {len(post.media)} media files, not {number + 1}", 404
        )
    url = post.media[number]
    captured = lookup(ws.archive_dir, url)
    if not captured:
        return _plain(f"{url} is referenced by {post.id} but not in the archive", 404)
    try:
        payload = archived_payload(ws.archive_dir, captured[-1].pointer())
    except ArchiverenError as exc:
        return _plain(str(exc), 500)
    content_type = str(captured[-1].fields.get("mime") or "application/octet-stream")
    if not content_type.startswith(SHOWN_TYPES):
        content_type = "application/octet-stream"
    response = Response(payload, media_type=content_type)
    response.headers["content-security-policy"] = REPLAY_CSP
    response.headers["x-content-type-options"] = "nosniff"
    response.headers["cache-control"] = "private, max-age=3600"
    return response


def _plain(message: str, status: int) -> Response:
    return Response(message, status_code=status, media_type="text/plain; charset=utf-8")
