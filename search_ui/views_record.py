"""One Post: the record view (text, metadata, provenance, earlier captures, versions with a diff
between two of them, parent and replies),
the whole thread it belongs to, and "view as captured", which frames the replay of the archived
page. Every view goes into the audit log. The thread is read with one filtered search on
thread_id, so a conversation of hundreds of comments costs one backend call."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated
from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from archive import original_of_revisit, read_capture
from archive.cdxj import lookup
from catalogue.retention import is_held
from evidence.receipt import warc_stamps
from foundation.errors import ArchiveError, ArchiverenError
from foundation.pointer import RecordPointer
from foundation.post import Post
from indexer.query_model import SearchRequest
from search_ui.auth import User, require
from search_ui.post_card import post_card
from search_ui.rendering import render
from search_ui.version_diff import all_versions, choose_versions, word_diff
from workspace import Workspace
from workspace.destruction import destroyed_record

router = APIRouter()
MAX_THREAD = 500
MAX_SOURCES_READ = 100


class RecordNotFound(ArchiverenError):
    """No Post with this id is in the index."""


class RecordDestroyed(RecordNotFound):
    """The Post was destroyed under a destruction list (answered 410 Gone, saying when and why)."""


@dataclass
class ThreadNode:
    post: Post
    children: list[ThreadNode] = field(default_factory=list)


def load_post(ws: Workspace, post_id: str) -> Post:
    """The Post, or RecordDestroyed when a destruction list removed it (the catalogue is asked
    first: the index of this process may not yet show a destruction made by another), or
    RecordNotFound."""
    gone = destroyed_record(ws, post_id)
    if gone is not None:
        raise RecordDestroyed(
            f"Vernietigd op {gone.destroyed_at:%Y-%m-%d} volgens {gone.basis} "
            f"(vernietigingslijst {gone.plan_id})"
        )
    post = ws.backend().get(post_id)
    if post is None:
        raise RecordNotFound(
            f"no record with id {post_id!r} in the index; it may have been removed, or the link is wrong"
        )
    return post


def captures(post: Post) -> list[RecordPointer]:
    """The newest capture first, then the earlier ones (index 0, 1, ... in replay URLs)."""
    return ([post.capture] if post.capture else []) + list(post.earlier_captures)


def capture_sources(ws: Workspace, pointers: list[RecordPointer]) -> list[str]:
    """The source that made each capture, from its metadata record (a Post may list captures
    of other sources that may speak for its page); '' where it cannot be read. Beyond
    MAX_SOURCES_READ captures the rest stay ''."""
    sources = []
    for pointer in pointers[:MAX_SOURCES_READ]:
        try:
            context = read_capture(ws.archive_dir, pointer, with_payload=False).context
        except ArchiverenError:
            context = {}
        sources.append(str(context.get("source") or ""))
    return sources + [""] * (len(pointers) - len(sources))


def replies(ws: Workspace, post: Post, limit: int = 50) -> tuple[list[Post], int]:
    result = ws.backend().search(
        SearchRequest(
            filters={"parent_id": [post.id]},
            facets=[],
            date_histogram=None,
            sort="oldest",
            highlight=False,
            limit=limit,
        )
    )
    return [hit.post for hit in result.hits], result.total


def thread_posts(ws: Workspace, post: Post) -> list[Post]:
    """Every Post of the thread, oldest first, the root included."""
    root_id = post.thread_id or post.id
    result = ws.backend().search(
        SearchRequest(
            filters={"thread_id": [root_id]},
            facets=[],
            date_histogram=None,
            sort="oldest",
            highlight=False,
            limit=MAX_THREAD,
        )
    )
    posts = {hit.post.id: hit.post for hit in result.hits}
    if root_id not in posts:
        root = ws.backend().get(root_id)
        if root is not None:
            posts[root.id] = root
    posts.setdefault(post.id, post)
    return sorted(
        posts.values(),
        key=lambda p: (
            p.published_at is None,
            p.published_at.isoformat() if p.published_at else "",
            p.id,
        ),
    )


def thread_tree(posts: list[Post]) -> list[ThreadNode]:
    """Posts nested under their parents; a Post whose parent was not archived starts a branch."""
    nodes = {post.id: ThreadNode(post) for post in posts}
    roots: list[ThreadNode] = []
    for post in posts:
        parent = nodes.get(post.parent_id) if post.parent_id != post.id else None
        (parent.children if parent else roots).append(nodes[post.id])
    return roots


def back_to_search(request: Request) -> str:
    """The search the reader came from (its query, filters, sort and page ride along in
    ``back``), rebuilt as a /search URL so the link can lead nowhere else."""
    back = request.query_params.get("back", "")[:4000]
    pairs = parse_qsl(back, keep_blank_values=False)
    return "/search?" + urlencode(pairs) if pairs else "/search"


@router.get("/record/{post_id:path}", include_in_schema=False)
def record_page(
    request: Request, post_id: str, user: Annotated[User, Depends(require("archivist"))]
) -> Response:
    ws = request.app.state.ws
    post = load_post(ws, post_id)
    ws.catalogue().audit(user.username, "view", post_id=post.id)
    context_error = None
    capture_context: dict[str, object] = {}
    if post.capture:
        try:
            capture_context = read_capture(ws.archive_dir, post.capture, with_payload=False).context
        except ArchiverenError as exc:
            context_error = str(exc)
    parent = (
        ws.backend().get(post.parent_id) if post.parent_id and post.parent_id != post.id else None
    )
    children, reply_count = replies(ws, post)
    pointers = captures(post)
    on_hold = is_held(ws.catalogue(), post.id)
    stamps = (
        warc_stamps(
            ws.archive_dir,
            post.capture.warc_file,
            ws.config(check_secrets=False).evidence,
            ws.config_path.parent,
        )
        if post.capture
        else []
    )
    versions = all_versions(post)
    choice = choose_versions(
        len(versions),
        request.query_params.get("van", ""),
        request.query_params.get("naar", ""),
    )
    older, newer = versions[choice.older - 1], versions[choice.newer - 1]
    capture_index = {pointer.record_id: index for index, pointer in enumerate(pointers)}
    return render(
        request,
        "record.html",
        {
            "post": post,
            "back_url": back_to_search(request),
            "captures": pointers,
            "capture_sources": capture_sources(ws, pointers[1:]),
            "capture_context": capture_context,
            "context_error": context_error,
            "parent": parent,
            "replies": children,
            "reply_count": reply_count,
            "on_hold": on_hold,
            "stamps": stamps,
            "versions": versions,
            "version_capture": [
                capture_index.get(v.capture.record_id) if v.capture else None for v in versions
            ],
            "choice": choice,
            "title_diff": word_diff(older.title, newer.title),
            "text_diff": word_diff(older.text, newer.text),
        },
    )


@router.get("/thread/{post_id:path}", include_in_schema=False)
def thread_page(
    request: Request, post_id: str, user: Annotated[User, Depends(require("archivist"))]
) -> Response:
    ws = request.app.state.ws
    post = load_post(ws, post_id)
    ws.catalogue().audit(user.username, "view_thread", post_id=post.id)
    posts = thread_posts(ws, post)
    return render(
        request, "thread.html", {"post": post, "tree": thread_tree(posts), "count": len(posts)}
    )


def no_such_capture(
    request: Request, post: Post, pointers: list[RecordPointer], index: int
) -> Response | None:
    """The 404 page when ``post`` has no capture number ``index`` (counted from 0), else None."""
    if 0 <= index < len(pointers):
        return None
    return render(
        request,
        "error.html",
        {
            "title_key": "error.not_found",
            "message": f"record {post.id} has {len(pointers)} captures; there is no capture {index}",
        },
        status_code=404,
    )


@router.get("/captured/{index}/{post_id:path}", include_in_schema=False)
def captured_page(
    request: Request, index: int, post_id: str, user: Annotated[User, Depends(require("archivist"))]
) -> Response:
    ws = request.app.state.ws
    post = load_post(ws, post_id)
    pointers = captures(post)
    missing = no_such_capture(request, post, pointers, index)
    if missing is not None:
        return missing
    card = None
    if post.platform in ("x", "mastodon"):
        try:
            card = post_card(post, archived_payload(ws.archive_dir, pointers[index]))
        except ArchiverenError:
            card = None  # the frame below says what is wrong with the capture
    media = [
        (number, url, bool(lookup(ws.archive_dir, url))) for number, url in enumerate(post.media)
    ]
    return render(
        request,
        "captured.html",
        {"post": post, "pointer": pointers[index], "index": index, "card": card, "media": media},
    )


def archived_payload(archive_dir: Path, pointer: RecordPointer) -> bytes:
    """The payload a capture holds, through a revisit to the response it repeats."""
    capture = read_capture(archive_dir, pointer)
    if capture.record_type == "revisit":
        original = original_of_revisit(archive_dir, pointer)
        if original is None:
            raise ArchiveError(f"the original of revisit {pointer.record_id} is not indexed")
        capture = read_capture(archive_dir, original)
    return capture.payload
