"""Site profiles: how to read a network site's pages, kept as YAML data in ``profiles/`` beside this module.

A profile names the platform its pages belong to, the site's time zone, which query parameters
are paging or noise (dropped from a page's id), and a list of page types. A page type says when
it applies (a CSS or XPath test, a URL pattern), what kind of Post it makes (or none, for a
listing page), and a rule per field: title, author, date, body, tags and the comments (each an
author, a date and a text). A rule is a selector, a mapping with ``css``/``xpath``, ``link``,
``text``, ``attr``, ``regex`` and ``label``, or a list of those tried in order
(``docs/profiles.md`` describes them with examples). Profiles are looked up by name, or read from
a path a source gives.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from foundation.errors import ConfigError

PROFILES_DIR = Path(__file__).resolve().with_name("profiles")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Rule(_Strict):
    """One way to find a value: a CSS or XPath selector (or the page), narrowed to the links
    whose address has a given shape and to the elements whose text says something; then an
    attribute or the text, then an optional regular expression whose first group (or whole
    match) is the value, then an optional label pattern that keeps what stands at its ``…``."""

    css: str | None = None
    xpath: str | None = None
    link: str | None = Field(
        default=None,
        description="keep the links (a[href], inside what css/xpath selects) whose href this"
        " regex finds, e.g. '/profile/[^/?#]+' for authors, '/list/tag/' for tags",
    )
    text: str | None = Field(
        default=None,
        description="keep the elements whose text this regex finds (case-insensitive)",
    )
    attr: str | None = Field(default=None, description="read this attribute instead of the text")
    regex: str | None = Field(
        default=None, description="keep the first group (or the match) of this pattern"
    )
    label: str | None = Field(
        default=None,
        description="words around the value, one form per language separated by '|', the value"
        " at '…': 'Geplaatst door … op {date}|Posted by … on {date}', '… says:|… schreef:';"
        " {date} is where a date starts; a form without '…' is a label before the value",
    )

    @field_validator("link", "text", "regex")
    @classmethod
    def _compiles(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"not a regular expression: {value!r}: {exc}") from None
        return value


def _rules(value: object) -> object:
    """Accept a bare selector string, one mapping, or a list of either, as a list of rules."""
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    return [{"css": item} if isinstance(item, str) else item for item in items]


class CommentRules(_Strict):
    item: list[Rule] = Field(description="selects each comment's element")
    id: list[Rule] = Field(
        default_factory=list, description="the comment's native id, inside the item"
    )
    author: list[Rule] = Field(default_factory=list)
    author_url: list[Rule] = Field(default_factory=list)
    date: list[Rule] = Field(default_factory=list)
    text: list[Rule] = Field(default_factory=list)
    drop: list[str] = Field(
        default_factory=list,
        description="CSS of elements removed from the text (reply links, avatars)",
    )
    id_prefix_strip: str = Field(
        default="", description="regex removed from the front of a native id, e.g. 'comment-'"
    )

    _item = field_validator("item", "id", "author", "author_url", "date", "text", mode="before")(
        _rules
    )


RequiredField = Literal["title", "author", "date", "body"]


def _title_and_body() -> list[RequiredField]:
    return ["title", "body"]


class PageType(_Strict):
    name: str
    kind: Literal["post", "page", "comment"] | None = Field(
        default="post", description="Post kind; null for listing pages that make no Post"
    )
    when: list[Rule] = Field(
        default_factory=list, description="all of these must find something for the type to apply"
    )
    url: str | None = Field(default=None, description="regex the page URL must match (searched)")
    content: list[Rule] = Field(
        default_factory=list,
        description="the type also applies to a page whose URL does not match ``url`` when one"
        " of these finds something (a page recognised by what it shows)",
    )
    required: list[RequiredField] = Field(
        default_factory=_title_and_body,
        description="fields that must be found, else the layout does not match",
    )
    title: list[Rule] = Field(default_factory=list)
    author: list[Rule] = Field(default_factory=list)
    author_url: list[Rule] = Field(default_factory=list)
    date: list[Rule] = Field(default_factory=list)
    body: list[Rule] = Field(default_factory=list)
    drop: list[str] = Field(
        default_factory=list, description="CSS of elements removed from the body before reading it"
    )
    tags: list[Rule] = Field(default_factory=list, description="each match is one tag")
    comments: CommentRules | None = None

    _fields = field_validator(
        "when", "content", "title", "author", "author_url", "date", "body", "tags", mode="before"
    )(_rules)


class SiteProfile(_Strict):
    name: str
    description: str = ""
    platform: Literal["network", "wiki", "web"] = "network"
    generic: bool = Field(
        default=False, description="main-content extraction (trafilatura) instead of page types"
    )
    timezone: str = Field(
        default="Europe/Amsterdam", description="zone of dates printed without one"
    )
    dayfirst: bool = Field(default=True, description="read 03/04/2014 as 3 April")
    paging: list[str] = Field(
        default_factory=list, description="query parameters that page a comment list"
    )
    noise: list[str] = Field(
        default_factory=list, description="query parameters that do not change what a page is"
    )
    handle_from_url: str | None = Field(
        default=None, description="regex whose first group is the author's handle in an author URL"
    )
    page_types: list[PageType] = Field(default_factory=list)


@cache
def load_profile(name_or_path: str) -> SiteProfile:
    """The profile called ``name_or_path`` in ``platforms/profiles``, or read from that path."""
    candidate = Path(name_or_path)
    if candidate.suffix in (".yaml", ".yml") or len(candidate.parts) > 1:
        path = candidate
    else:
        path = PROFILES_DIR / f"{name_or_path}.yaml"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in PROFILES_DIR.glob("*.yaml")))
        raise ConfigError(
            f"site profile {name_or_path!r}: {path} does not exist; use one of {known} or give a path to a profile YAML file"
        )
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        return SiteProfile.model_validate(raw)
    except yaml.YAMLError as exc:
        raise ConfigError(f"site profile {path}: not valid YAML: {exc}") from None
    except ValidationError as exc:
        raise ConfigError(f"site profile {path}: invalid: {exc}") from None
