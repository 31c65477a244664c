"""What a site profile reads from one page, field by field, for the operator writing or
mending a profile: each page type in order, whether it applies (and why not), what each of its
fields found, which required fields it lost, and its comments. ``archiveren profile check``
prints this for a live URL, an archived capture or a file."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from parsel import Selector

from platforms.dates import FoundDate
from platforms.profile import PageType, SiteProfile
from platforms.rules import page_type_applies, parse_html, read_fields, rule_nodes

SHOWN = 100
"""How many characters of a field's value are shown."""


@dataclass(frozen=True)
class TypeCheck:
    """One page type against the page."""

    name: str
    applies: bool
    why: str
    fields: dict[str, str] = field(default_factory=dict)
    missing: tuple[str, ...] = ()
    comments: tuple[str, ...] = ()
    chosen: bool = False


def check_page(
    profile: SiteProfile, body: bytes | str, url: str, captured_at: datetime
) -> list[TypeCheck]:
    """Every page type of ``profile`` against the page; the first that applies and keeps its
    required fields is ``chosen`` (the one the indexer would use)."""
    page = parse_html(body)
    checks: list[TypeCheck] = []
    chosen = False
    for page_type in profile.page_types:
        if not page_type_applies(page_type, page, url):
            checks.append(TypeCheck(page_type.name, False, _why_not(page_type, page, url)))
            continue
        if page_type.kind is None:
            checks.append(
                TypeCheck(page_type.name, True, "a listing: makes no Post", chosen=not chosen)
            )
            chosen = True
            continue
        read = read_fields(profile, page_type, page, url, captured_at)
        missing = tuple(name for name in page_type.required if not getattr(read, name))
        fields = {
            "title": read.title,
            "author": read.author,
            "author_url": read.author_url,
            "date": _date_text(read.date) if read.date else "",
            "tags": ", ".join(read.tags),
            "body": f"{len(read.body)} characters: {read.body}" if read.body else "",
            "links": str(len(read.links)) if read.links else "",
            "media": str(len(read.media)) if read.media else "",
            "lang": read.lang,
        }
        comments = tuple(
            f"{c.author or '(no author)'} · {_date_text(c.date)} · {_short(c.text) or '(no text)'}"
            for c in read.comments
        )
        fits = not missing and not chosen
        checks.append(
            TypeCheck(
                page_type.name,
                True,
                _why(page_type, url),
                {name: _short(value) for name, value in fields.items()},
                missing,
                comments,
                chosen=fits,
            )
        )
        chosen = chosen or fits
    return checks


def _why(page_type: PageType, url: str) -> str:
    if page_type.url and re.search(page_type.url, url):
        return f"the URL matches {page_type.url!r}"
    if page_type.content:
        return "a content test found what the type shows"
    return "no URL or content test: applies to every page"


def _why_not(page_type: PageType, page: Selector, url: str) -> str:
    if page_type.url or page_type.content:
        by_url = bool(page_type.url and re.search(page_type.url, url))
        if not by_url and not any(rule_nodes(page, rule) for rule in page_type.content):
            shape = f"the URL does not match {page_type.url!r}" if page_type.url else "no URL rule"
            return f"{shape} and no content test found anything"
    for rule in page_type.when:
        if not rule_nodes(page, rule):
            return f"the 'when' test {rule.css or rule.xpath or rule.link!r} found nothing"
    return "does not apply"


def _date_text(found: FoundDate | None) -> str:
    if found is None:
        return "(no date)"
    return found.value.isoformat() + (" (approximate)" if found.approximate else "")


def _short(value: str) -> str:
    flat = " ".join(value.split())
    return flat if len(flat) <= SHOWN else flat[: SHOWN - 1] + "…"
