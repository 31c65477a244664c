"""Reading people's words out of HTML: a page's main text (trafilatura), an HTML fragment as
plain text, and the links and images in a fragment (the comments under a WordPress post are
``wordpress_comments``'s job). Broken markup gives less text, never an exception."""

from __future__ import annotations

import html as html_entities
import re

import lxml.html
import trafilatura
from lxml import etree

from foundation.markup_safety import xml_safe_any
from foundation.urls import join_url

_BLOCKS = {
    "p",
    "div",
    "br",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "pre",
    "tr",
    "article",
    "section",
    "figure",
    "figcaption",
    "ul",
    "ol",
    "table",
}
_SPACES = re.compile(r"[ \t\r\f\v]+")


def _parse(html: bytes | str) -> lxml.html.HtmlElement | None:
    if not html or not (html.strip() if isinstance(html, str) else html.strip()):
        return None
    try:
        return lxml.html.document_fromstring(xml_safe_any(html))
    except (etree.ParserError, ValueError):
        return None


def element_text(element: lxml.html.HtmlElement) -> str:
    """Text of an element with line breaks between blocks, as a reader sees it."""
    parts: list[str] = []

    def walk(node: lxml.html.HtmlElement) -> None:
        if not isinstance(node.tag, str) or node.tag in ("script", "style", "noscript", "template"):
            return
        block = node.tag in _BLOCKS
        if block:
            parts.append("\n")
        if node.text:
            parts.append(node.text)
        for child in node:
            walk(child)
            if child.tail:
                parts.append(child.tail)
        if block:
            parts.append("\n")

    walk(element)
    lines = (_SPACES.sub(" ", line).strip() for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line)


_REFERENCE = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


def unescape_references(text: str) -> str:
    """``text`` with its complete HTML character references (``&lt;``, ``&#233;``, ``&amp;``)
    read once; anything else stays as written (``&A1`` is text, not a reference)."""
    if "&" not in text:
        return text
    return _REFERENCE.sub(lambda match: html_entities.unescape(match.group()), text)


def fragment_text(html: str) -> str:
    """An HTML fragment (a feed entry's content or summary) as plain text."""
    if not html or not html.strip():
        return ""
    if "<" not in html:
        return _SPACES.sub(" ", unescape_references(html)).strip()
    doc = _parse(f"<html><body><div>{html}</div></body></html>")
    return element_text(doc.body) if doc is not None else ""


def fragment_links(html: str, base_url: str) -> tuple[list[str], list[str]]:
    """(links, images) in an HTML fragment, absolute, each once, in order."""
    if not html or "<" not in html:
        return [], []
    doc = _parse(f"<html><body><div>{html}</div></body></html>")
    if doc is None:
        return [], []
    hrefs = (
        join_url(base_url, a.get("href", ""))
        for a in doc.iter("a")
        if not a.get("href", "").startswith(("#", "javascript:", "mailto:"))
    )
    links = [href for href in hrefs if href]
    sources = (
        join_url(base_url, img.get("src", ""))
        for img in doc.iter("img")
        if not img.get("src", "").startswith("data:")
    )
    images = [src for src in sources if src]
    return list(dict.fromkeys(links)), list(dict.fromkeys(images))


def main_text(html: bytes, url: str) -> tuple[str, str]:
    """(main text, language) of a page; ('', '') when trafilatura finds no main content."""
    if not html.strip():
        return "", ""
    try:
        text = trafilatura.extract(
            html,
            url=url,
            include_comments=False,
            include_tables=True,
            favor_precision=True,
            deduplicate=False,
        )
    except (ValueError, TypeError, etree.LxmlError):
        text = None
    doc = _parse(html)
    lang = ""
    if doc is not None:
        lang = (
            (doc.get("lang") or doc.get("{http://www.w3.org/XML/1998/namespace}lang") or "")
            .split("-")[0]
            .lower()
        )
    return (text or "").strip(), lang


def page_title(html: bytes) -> str:
    doc = _parse(html)
    if doc is None:
        return ""
    title = doc.find(".//title")
    return _SPACES.sub(" ", title.text_content()).strip() if title is not None else ""
