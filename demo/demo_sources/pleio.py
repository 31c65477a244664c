"""A Pleio emulator: the GraphQL API a Pleio site (2018 and later) serves at ``/graphql``, over
the demo content of ``pleio_content``.

Queries are parsed, validated and executed by graphql-core against Pleio's own schema (the
subset in ``content/pleio-schema.graphql``), so a query that asks for a field Pleio does not
have is answered the way Pleio answers it: HTTP 400 with ``errors`` and no ``data``. What a
resolver returns follows Pleio's back end: numeric string guids, relative ``url``s
(``/blog/view/<guid>/<slug>``), times as Python prints them (``2024-02-12 09:30:00+00:00``),
``richDescription`` as a Draft.js or TipTap JSON string or HTML, ``entities`` ordered by
``orderBy``/``orderDirection`` (default newest created first) and cut by ``offset``/``limit``
(default 20) with the ``total`` before the cut. Tests may add comments, edit items, require a
token, change robots.txt, or queue faults (an HTTP 500, a 429 with Retry-After, a body that is
not JSON, a GraphQL error, an error quoting the Authorization header).
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from datetime import datetime
from importlib.resources import files
from typing import Any

import graphql

from demo_sources.dataset import Dataset, utcnow
from demo_sources.httpbase import Request, Response, json_response
from demo_sources.markup import Links, esc
from demo_sources.pleio_content import PleioComment, PleioItem, pleio_items

SCHEMA_FILE = "pleio-schema.graphql"
TYPENAMES = {
    "blog": "Blog",
    "news": "News",
    "discussion": "Discussion",
    "question": "Question",
    "wiki": "Wiki",
    "event": "Event",
}
FAULTS = ("http500", "http429", "not_json", "graphql_error", "echo_authorization")
FIRST_GUID = 20001


def load_schema() -> graphql.GraphQLSchema:
    """Pleio's schema as the demo serves it (validated, types checked, no resolvers yet)."""
    source = files("demo_sources").joinpath("content", SCHEMA_FILE).read_text(encoding="utf-8")
    return graphql.build_schema(source)


def pleio_time(when: datetime | None) -> str | None:
    """A time as Pleio's back end writes it: ``str()`` of an aware datetime."""
    return str(when) if when is not None else None


def slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


class PleioApp:
    server_header = "nginx"

    def __init__(self, data: Dataset, links: Links) -> None:
        self.data = data
        self.links = links
        self.items = pleio_items()
        self.token: str | None = None
        self.faults: list[str] = []
        self.robots_txt = "User-agent: *\nDisallow: /admin/\n"
        self.total_counts_the_page = False
        """Answer ``total`` as an older version of Pleio's resolver did: the number on this page."""
        self._lock = threading.Lock()
        self._next_guid = FIRST_GUID
        for item in self.items:
            item.guid = self._guid()
            for comment in _thread(item.comments):
                comment.guid = self._guid()
        self.schema = load_schema()
        query = self.schema.query_type
        assert query is not None, "Pleio's schema has a Query type"
        query.fields["entities"].resolve = self._resolve_entities
        query.fields["entity"].resolve = self._resolve_entity

    # --- what tests change -------------------------------------------------------------------

    def require_token(self, token: str | None) -> None:
        """Demand ``Authorization: Bearer <token>`` (None: a public site)."""
        self.token = token

    def fail_next(self, fault: str) -> None:
        """Answer the next GraphQL request with ``fault`` (one of FAULTS)."""
        if fault not in FAULTS:
            raise ValueError(f"unknown fault {fault!r}; use one of {', '.join(FAULTS)}")
        self.faults.append(fault)

    def add_comment(self, on_guid: str, author: str, text: str) -> PleioComment:
        """A new comment on an item or, given a comment's guid, a reply to that comment."""
        with self._lock:
            comment = PleioComment(author, text, utcnow(), guid=self._guid())
            target = self._find(on_guid)
            if target is None:
                raise KeyError(on_guid)
            (target.comments if isinstance(target, PleioItem) else target.replies).append(comment)
            return comment

    def edit(self, guid: str, paragraphs: list[str]) -> None:
        with self._lock:
            item = self._find(guid)
            if not isinstance(item, PleioItem):
                raise KeyError(guid)
            item.paragraphs = paragraphs
            item.updated = utcnow()

    def item(self, title: str) -> PleioItem:
        return next(item for item in self.items if item.title == title)

    def comment_count(self) -> int:
        return sum(1 for item in self.items for _ in _thread(item.comments))

    # --- serving -----------------------------------------------------------------------------

    def handle(self, request: Request) -> Response:
        if request.path == "/robots.txt":
            return Response(200, self.robots_txt.encode(), "text/plain")
        if request.path != "/graphql":
            return Response(404, b"<h1>Pagina niet gevonden</h1>")
        if self.token and request.header("Authorization") != f"Bearer {self.token}":
            return json_response({"errors": [{"message": "not_logged_in"}]}, 401)
        if request.method != "POST":
            return json_response({"errors": [{"message": "Must provide query string."}]}, 400)
        with self._lock:
            fault = self.faults.pop(0) if self.faults else None
        if fault == "http500":
            return Response(500, b"<h1>Server Error (500)</h1>")
        if fault == "http429":
            return Response(429, b"Too Many Requests", "text/plain", [("Retry-After", "1")])
        if fault == "not_json":
            return Response(200, b'{"data": {"entities": {"total": 3, "edg', "application/json")
        if fault == "graphql_error":
            return json_response(
                {"data": None, "errors": [{"message": "Er is iets misgegaan", "path": None}]}
            )
        if fault == "echo_authorization":  # a careless server quoting the credentials it got
            said = f"could not use {request.header('Authorization')}"
            return json_response({"data": None, "errors": [{"message": said}]})
        return self._execute(request.body)

    def _execute(self, body: bytes) -> Response:
        try:
            payload = json.loads(body or b"{}")
        except ValueError:
            return json_response({"errors": [{"message": "Invalid JSON body"}]}, 400)
        if not isinstance(payload, dict) or not isinstance(payload.get("query"), str):
            return json_response({"errors": [{"message": "Must provide query string."}]}, 400)
        variables = payload.get("variables")
        with self._lock:
            result = graphql.graphql_sync(
                self.schema,
                payload["query"],
                variable_values=variables if isinstance(variables, dict) else None,
                operation_name=payload.get("operationName"),
            )
        answer = result.formatted
        if result.data is None and result.errors:
            # like ariadne: a query that does not validate is the client's error, without data
            answer.pop("data", None)
            return json_response(answer, 400)
        return json_response(answer)

    # --- resolvers ---------------------------------------------------------------------------

    def _resolve_entities(
        self,
        _root: Any,
        _info: graphql.GraphQLResolveInfo[None],
        offset: int | None = None,
        limit: int | None = None,
        subtype: str | None = None,
        subtypes: list[str] | None = None,
        orderBy: str | None = None,  # noqa: N803 - Pleio's argument names
        orderDirection: str | None = None,  # noqa: N803
        **_ignored: Any,
    ) -> dict[str, Any]:
        start = max(offset or 0, 0)
        count = 20 if limit is None else max(limit, 0)
        if subtype and subtype not in TYPENAMES:
            raise graphql.GraphQLError("invalid_subtype")
        wanted = {subtype} if subtype else set(subtypes or TYPENAMES)
        chosen = [item for item in self.items if item.subtype in wanted]

        def key(item: PleioItem) -> Any:
            if orderBy in ("timeUpdated", "lastAction"):
                return item.updated or item.created
            if orderBy == "title":
                return item.title.lower()
            return item.created

        chosen.sort(key=key, reverse=orderDirection != "asc")
        window = chosen[start : start + count]
        total = len(window) if self.total_counts_the_page else len(chosen)
        return {"total": total, "edges": [self._entity(item) for item in window]}

    def _resolve_entity(
        self, _root: Any, _info: graphql.GraphQLResolveInfo[None], guid: str | None = None, **_: Any
    ) -> dict[str, Any] | None:
        found = self._find(guid or "")
        if isinstance(found, PleioItem):
            return self._entity(found)
        if isinstance(found, PleioComment):
            return self._comment(found, self._container(found))
        return None

    # --- rendering ---------------------------------------------------------------------------

    def _entity(self, item: PleioItem) -> dict[str, Any]:
        path = f"/{item.subtype}/view/{item.guid}/{slug(item.title)}"
        entity: dict[str, Any] = {
            "__typename": TYPENAMES[item.subtype],
            "guid": item.guid,
            "status": 200,
            "subtype": item.subtype,
            "title": item.title,
            "abstract": None,
            "description": "".join(f"<p>{esc(p)}</p>" for p in item.paragraphs),
            "richDescription": rich_description(item.paragraphs, item.rich_format),
            "excerpt": item.paragraphs[0][:140],
            "url": path,
            "tags": list(item.tags),
            "tagCategories": [],
            "timeCreated": pleio_time(item.created),
            "timeUpdated": pleio_time(item.updated or item.created),
            "timePublished": pleio_time(item.created),
            "statusPublished": "published",
            "canEdit": False,
            "canComment": False,
            "votes": 0,
            "views": 10 + len(item.title),
            "owner": self._user(item.author),
            "comments": [self._comment(c, item) for c in item.comments],
            "commentCount": sum(1 for _ in _thread(item.comments)),
            "isPinned": False,
            "isLocked": False,
            "isClosed": False,
            "startDate": pleio_time(item.start),
            "endDate": pleio_time(item.start),
            "location": item.location or None,
            "locationAddress": None,
            "source": None,
            "hasChildren": any(other.parent == item.title for other in self.items),
            "children": [],
            "parent": None,
        }
        if item.parent:
            entity["parent"] = self._entity(self.item(item.parent))
        return entity

    def _comment(self, comment: PleioComment, item: PleioItem | None) -> dict[str, Any]:
        person = self.data.people.get(comment.author)
        return {
            "__typename": "Comment",
            "guid": comment.guid,
            "status": 200,
            "subtype": "comment",
            "title": None,
            "description": f"<p>{esc(comment.text)}</p>",
            "richDescription": rich_description([comment.text], "draftjs"),
            "excerpt": comment.text[:140],
            "url": f"/{item.subtype}/view/{item.guid}/{slug(item.title)}#{comment.guid}"
            if item
            else None,
            "tags": [],
            "timeCreated": pleio_time(comment.at),
            "timeUpdated": pleio_time(comment.at),
            "canEdit": False,
            "votes": 0,
            "isBestAnswer": comment.best_answer,
            "owner": self._user(comment.author) if person else None,
            "ownerName": person.name if person else comment.author,
            "canComment": False,
            "comments": [self._comment(reply, item) for reply in comment.replies],
            "commentCount": len(comment.replies),
        }

    def _user(self, key: str) -> dict[str, Any] | None:
        person = self.data.people.get(key)
        if person is None:
            return None
        return {
            "__typename": "User",
            "guid": str(10000 + list(self.data.people).index(key)),
            "status": 200,
            "username": person.key,
            "name": person.name,
            "icon": f"/user/{person.key}/icon",
            "url": f"/user/{person.key}/profile",
            "canEdit": False,
        }

    def _guid(self) -> str:
        self._next_guid += 1
        return str(self._next_guid)

    def _find(self, guid: str) -> PleioItem | PleioComment | None:
        for item in self.items:
            if item.guid == guid:
                return item
            for comment in _thread(item.comments):
                if comment.guid == guid:
                    return comment
        return None

    def _container(self, wanted: PleioComment) -> PleioItem | None:
        for item in self.items:
            if any(comment is wanted for comment in _thread(item.comments)):
                return item
        return None


def _thread(comments: list[PleioComment]) -> Iterator[PleioComment]:
    """Every comment of a thread, replies after the comment they answer."""
    for comment in comments:
        yield comment
        yield from _thread(comment.replies)


def rich_description(paragraphs: list[str], form: str) -> str:
    """Paragraphs as Pleio stores rich text: Draft.js raw content (JSON), TipTap's document
    (JSON) or HTML."""
    if form == "html":
        return "".join(f"<p>{esc(p)}</p>" for p in paragraphs)
    if form == "tiptap":
        doc = {
            "type": "doc",
            "content": [
                {"type": "paragraph", "content": [{"type": "text", "text": p}]} for p in paragraphs
            ],
        }
        return json.dumps(doc, ensure_ascii=False)
    blocks = [
        {
            "key": f"b{i}",
            "text": p,
            "type": "unstyled",
            "depth": 0,
            "inlineStyleRanges": [],
            "entityRanges": [],
            "data": {},
        }
        for i, p in enumerate(paragraphs)
    ]
    return json.dumps({"blocks": blocks, "entityMap": {}}, ensure_ascii=False)
