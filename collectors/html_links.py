"""Links a collector needs from an HTML page: the feeds it announces with
``<link rel="alternate">`` (feed autodiscovery) and the images in its main content. Tolerant of
broken markup: a page lxml cannot read gives no links, never an exception."""

from __future__ import annotations

import lxml.html
from lxml import etree

from foundation.urls import join_url

FEED_TYPES = (
    "application/atom+xml",
    "application/rss+xml",
    "application/rdf+xml",
    "application/feed+json",
    "application/xml",
    "text/xml",
)
MAX_IMAGES_PER_PAGE = 50
_CONTENT_XPATHS = (
    "//article",
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' entry-content ')]",
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' post-content ')]",
    "//main",
)


def _document(html: bytes) -> lxml.html.HtmlElement | None:
    if not html.strip():
        return None
    try:
        return lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return None


def feed_links(html: bytes, base_url: str) -> list[str]:
    """Feeds the page announces, in page order; comment feeds after the others."""
    doc = _document(html)
    if doc is None:
        return []
    main: list[str] = []
    comments: list[str] = []
    for link in doc.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        kind = (link.get("type") or "").split(";")[0].strip().lower()
        href = (link.get("href") or "").strip()
        if "alternate" not in rel or kind not in FEED_TYPES or not href:
            continue
        title = (link.get("title") or "").lower()
        # WordPress announces the site feed and the comments feed; the site feed is what we want
        target = (
            comments if "comment" in title or "reacties" in title or "/comments/" in href else main
        )
        url = join_url(base_url, href)
        if url and url not in main and url not in comments:
            target.append(url)
    return main + comments


def image_links(html: bytes, base_url: str) -> list[str]:
    """Images in the page's main content (article, entry content or main), else in the body."""
    doc = _document(html)
    if doc is None:
        return []
    scope: list[lxml.html.HtmlElement] = []
    for xpath in _CONTENT_XPATHS:
        scope = doc.xpath(xpath)
        if scope:
            break
    if not scope:
        scope = [doc]
    found: list[str] = []
    for element in scope:
        for img in element.iter("img"):
            src = (img.get("src") or img.get("data-src") or "").strip()
            if not src or src.startswith("data:"):
                continue
            url = join_url(base_url, src)
            if url.startswith(("http://", "https://")) and url not in found:
                found.append(url)
            if len(found) >= MAX_IMAGES_PER_PAGE:
                return found
    return found
