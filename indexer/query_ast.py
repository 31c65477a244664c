"""The parsed form of a Lucene-style query string: a small tree of immutable nodes that every
search backend translates into its own query objects (tantivy Query, Elasticsearch DSL).

Field names in the tree are already canonical index fields (``hashtag`` became ``hashtags``);
``field=None`` means the default fields (title, text and author). Dates are resolved to
half-open UTC ranges, so a backend never parses query text itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class MatchAll:
    """Every document: the empty query, ``*`` or ``*:*``."""


@dataclass(frozen=True)
class Term:
    """One word (analysed for text fields, exact for keyword fields)."""

    field: str | None
    text: str


@dataclass(frozen=True)
class Phrase:
    """Words in this order, at most ``slop`` positions apart (``"a b"~2``). On a keyword field it
    is the exact value, e.g. ``source:"x-rijk"``; on a name field the name's words in this
    order, e.g. ``author:"Jeroen de Vries"``."""

    field: str | None
    text: str
    slop: int = 0


@dataclass(frozen=True)
class Wildcard:
    """A word with ``*`` (any run of characters) and ``?`` (one character); ``amb*`` is a prefix.
    A backslash keeps a ``*``, ``?`` or ``\\`` literal, as in Elasticsearch wildcard queries."""

    field: str | None
    pattern: str

    @property
    def prefix(self) -> str | None:
        """The literal prefix when the pattern is ``literal*``, else None."""
        body = self.pattern[:-1]
        if self.pattern.endswith("*") and not any(c in body for c in "*?\\"):
            return body
        return None


@dataclass(frozen=True)
class Fuzzy:
    """A word within ``distance`` edits (``ambtenar~1``)."""

    field: str | None
    text: str
    distance: int


@dataclass(frozen=True)
class DateRange:
    """``start <= field < end`` in UTC; a missing side is open."""

    field: str
    start: datetime | None
    end: datetime | None


@dataclass(frozen=True)
class Not:
    """Documents not matching ``child`` (``NOT x``, ``-x``, ``!x``)."""

    child: Node


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Boost:
    """``child^factor``: scales the child's relevance score."""

    child: Node
    factor: float


Node = MatchAll | Term | Phrase | Wildcard | Fuzzy | DateRange | Not | And | Or | Boost
