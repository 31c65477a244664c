"""The JSON API under /api, described by OpenAPI at /api/openapi.json: search, facets, record,
thread and exports, with the same roles, audit log and query parameters as the pages. Clients
log in with POST /login (JSON) and send the session cookie; POSTs also send the CSRF token from
that answer as X-CSRF-Token, unless a trusted reverse proxy authenticates them."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import QueryParams

from archive import read_capture
from foundation.errors import ArchiverenError, QueryError
from foundation.post import Post
from indexer.query_model import FACET_FIELDS, FacetBucket
from search_ui.auth import CSRF_HEADER, Forbidden, User, check_csrf, require
from search_ui.search_params import SearchState
from search_ui.views_export import start_export
from search_ui.views_record import captures, load_post, thread_posts
from search_ui.views_search import run_search

ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "the query or a parameter is invalid; `detail` says what to fix"},
    401: {"description": "not logged in"},
    403: {"description": "logged in, but the role does not allow this"},
    503: {"description": "the search backend cannot be reached"},
}
router = APIRouter(prefix="/api", tags=["api"], responses=ERRORS)


class ApiHit(BaseModel):
    post: Post
    score: float
    highlights: dict[str, list[str]] = Field(
        description="field -> HTML snippets; only <mark> is markup, the rest is escaped"
    )


class SearchAnswer(BaseModel):
    total: int
    page: int
    size: int
    hits: list[ApiHit]
    facets: dict[str, list[FacetBucket]]
    date_histogram: list[FacetBucket]


class FacetsAnswer(BaseModel):
    total: int
    facets: dict[str, list[FacetBucket]]
    date_histogram: list[FacetBucket]


class RecordAnswer(BaseModel):
    post: Post
    captures: int = Field(description="number of captures (newest first in replay URLs)")
    capture_context: dict[str, Any] = Field(
        description="the capture's metadata record: source, collector, version, run"
    )


class ThreadAnswer(BaseModel):
    root_id: str
    posts: list[Post] = Field(description="every Post of the thread, oldest first")


class ExportOrder(BaseModel):
    query: str = Field(default="", max_length=4000)
    filters: dict[str, list[str]] = Field(
        default_factory=dict, description="facet field -> accepted values"
    )
    date_from: date | None = None
    date_to: date | None = Field(default=None, description="inclusive")
    fmt: Literal["bag", "wacz", "csv", "jsonl"]
    reason: str = Field(
        min_length=1, max_length=2000, description="why the export is made; recorded with it"
    )
    excel: bool = Field(
        default=False,
        description="fmt csv only: start the file with a UTF-8 byte order mark for Excel",
    )


class ExportAnswer(BaseModel):
    path: str
    query: str


class UserAnswer(BaseModel):
    username: str
    role: str


def search_state(
    request: Request,
    q: Annotated[str, Query(max_length=4000, description="Lucene-style query")] = "",
    platform: Annotated[list[str], Query()] = [],  # noqa: B006 - FastAPI copies defaults
    source: Annotated[list[str], Query()] = [],  # noqa: B006
    organisation: Annotated[list[str], Query()] = [],  # noqa: B006
    author: Annotated[list[str], Query()] = [],  # noqa: B006
    kind: Annotated[list[str], Query()] = [],  # noqa: B006
    hashtag: Annotated[list[str], Query()] = [],  # noqa: B006
    date_from: Annotated[date | None, Query(alias="from")] = None,
    date_to: Annotated[date | None, Query(alias="to", description="inclusive")] = None,
    sort: Literal["relevance", "newest", "oldest"] = "relevance",
    page: Annotated[int, Query(ge=1, le=500)] = 1,
    size: Annotated[int, Query(ge=1, le=100)] = 20,
) -> SearchState:
    """The parameters are declared for the OpenAPI description; SearchState reads them."""
    return SearchState.from_params(request.query_params)


@router.get("/search", response_model=SearchAnswer, summary="search Posts")
def api_search(
    request: Request,
    user: Annotated[User, Depends(require("archivist"))],
    state: Annotated[SearchState, Depends(search_state)],
) -> SearchAnswer:
    result = run_search(request, user, state, via="api")
    return SearchAnswer(
        total=result.total,
        page=state.page,
        size=state.size,
        hits=[
            ApiHit(post=hit.post, score=hit.score, highlights=hit.highlights) for hit in result.hits
        ],
        facets=result.facets,
        date_histogram=result.date_histogram,
    )


@router.get(
    "/facets", response_model=FacetsAnswer, summary="facet counts and date histogram of a search"
)
def api_facets(
    request: Request,
    user: Annotated[User, Depends(require("archivist"))],
    state: Annotated[SearchState, Depends(search_state)],
) -> FacetsAnswer:
    ws = request.app.state.ws
    result = ws.backend().search(state.request(limit=0))
    ws.catalogue().audit(
        user.username, "search", via="api-facets", total=result.total, **state.as_record()
    )
    return FacetsAnswer(
        total=result.total, facets=result.facets, date_histogram=result.date_histogram
    )


@router.get(
    "/records/{post_id:path}",
    response_model=RecordAnswer,
    summary="one Post with its capture context",
    responses={404: {"description": "no such record"}},
)
def api_record(
    request: Request, post_id: str, user: Annotated[User, Depends(require("archivist"))]
) -> Any:
    ws = request.app.state.ws
    post = load_post(ws, post_id)
    ws.catalogue().audit(user.username, "view", post_id=post.id, via="api")
    context: dict[str, Any] = {}
    if post.capture:
        try:
            context = read_capture(ws.archive_dir, post.capture, with_payload=False).context
        except ArchiverenError as exc:
            context = {"error": str(exc)}
    return RecordAnswer(post=post, captures=len(captures(post)), capture_context=context)


@router.get(
    "/threads/{post_id:path}",
    response_model=ThreadAnswer,
    summary="the thread a Post belongs to",
    responses={404: {"description": "no such record"}},
)
def api_thread(
    request: Request, post_id: str, user: Annotated[User, Depends(require("archivist"))]
) -> Any:
    ws = request.app.state.ws
    post = load_post(ws, post_id)
    ws.catalogue().audit(user.username, "view_thread", post_id=post.id, via="api")
    return ThreadAnswer(root_id=post.thread_id or post.id, posts=thread_posts(ws, post))


@router.post(
    "/exports",
    response_model=ExportAnswer,
    status_code=201,
    summary="export the Posts a search finds (compliance)",
)
async def api_export(
    request: Request, order: ExportOrder, user: Annotated[User, Depends(require("compliance"))]
) -> Any:
    if not check_csrf(request, request.headers.get(CSRF_HEADER)):
        raise Forbidden("send the CSRF token from the login answer as the X-CSRF-Token header")
    unknown = sorted(set(order.filters) - set(FACET_FIELDS))
    if unknown:
        raise QueryError(
            f"cannot filter on {', '.join(unknown)}; filter fields are {', '.join(FACET_FIELDS)}"
        )
    if order.excel and order.fmt != "csv":
        raise QueryError(f"excel is for a csv export, not {order.fmt}")
    params: list[tuple[str, str]] = [("q", order.query)]
    params += [(name, value) for name, values in order.filters.items() for value in values]
    params += [("from", order.date_from.isoformat())] if order.date_from else []
    params += [("to", order.date_to.isoformat())] if order.date_to else []
    state = SearchState.from_params(QueryParams(params))
    outcome = await run_in_threadpool(
        start_export, request.app.state.ws, user, state, order.fmt, order.reason, order.excel
    )
    return ExportAnswer(path=str(outcome.path), query=outcome.query)


@router.get("/me", response_model=UserAnswer, summary="who is logged in")
def api_me(user: Annotated[User, Depends(require("archivist"))]) -> UserAnswer:
    return UserAnswer(username=user.username, role=user.role)


@router.get("/openapi.json", include_in_schema=False)
def openapi(
    request: Request, user: Annotated[User, Depends(require("archivist"))]
) -> dict[str, Any]:
    schema: dict[str, Any] = request.app.openapi()
    return schema
