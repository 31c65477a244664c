"""``legal_hold:true`` and ``hold:NAME`` in a search: the catalogue knows which Posts its active
holds cover (also while their marks in the index are pending), so these two names are read out
of the query string and the filters and turned into a filter on Post ids before the backend
sees the request. They narrow the whole query: inside parentheses or after OR or NOT they are
refused with a message saying so. The same holds give the search page its hold facets."""

from __future__ import annotations

import re
import shlex

from sqlalchemy import select

from catalogue.schema import HeldPostRow, LegalHoldRow
from catalogue.store import Catalogue
from foundation.errors import QueryError
from indexer.query_model import FacetBucket, SearchBackend, SearchRequest

HOLD_FILTERS: tuple[str, ...] = ("legal_hold", "hold")
NO_POST = "\x00none"
"""An id no Post has: the filter when a hold covers nothing."""

_TERM = re.compile(r'(?<![\w:])(legal_hold|hold):("(?:[^"\\]|\\.)*"|[^\s()]+)')
_GUARDED = re.compile(r"(\(|\bOR\b|\bNOT\b|(?<!\w)[-!])")


def split_hold_terms(query: str) -> tuple[str, dict[str, list[str]]]:
    """``query`` without its legal_hold:/hold: terms, and those terms as filters."""
    found: dict[str, list[str]] = {}
    if "hold:" not in query:
        return query, found
    if _GUARDED.search(query):
        raise QueryError(
            "legal_hold: and hold: narrow the whole query: use them without parentheses, OR "
            "or NOT in the query, or choose the legal-hold facet"
        )
    for match in _TERM.finditer(query):
        value = match.group(2)
        if value.startswith('"'):
            value = shlex.split(value)[0]
        found.setdefault(match.group(1), []).append(value)
    rest = _TERM.sub(" ", query)
    rest = re.sub(r"\bAND\s+(?=AND\b|$)|^\s*AND\b", " ", rest.strip())
    return " ".join(rest.split()), found


def active_holds(catalogue: Catalogue) -> dict[str, set[str]]:
    """Active hold name -> the Post ids it covers (two active holds may share a name)."""
    with catalogue.session() as session:
        rows = session.execute(
            select(LegalHoldRow.name, HeldPostRow.post_id)
            .join(HeldPostRow, HeldPostRow.hold_id == LegalHoldRow.id)
            .where(LegalHoldRow.released_at.is_(None))
            .order_by(LegalHoldRow.id)
        ).all()
    covered: dict[str, set[str]] = {}
    for name, post_id in rows:
        covered.setdefault(name, set()).add(post_id)
    return covered


def resolve(
    catalogue: Catalogue, request: SearchRequest, extra: dict[str, list[str]] | None = None
) -> SearchRequest:
    """The request with legal_hold/hold (in its query, its filters or ``extra``) as an id filter."""
    query, wanted = split_hold_terms(request.query)
    filters = {k: list(v) for k, v in request.filters.items() if k not in HOLD_FILTERS}
    for source in (request.filters, extra or {}):
        for name in HOLD_FILTERS:
            wanted.setdefault(name, []).extend(source.get(name, []))
    wanted = {name: values for name, values in wanted.items() if values}
    if not wanted:
        return request if query == request.query else request.model_copy(update={"query": query})
    covered = active_holds(catalogue)
    everything_held = set().union(*covered.values()) if covered else set()
    ids: set[str] | None = None
    for value in wanted.get("legal_hold", []):
        if value.lower() not in ("true", "false"):
            raise QueryError(f"legal_hold:{value}: write legal_hold:true")
        if value.lower() == "true":
            ids = everything_held if ids is None else ids & everything_held
    for name in wanted.get("hold", []):
        named = covered.get(name, set())
        ids = named if ids is None else ids & named
    if ids is not None:
        filters["id"] = sorted(ids) or [NO_POST]
    return request.model_copy(update={"query": query, "filters": filters})


def hold_facets(
    catalogue: Catalogue, backend: SearchBackend, request: SearchRequest
) -> dict[str, list[FacetBucket]]:
    """Counts within ``request`` (already resolved): held Posts, and per active hold."""
    covered = active_holds(catalogue)
    if not covered:
        return {}
    everything_held = set().union(*covered.values())
    # one count per hold, for the newest holds as many as the backend's facets list values
    newest = dict(list(covered.items())[-max(request.facet_size, 1) :])
    base = request.model_copy(
        update={"facets": [], "date_histogram": None, "highlight": False, "limit": 0, "offset": 0}
    )

    def count(ids: set[str]) -> int:
        narrowed = set(base.filters.get("id", ids)) & ids if "id" in base.filters else ids
        filters = dict(base.filters) | {"id": sorted(narrowed) or [NO_POST]}
        return backend.search(base.model_copy(update={"filters": filters})).total

    held = count(everything_held)
    per_hold = [FacetBucket(value=name, count=count(ids)) for name, ids in newest.items()]
    return {
        "legal_hold": [FacetBucket(value="true", count=held)] if held else [],
        "hold": sorted((b for b in per_hold if b.count), key=lambda b: (-b.count, b.value)),
    }
