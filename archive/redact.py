"""Keeps credentials out of WARC files. Collectors send API tokens, cookies and keys with their
requests; a WARC is a permanent public record, so every request header, query parameter and form
field that carries a secret is removed before a record is built, including from the
WARC-Target-URI. Response bytes are left as received: they are what the source published."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl, unquote_plus, urlencode, urlsplit, urlunsplit

SECRET_HEADERS = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "cookie",
        "cookie2",
        "x-api-key",
        "api-key",
        "x-auth-token",
        "x-access-token",
        "x-csrf-token",
        "x-xsrf-token",
        "x-amz-security-token",
    }
)

SECRET_PARAMS = frozenset(
    {
        "access_token",
        "refresh_token",
        "id_token",
        "token",
        "auth",
        "auth_token",
        "api_key",
        "apikey",
        "api-key",
        "key",
        "client_secret",
        "oauth_token",
        "oauth_token_secret",
        "oauth_signature",
        "oauth_consumer_key",
        "password",
        "passwd",
        "secret",
        "signature",
        "sig",
        "session",
        "sessionid",
        "sid",
    }
)


PAGING_PARAMS = frozenset(
    {"pagination_token", "next_token", "previous_token", "page_token", "continuation_token"}
)
"""Paging cursors end in ``_token`` but are not credentials; without them pages of one query
would share one archived URL."""


def is_secret_param(name: str) -> bool:
    lowered = name.lower()
    if lowered in PAGING_PARAMS:
        return False
    return lowered in SECRET_PARAMS or lowered.endswith(("_token", "_secret", "_key", "_password"))


def redact_headers(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The request headers without those that carry credentials, order kept."""
    return [(name, value) for name, value in headers if name.lower() not in SECRET_HEADERS]


def redact_url(url: str) -> str:
    """The URL without credential query parameters or user-info; everything else untouched
    (parameter order and encoding of the kept parameters are preserved byte for byte)."""
    parts = urlsplit(url)
    netloc = parts.netloc.rpartition("@")[2] if "@" in parts.netloc else parts.netloc
    if not parts.query:
        return urlunsplit((parts.scheme, netloc, parts.path, "", parts.fragment))
    kept = [
        piece
        for piece in parts.query.split("&")
        if piece and not is_secret_param(unquote_plus(piece.partition("=")[0]))
    ]
    return urlunsplit((parts.scheme, netloc, parts.path, "&".join(kept), parts.fragment))


def redact_form_body(body: bytes, content_type: str) -> bytes:
    """A urlencoded request body without credential fields (e.g. an OAuth token request);
    other bodies are returned unchanged because their structure is unknown."""
    if not body or "application/x-www-form-urlencoded" not in content_type.lower():
        return body
    pairs = parse_qsl(body.decode("latin-1"), keep_blank_values=True)
    return urlencode([(k, v) for k, v in pairs if not is_secret_param(k)]).encode("latin-1")


def redact_json_value(value: Any) -> Any:
    """Capture metadata with any URL strings redacted, so context like a feed URL with a
    token in it cannot leak through the metadata record."""
    if isinstance(value, str):
        return redact_url(value) if value.startswith(("http://", "https://")) else value
    if isinstance(value, dict):
        return {
            k: ("" if is_secret_param(str(k)) else redact_json_value(v)) for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [redact_json_value(v) for v in value]
    json.dumps(value)  # refuse non-JSON values here, where the caller can see where they came from
    return value
