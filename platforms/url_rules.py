"""Which page a network-site URL shows: its key without paging and noise parameters, and which
page of a long comment list it is. The extractor builds Post ids from the key; the crawler uses
it to follow a comment list's pages as one page, not as links one level deeper."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit

from platforms.profile import SiteProfile


def page_key(url: str, profile: SiteProfile) -> str:
    """``host/path[?query]`` with paging and noise parameters dropped and the rest sorted."""
    parts = urlsplit(url)
    dropped = {name.lower() for name in (*profile.paging, *profile.noise)}
    query = sorted(
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if k.lower() not in dropped
    )
    host = (parts.hostname or "").lower() + (f":{parts.port}" if parts.port else "")
    path = parts.path or "/"
    return f"{host}{path}" + (f"?{urlencode(query)}" if query else "")


def comment_page_number(url: str, profile: SiteProfile) -> int:
    """Which page of a comment list ``url`` shows (1 when it has no paging parameter)."""
    paging = {name.lower() for name in profile.paging}
    for name, value in parse_qsl(urlsplit(url).query):
        if name.lower() in paging and value.isdigit():
            return max(1, int(value))
    return 1
