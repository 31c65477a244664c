"""Full replay: an archived page with its archived stylesheets, images, fonts and scripts, shown
inside the app under its login. ``/full/N/RECORD`` frames the page; the frame loads it, and the
page loads its parts, from ``/archived/TICKET/TIME/URL``, which serves the capture of URL
closest to TIME with every URL in HTML and CSS rewritten to that same route. Nothing archived
is ever fetched from the live web: what the archive lacks answers 404.

The frame is sandboxed without same-origin (an opaque origin: its scripts read no cookie and
no page of the app), so its requests carry no session cookie; the ticket stands in for it. It
is signed with the session key, names the user, and lasts ``TICKET_SECONDS``; a user disabled
since gets no more files. Every answer carries a CSP that lets the page load only from
``/archived/`` of this app, connect nowhere and submit nothing."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.responses import Response

from archive import original_of_revisit, read_capture
from archive.cdxj import CdxjEntry, lookup
from foundation.css_urls import rewrite_css_urls
from foundation.errors import ArchiverenError
from foundation.page_resources import rewrite_page
from foundation.urls import join_url
from search_ui.auth import ROLES, User, require, session_secret
from search_ui.i18n import translator
from search_ui.rendering import render
from search_ui.views_record import captures, load_post, no_such_capture

router = APIRouter()

TICKET_SECONDS = 600
HTML_TYPES = ("text/html", "application/xhtml+xml")
URL_SAFE = ":/?&=%;,+@!$~*()"
"""Characters of an archived URL kept as they are in the path that serves it ('#' is not)."""


def ticket_signer(request: Request) -> URLSafeTimedSerializer:
    state = request.app.state
    if getattr(state, "archived_signer", None) is None:
        state.archived_signer = URLSafeTimedSerializer(
            session_secret(state.ws), salt="archiveren-archived-ticket"
        )
    signer: URLSafeTimedSerializer = state.archived_signer
    return signer


def archived_path(ticket: str, timestamp: str, url: str) -> str:
    """The app path that serves ``url`` from the archive (the URL kept readable in the path)."""
    return f"/archived/{ticket}/{timestamp}/{quote(url, safe=URL_SAFE)}"


@router.get("/full/{index}/{post_id:path}", include_in_schema=False)
def full_replay_page(
    request: Request, index: int, post_id: str, user: Annotated[User, Depends(require("archivist"))]
) -> Response:
    ws = request.app.state.ws
    post = load_post(ws, post_id)
    pointers = captures(post)
    missing = no_such_capture(request, post, pointers, index)
    if missing is not None:
        return missing
    pointer = pointers[index]
    ws.catalogue().audit(user.username, "replay", post_id=post.id, capture=pointer.record_id)
    ticket = ticket_signer(request).dumps({"u": user.username})
    timestamp = "".join(c for c in pointer.capture_date if c.isdigit())[:14] or "0"
    return render(
        request,
        "full_replay.html",
        {
            "post": post,
            "pointer": pointer,
            "index": index,
            "frame_src": archived_path(ticket, timestamp, pointer.target_uri or post.url or ""),
        },
    )


def require_ticket(role: str) -> Any:
    """A FastAPI dependency, as ``auth.require`` for the frame: the user a valid ticket names
    when they still have ``role``; None for a forged, stale or disabled user's ticket (the
    route answers 403 in plain text, which the frame can show)."""

    def dependency(request: Request, ticket: str) -> User | None:
        try:
            claims: Any = ticket_signer(request).loads(ticket, max_age=TICKET_SECONDS)
        except BadSignature:
            return None
        row = request.app.state.ws.catalogue().user(str(claims.get("u", "")))
        if row is None or row.disabled or row.role not in ROLES:
            return None
        user = User(username=row.username, role=row.role)
        return user if user.can(role) else None

    dependency.required_role = role  # type: ignore[attr-defined]  # read by the access test
    return dependency


@router.get("/archived/{ticket}/{timestamp}/{url:path}", include_in_schema=False)
def archived(
    request: Request,
    ticket: str,
    timestamp: str,
    url: str,
    user: Annotated[User | None, Depends(require_ticket("archivist"))],
) -> Response:
    origin = f"{request.url.scheme}://{request.url.netloc}"
    t = translator(request.state.lang)
    if user is None:
        return _plain(t("full.ticket_invalid"), 403, origin)
    if not timestamp.isdigit() or len(timestamp) > 14:
        return _plain(f"{timestamp!r} is no capture time (up to 14 digits)", 400, origin)
    if request.url.query:
        url += "?" + request.url.query
    if not url.startswith(("http://", "https://")):
        return _plain(f"{url!r} is no http(s) URL", 400, origin)
    found = _closest_capture(request, url, timestamp)
    if found is None:
        return _plain(t("full.not_archived", url=url), 404, origin)
    status, headers, payload = found
    content_type = headers.get("content-type", "application/octet-stream")
    media_type = content_type.split(";")[0].strip().lower()
    charset = _charset(content_type)

    def rewrite(target: str) -> str | None:
        if not target.startswith(("http://", "https://")):
            return None
        return archived_path(ticket, timestamp, target.split("#", 1)[0]) + (
            "#" + target.split("#", 1)[1] if "#" in target else ""
        )

    if media_type in HTML_TYPES:
        payload = rewrite_page(payload, url, rewrite, charset)
        content_type = f"{media_type}; charset=utf-8"
    elif media_type == "text/css":
        css = payload.decode(charset or "utf-8", errors="replace")
        payload = rewrite_css_urls(css, lambda written: rewrite(join_url(url, written))).encode()
        content_type = "text/css; charset=utf-8"
    response = Response(payload, status_code=int(status) if status.isdigit() else 200)
    response.headers["content-type"] = content_type
    _protect(response, origin)
    response.headers["cache-control"] = "private, max-age=600"
    return response


def _closest_capture(
    request: Request, url: str, timestamp: str
) -> tuple[str, dict[str, str], bytes] | None:
    """(status, headers, payload) of the capture of ``url`` closest to ``timestamp`` that has
    a body to show (a 2xx answer, or a revisit of one), or None."""
    archive_dir = request.app.state.ws.archive_dir
    entries: list[CdxjEntry] = lookup(archive_dir, url, timestamp)
    for entry in entries:
        revisit = entry.fields.get("mime") == "warc/revisit"
        if not revisit and not str(entry.fields.get("status", "200")).startswith("2"):
            continue
        try:
            capture = read_capture(archive_dir, entry.pointer())
            if capture.record_type == "revisit":
                original = original_of_revisit(archive_dir, entry.pointer())
                if original is None:
                    continue
                capture = read_capture(archive_dir, original)
        except ArchiverenError:
            continue
        if capture.status.startswith("2"):
            headers = {key.lower(): value for key, value in capture.headers}
            return capture.status, headers, capture.payload
    return None


def _charset(content_type: str) -> str | None:
    for part in content_type.split(";")[1:]:
        name, _, value = part.strip().partition("=")
        if name.lower() == "charset" and value:
            return value.strip("\"' ")
    return None


def _protect(response: Response, origin: str) -> None:
    archived = f"{origin}/archived/"
    response.headers["content-security-policy"] = (
        f"sandbox allow-scripts; default-src {archived} data: blob: 'unsafe-inline'; "
        f"script-src {archived} data: blob: 'unsafe-inline' 'unsafe-eval'; "
        "connect-src 'none'; form-action 'none'; base-uri 'none'; object-src 'none'; "
        "frame-ancestors 'self'"
    )
    response.headers["x-frame-options"] = "SAMEORIGIN"
    response.headers["referrer-policy"] = "no-referrer"


def _plain(message: str, status: int, origin: str) -> Response:
    response = Response(message, status_code=status, media_type="text/plain; charset=utf-8")
    _protect(response, origin)
    return response
