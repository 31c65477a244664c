"""Rendering a page: the Jinja2 environment (autoescaping on, beside the views in templates/)
and the context every template gets: the translator, language, current user, CSRF token, and
helpers that format dates and sizes the same way on every page."""

from __future__ import annotations

import html
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from markupsafe import Markup
from starlette.responses import Response

from foundation.local_time import DEFAULT_TIMEZONE, local_text
from platforms.ownership import is_foreign_record
from search_ui.auth import authenticate, csrf_token
from search_ui.i18n import DEFAULT_LANGUAGE, LANGUAGES, messages, translator

templates = Jinja2Templates(directory=str(Path(__file__).with_name("templates")))
_MARK = re.compile(r"(</?mark>)")


def render(
    request: Request, name: str, context: dict[str, Any] | None = None, status_code: int = 200
) -> Response:
    lang = request.state.lang
    user = getattr(request.state, "user", None) or authenticate(request)
    base = {
        "t": translator(lang),
        "known_messages": messages(),
        "lang": lang,
        "languages": LANGUAGES,
        "user": user,
        "csrf_token": csrf_token(request),
        "path": request.url.path,
        "lang_url": lambda code: _with_lang(request, code),
        "timezone": request.app.state.display_timezone,
    }
    base.update(context or {})
    return templates.TemplateResponse(request, name, base, status_code=status_code)


def _with_lang(request: Request, code: str) -> str:
    pairs = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"] + [
        ("lang", code)
    ]
    return request.url.path + "?" + "&".join(f"{quote(k)}={quote(v)}" for k, v in pairs)


def snippet(fragment: str) -> Markup:
    """A highlight snippet made safe whatever the backend sent: every piece between <mark> tags
    is unescaped once and escaped again, so only <mark> survives as markup."""
    parts = _MARK.split(fragment)
    return Markup(
        "".join(
            part if part in ("<mark>", "</mark>") else html.escape(html.unescape(part))
            for part in parts
        )
    )


@pass_context
def when(context: Any, moment: datetime | date | str | None, with_time: bool = True) -> str:
    """A time as the pages show it: local (the config's ``display_timezone``), labelled with the
    zone, in the page's language; WARC-Date strings are parsed first."""
    return local_text(
        moment,
        context.get("lang", DEFAULT_LANGUAGE),
        with_time=with_time,
        timezone=context.get("timezone", DEFAULT_TIMEZONE),
    )


def size(number: int) -> str:
    for unit in ("B", "kB", "MB", "GB"):
        if number < 1000 or unit == "GB":
            return f"{number:.0f} {unit}" if unit == "B" else f"{number:.1f} {unit}"
        number /= 1000  # type: ignore[assignment]
    return f"{number} B"


def urlpath(value: str) -> str:
    """A Post id as one URL path part (ids carry ':' and sometimes '/', '?' or '#')."""
    return quote(value, safe=":@")


def safe_url(value: str) -> str:
    """The URL if it is http(s), else '': archived links may say javascript: or data:."""
    return value if value.lower().startswith(("http://", "https://")) else ""


templates.env.filters["snippet"] = snippet
templates.env.filters["urlpath"] = urlpath
templates.env.filters["safe_url"] = safe_url
templates.env.filters["when"] = when
templates.env.filters["size"] = size
templates.env.tests["foreign_record"] = is_foreign_record
