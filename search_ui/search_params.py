"""The search as it travels in a URL: query, facet filters, date range, sort and page, read from
query parameters into a SearchRequest and written back into links (a facet value toggled, a
date range chosen, the next page). The HTML pages and the JSON API read the same parameters, so
a result set's URL is also its API call and the query an export records."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from urllib.parse import urlencode

from foundation.errors import QueryError
from indexer.periods import whole_days
from indexer.query_model import FACET_FIELDS, Interval, SearchRequest, Sort
from workspace.hold_query import HOLD_FILTERS

SORTS: tuple[Sort, ...] = ("relevance", "newest", "oldest")
PAGE_SIZES: tuple[int, ...] = (10, 20, 50, 100)
MAX_PAGE = 500
PAGE_FACETS: tuple[str, ...] = (*FACET_FIELDS, "changed", "deleted")
"""The facets the search page counts: the backend's, and whether the content changed and
whether the post went at its source."""
FILTER_FIELDS: tuple[str, ...] = (*PAGE_FACETS, *HOLD_FILTERS)
"""What a search URL may filter on: the backend's facets, whether the content changed
(``changed=true``) or went at the source (``deleted=true``), and legal holds (resolved against the catalogue by
workspace.hold_query before the backend sees the request)."""


@dataclass(frozen=True)
class SearchState:
    """What the user asked for; everything a search URL holds."""

    query: str = ""
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    date_from: date | None = None
    date_to: date | None = None
    sort: Sort = "relevance"
    page: int = 1
    size: int = 20

    @classmethod
    def from_params(cls, params: Mapping[str, str] | object) -> SearchState:
        """Read query parameters (a Starlette QueryParams or a plain mapping). Bad values raise
        QueryError with what to fix, so the page can say so instead of failing."""
        get_all = getattr(params, "getlist", None)

        def values(name: str) -> list[str]:
            if get_all is not None:
                return [v for v in get_all(name) if v != ""]
            value = params.get(name) if isinstance(params, Mapping) else None
            return [value] if value else []

        def one(name: str) -> str:
            found = values(name)
            return found[-1] if found else ""

        filters = {
            name: tuple(dict.fromkeys(values(name))) for name in FILTER_FIELDS if values(name)
        }
        sort = one("sort") or "relevance"
        if sort not in SORTS:
            raise QueryError(f"sort={sort!r} is not a sort order; use one of {', '.join(SORTS)}")
        date_from, date_to = _parse_date(one("from"), "from"), _parse_date(one("to"), "to")
        whole_days(date_from, date_to)  # refuses a period that ends before it starts
        return cls(
            query=one("q")[:4000],
            filters=filters,
            date_from=date_from,
            date_to=date_to,
            sort=sort,
            page=_parse_int(one("page"), "page", 1, 1, MAX_PAGE),
            size=_parse_int(one("size"), "size", 20, 1, max(PAGE_SIZES)),
        )

    def request(self, *, facets: bool = True, limit: int | None = None) -> SearchRequest:
        """The backend request for this state (``date_to`` is inclusive in the UI)."""
        return SearchRequest(
            query=self.query,
            filters={name: list(values) for name, values in self.filters.items()},
            date_from=whole_days(self.date_from, self.date_to)[0],
            date_to=whole_days(self.date_from, self.date_to)[1],
            facets=list(PAGE_FACETS) if facets else [],
            date_histogram=self.interval() if facets else None,
            sort=self.sort,
            offset=(self.page - 1) * self.size,
            limit=self.size if limit is None else limit,
        )

    def interval(self) -> Interval:
        """Histogram bars fine enough to drag across: days within two months, else months."""
        if self.date_from and self.date_to and (self.date_to - self.date_from).days <= 62:
            return "day"
        return "month"

    def params(self) -> list[tuple[str, str]]:
        pairs: list[tuple[str, str]] = [("q", self.query)] if self.query else []
        for name in FILTER_FIELDS:
            pairs.extend((name, value) for value in self.filters.get(name, ()))
        if self.date_from:
            pairs.append(("from", self.date_from.isoformat()))
        if self.date_to:
            pairs.append(("to", self.date_to.isoformat()))
        if self.sort != "relevance":
            pairs.append(("sort", self.sort))
        if self.page != 1:
            pairs.append(("page", str(self.page)))
        if self.size != 20:
            pairs.append(("size", str(self.size)))
        return pairs

    def url(self, path: str = "/search", **changes: object) -> str:
        """This search with some parts changed (any change but paging returns to page 1)."""
        if "page" not in changes:
            changes["page"] = 1
        state = replace(self, **changes)  # type: ignore[arg-type]
        query = urlencode(state.params())
        return f"{path}?{query}" if query else path

    def toggled(self, name: str, value: str) -> str:
        """The URL with one facet value added to, or removed from, its filter."""
        current = self.filters.get(name, ())
        chosen = tuple(v for v in current if v != value) if value in current else current + (value,)
        filters = {k: v for k, v in self.filters.items() if k != name}
        if chosen:
            filters[name] = chosen
        return self.url(filters=filters)

    def is_selected(self, name: str, value: str) -> bool:
        return value in self.filters.get(name, ())

    def filters_for_export(self) -> dict[str, list[str]]:
        return {name: list(values) for name, values in self.filters.items()}

    def as_record(self) -> dict[str, object]:
        """The search as the audit log and the export record it."""
        return {
            "query": self.query,
            "filters": self.filters_for_export(),
            "date_from": self.date_from.isoformat() if self.date_from else None,
            "date_to": self.date_to.isoformat() if self.date_to else None,
            "sort": self.sort,
        }


def bucket_end(start: str, interval: Interval) -> date:
    """The last day of the histogram bucket starting at ``start`` (inclusive, as the UI's 'to')."""
    first = date.fromisoformat(start)
    if interval == "day":
        return first
    if interval == "week":
        return first + timedelta(days=6)
    if interval == "month":
        following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
        return following - timedelta(days=1)
    return date(first.year, 12, 31)


def _parse_date(value: str, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])  # whole_days refuses a day it cannot search
    except ValueError:
        raise QueryError(
            f"{name}={value!r} is not a date; write it as YYYY-MM-DD, e.g. 2012-03-31"
        ) from None


def _parse_int(value: str, name: str, default: int, low: int, high: int) -> int:
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        raise QueryError(f"{name}={value!r} is not a whole number") from None
    if not low <= number <= high:
        raise QueryError(f"{name}={number} is out of range; use {low} to {high}")
    return number


def merge_by_year(buckets: Sequence[tuple[str, int]]) -> list[tuple[str, int]]:
    """Monthly buckets folded into years, when months are too many to show as bars."""
    years: dict[str, int] = {}
    for start, count in buckets:
        key = f"{start[:4]}-01-01"
        years[key] = years.get(key, 0) + count
    return sorted(years.items())
