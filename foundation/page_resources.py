"""What an HTML page loads to look as it does (stylesheets, images, fonts and scripts named in
its markup, its ``<style>`` elements and style attributes), and the same page with every URL in
it changed. The collector archives the first; the replay serves the second, so a replayed page
loads its parts from the archive and never from the live web. Tolerant of broken markup: a page
lxml cannot read has no resources and is served as it was."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import lxml.html
from lxml import etree

from foundation.css_urls import css_urls, rewrite_css_urls
from foundation.markup_safety import xml_safe_bytes
from foundation.urls import join_url

Rewrite = Callable[[str], str | None]
"""Given an absolute URL, the URL to write instead (None leaves the attribute as it was)."""

LOADED = (
    ("img", "src", "image"),
    ("img", "srcset", "image"),
    ("source", "src", "media"),
    ("source", "srcset", "image"),
    ("video", "poster", "image"),
    ("video", "src", "media"),
    ("audio", "src", "media"),
    ("input", "src", "image"),
    ("script", "src", "script"),
    ("embed", "src", "media"),
    ("object", "data", "media"),
    ("iframe", "src", "frame"),
)
"""(element, attribute, what) for attributes whose URL the browser loads with the page."""
LINKED = (("a", "href"), ("area", "href"), ("form", "action"), ("link", "href"))
"""Attributes whose URL the browser loads only when asked (or, for link, depending on rel)."""
LINK_RESOURCES = {"stylesheet": "stylesheet", "icon": "image", "apple-touch-icon": "image"}
PRELOADS = {"style": "stylesheet", "font": "font", "image": "image", "script": "script"}


@dataclass(frozen=True)
class Resource:
    """One file a page loads: its absolute URL and what it is ("stylesheet", "image", "font",
    "script", "media", "frame")."""

    url: str
    what: str


def document(html: bytes, encoding: str | None = None) -> lxml.html.HtmlElement | None:
    """The page as an lxml tree (in ``encoding`` when the response named one, else as its
    markup says), or None when it is empty or cannot be read as HTML."""
    if not html.strip():
        return None
    try:
        parser = lxml.html.HTMLParser(encoding=encoding) if encoding else None
        return lxml.html.document_fromstring(xml_safe_bytes(html), parser=parser)
    except (etree.ParserError, ValueError, LookupError):
        return None


def page_resources(html: bytes, base_url: str) -> list[Resource]:
    """The files the page loads, stylesheets first (they decide the look and name further
    files), each URL once; inline CSS gives its ``url(...)`` references."""
    doc = document(html)
    if doc is None:
        return []
    base = _base(doc, base_url)
    found: dict[str, Resource] = {}
    for url, what in _resources(doc, base):
        if url.startswith(("http://", "https://")):
            found.setdefault(url, Resource(url, what))
    order = {"stylesheet": 0, "font": 1, "image": 2}
    return sorted(found.values(), key=lambda r: order.get(r.what, 3))


def _base(doc: lxml.html.HtmlElement, base_url: str) -> str:
    for element in doc.iter("base"):
        href = element.get("href")
        if href:
            return join_url(base_url, href) or base_url
    return base_url


def _resources(doc: lxml.html.HtmlElement, base: str) -> Iterator[tuple[str, str]]:
    for link in doc.iter("link"):
        rels = (link.get("rel") or "").lower().split()
        what = next((LINK_RESOURCES[r] for r in rels if r in LINK_RESOURCES), None)
        if what is None and "preload" in rels:
            what = PRELOADS.get((link.get("as") or "").lower())
        if what and link.get("href"):
            yield join_url(base, link.get("href") or ""), what
    for element in doc.iter("style"):
        for url in css_urls(element.text or "", base):
            yield url, resource_kind(url)
    for tag, attribute, what in LOADED:
        for element in doc.iter(tag):
            value = element.get(attribute)
            if not value:
                continue
            urls = _srcset(value) if attribute == "srcset" else [value]
            for url in urls:
                yield join_url(base, url), what
    for element in doc.xpath("//*[@style]"):
        for url in css_urls(element.get("style") or "", base):
            yield url, resource_kind(url)


def resource_kind(url: str) -> str:
    """What a URL a stylesheet names is, told by its extension: a font, a stylesheet or (by
    default) an image."""
    path = url.split("?", 1)[0].lower()
    if path.endswith((".woff2", ".woff", ".ttf", ".otf", ".eot")):
        return "font"
    if path.endswith(".css"):
        return "stylesheet"
    return "image"


def _srcset(value: str) -> list[str]:
    return [part.split()[0] for part in value.split(",") if part.split()]


def rewrite_page(
    html: bytes, base_url: str, rewrite: Rewrite, encoding: str | None = None
) -> bytes:
    """The page (UTF-8) with every URL it loads or links to passed through ``rewrite`` (given
    the absolute URL), its inline CSS included; ``<base>`` is dropped since the URLs it would
    resolve are now absolute. A page lxml cannot read is given back as it was."""
    doc = document(html, encoding)
    if doc is None:
        return html
    base = _base(doc, base_url)

    def absolute(written: str) -> str | None:
        url = join_url(base, written)
        return rewrite(url) if url else None

    for element in list(doc.iter("base")):
        element.drop_tree()
    for tag, attribute in (*((t, a) for t, a, _ in LOADED), *LINKED):
        for element in doc.iter(tag):
            value = element.get(attribute)
            if value is None:
                continue
            if attribute == "srcset":
                element.set(attribute, _rewrite_srcset(value, absolute))
            else:
                changed = absolute(value)
                if changed is not None:
                    element.set(attribute, changed)
    for element in doc.iter("style"):
        if element.text:
            element.text = rewrite_css_urls(element.text, absolute)
    for element in doc.xpath("//*[@style]"):
        element.set("style", rewrite_css_urls(element.get("style") or "", absolute))
    body: bytes = lxml.html.tostring(
        doc, encoding="utf-8", method="html", doctype="<!DOCTYPE html>"
    )
    return body


def _rewrite_srcset(value: str, absolute: Callable[[str], str | None]) -> str:
    parts = []
    for candidate in value.split(","):
        words = candidate.split()
        if not words:
            continue
        changed = absolute(words[0])
        parts.append(" ".join([changed if changed is not None else words[0], *words[1:]]))
    return ", ".join(parts)
