"""Interface language: Dutch by default, English available. The choice comes from a ``?lang=``
switch (remembered in a cookie), else the browser's Accept-Language, else Dutch. Messages live
in search_ui/messages.json, one key per phrase, so a translator edits one file."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from pathlib import Path

from fastapi import Request

from indexer.periods import DayOutOfRange, ReversedPeriod
from indexer.query_lexer import QuerySyntaxError
from indexer.query_limits import FIRST_DAY, LAST_DAY

LANGUAGES: tuple[str, ...] = ("nl", "en")
DEFAULT_LANGUAGE = "nl"
LANG_COOKIE = "archiveren_lang"


MESSAGE_FILES: tuple[str, ...] = (
    "messages.json",
    "messages_compliance.json",
    "messages_exports.json",
    "messages_evidence.json",
    "messages_collections.json",
)
"""The message files, read in this order (the compliance pages, the exports and Woo cases, and
the evidence of a record, and the names of run counts and capture kinds keep theirs apart)."""


@cache
def messages() -> dict[str, dict[str, str]]:
    catalogue: dict[str, dict[str, str]] = {}
    for name in MESSAGE_FILES:
        catalogue.update(json.loads(Path(__file__).with_name(name).read_text(encoding="utf-8")))
    return catalogue


def negotiate(request: Request) -> str:
    """The language for this request: explicit switch, cookie, Accept-Language, default."""
    chosen = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE)
    if chosen in LANGUAGES:
        return chosen
    return from_accept_language(request.headers.get("accept-language", ""))


def from_accept_language(header: str) -> str:
    """The best supported language in an Accept-Language header (q-values honoured)."""
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGUAGES and quality > 0:
            ranked.append((-quality, position, primary))
    return min(ranked)[2] if ranked else DEFAULT_LANGUAGE


def translator(lang: str) -> Callable[..., str]:
    """``t(key, **values)``: the message in ``lang`` (falling back to Dutch, then the key)."""
    table = messages()

    def t(key: str, **values: object) -> str:
        entry = table.get(key)
        text = (entry.get(lang) or entry.get(DEFAULT_LANGUAGE, key)) if entry else key
        return text.format(**values) if values else text

    return t


def error_text(error: Exception, t: Callable[..., str]) -> str:
    """What went wrong, in the page's language: a query the parser refused is told by its code
    (``query.<code>`` in messages.json), an error with a ``message_key`` by that key and its
    ``message_values``; other errors keep their own (English) message."""
    if isinstance(error, ReversedPeriod):
        return t("search.period_reversed", first=error.first, last=error.last)
    if isinstance(error, DayOutOfRange):
        field = t(f"search.{error.name}") if error.name in ("from", "to") else error.name
        return t(
            "search.date_out_of_range", field=field, value=error.day, first=FIRST_DAY, last=LAST_DAY
        )
    if isinstance(error, QuerySyntaxError) and f"query.{error.code}" in messages():
        problem = t(f"query.{error.code}", **error.values)
        return t("query.at", position=error.position + 1, problem=problem)
    key = getattr(error, "message_key", None)
    if isinstance(key, str) and key in messages():
        return t(key, **getattr(error, "message_values", {}))
    return str(error)
