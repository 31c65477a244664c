"""Which source may speak for which web page, and the ids of records it may not speak for.

A web page's identity is its URL *and* the source that may speak for it. A feed source speaks
for the pages under its site: the URL prefixes it is configured with (``site``), else the
directory its feed URL lives in, above any feed segment (``https://host/zoe/feed/`` speaks for
``https://host/zoe/``). An entry of its feed that points outside that site (an aggregating or
hostile feed linking to another organisation's post) is still kept, but as this source's own
record of a foreign URL: its id names the source (``blog:foreign:<source>:<entry id>``), so it
can never take the place of the Post of the source that owns the page. So is an entry whose
id is a URL inside another configured source's site (a forged WordPress guid). Entries inside
the site keep the ids they always had (``blog:<entry id>``), also when their guid names a domain
the blog moved away from, so an existing archive's index stays as it is. Scheme (http/https), a
leading ``www.`` and default ports do not make a page foreign.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit, urlunsplit

FOREIGN = "foreign"
"""The id segment that marks a source's record of a page outside its own site."""
_FEED_SEGMENTS = frozenset({"feed", "feeds", "rss", "rss2", "atom", "rdf"})
_DEFAULT_PORTS = {"http": 80, "https": 443}


def feed_site(feed_url: str) -> str:
    """The site a feed at ``feed_url`` speaks for: its path before the first feed segment
    (``/zoe/feed/atom/`` -> ``/zoe/``, ``/feeds/posts/default`` -> ``/``), else the directory of
    the feed (``/blog/index.xml`` -> ``/blog/``)."""
    parts = urlsplit(feed_url)
    segments = parts.path.split("/")[:-1] or [""]
    for index, segment in enumerate(segments):
        if segment.lower() in _FEED_SEGMENTS:
            segments = segments[:index]
            break
    path = "/".join(segments).rstrip("/") + "/"
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def source_site(settings: Mapping[str, Any], feed_url: str = "") -> tuple[str, ...]:
    """The URL prefixes a source speaks for, from its config (``site``, else its ``url``), else
    from the feed URL its collector recorded; empty when neither is known."""
    configured = [str(prefix) for prefix in settings.get("site") or [] if prefix]
    if configured:
        return tuple(configured)
    url = str(settings.get("url") or feed_url or "")
    return (feed_site(url),) if url.startswith(("http://", "https://")) else ()


def claimed_sites(sources: Iterable[Any]) -> dict[str, tuple[str, ...]]:
    """The site each configured feed source speaks for, by source name."""
    return {
        source.name: site
        for source in sources
        if getattr(source, "type", "") == "feed"
        and (site := source_site({"url": source.url, "site": source.site}))
    }


def speaks_for(site: Iterable[str], url: str) -> bool:
    """Whether ``url`` is a page under one of the ``site`` prefixes."""
    host, path = _host_and_path(url)
    if not host:
        return False
    for prefix in site:
        prefix_host, prefix_path = _host_and_path(prefix)
        if prefix_host != host:
            continue
        if prefix_path.endswith("/") and path.startswith(prefix_path):
            return True
        if path == prefix_path or path.startswith(prefix_path + "/"):
            return True
    return False


def is_web_url(value: str) -> bool:
    return value.lower().startswith(("http://", "https://"))


def foreign_record_id(platform: str, source: str, native_id: str) -> str:
    """The id of ``source``'s own record of a page outside its site."""
    return f"{platform}:{FOREIGN}:{source}:{native_id}"


def is_foreign_record(post_id: str) -> bool:
    """Whether ``post_id`` names a source's record of a page outside its own site (or a comment
    on one)."""
    return post_id.split(":", 2)[1:2] == [FOREIGN]


def _host_and_path(url: str) -> tuple[str, str]:
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return "", ""
    if parts.scheme.lower() not in _DEFAULT_PORTS:
        return "", ""
    host = (parts.hostname or "").lower().removeprefix("www.")
    if port is not None and port != _DEFAULT_PORTS[parts.scheme.lower()]:
        host = f"{host}:{port}"
    return host, parts.path or "/"
