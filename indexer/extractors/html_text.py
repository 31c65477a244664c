"""Reading people's words out of HTML: a page's main text (trafilatura), an HTML fragment as
plain text, the links and images in a fragment, and the comments a WordPress-style page shows
under a post (``li#comment-N`` with ``.fn`` author, ``time[datetime]`` and ``.comment-content``,
replies nested in ``.children``). Broken markup gives less text, never an exception."""

from __future__ import annotations

import html as html_entities
import re
from dataclasses import dataclass
from datetime import UTC, datetime

import lxml.html
import trafilatura
from dateutil import parser as dateparser
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
_COMMENT_ID = re.compile(r"^comment-(\d+)$")
_SPACES = re.compile(r"[ \t\r\f\v]+")


@dataclass(frozen=True)
class PageComment:
    comment_id: str
    parent_comment_id: str
    """'' for a comment on the post itself."""
    author: str
    author_url: str
    published_at: datetime | None
    text: str


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


def wordpress_comments(html: bytes, base_url: str) -> list[PageComment]:
    """Comments shown on a WordPress-style page, parents before their replies."""
    doc = _parse(html)
    if doc is None:
        return []
    comments: list[PageComment] = []
    for node in doc.iter("li", "div", "article"):
        match = _COMMENT_ID.match(node.get("id") or "")
        if not match or "comment" not in (node.get("class") or ""):
            continue
        parent = ""
        for ancestor in node.iterancestors():
            parent_match = _COMMENT_ID.match(ancestor.get("id") or "")
            if parent_match:
                parent = parent_match.group(1)
                break
        comments.append(_comment(node, match.group(1), parent, base_url))
    return comments


def _comment(
    node: lxml.html.HtmlElement, comment_id: str, parent: str, base_url: str
) -> PageComment:
    own = _own_part(node)
    author_el = _first(own, ".//*[contains(concat(' ', normalize-space(@class), ' '), ' fn ')]")
    author = _SPACES.sub(" ", author_el.text_content()).strip() if author_el is not None else ""
    author_url = ""
    if author_el is not None:
        link = author_el if author_el.tag == "a" else _first(author_el, ".//a[@href]")
        if link is not None and link.get("href"):
            author_url = join_url(base_url, link.get("href"))
    content = _first(
        own, ".//*[contains(concat(' ', normalize-space(@class), ' '), ' comment-content ')]"
    )
    if content is None:
        content = _without(
            own, ("comment-author", "comment-meta", "commentmetadata", "comment-metadata", "reply")
        )
    return PageComment(
        comment_id,
        parent,
        author,
        author_url,
        _comment_date(own),
        element_text(content) if content is not None else "",
    )


def _own_part(node: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    """The comment without its nested replies (WordPress puts them in ``.children``)."""
    copy = lxml.html.fromstring(lxml.html.tostring(node))
    for child in copy.xpath(
        ".//*[contains(concat(' ', normalize-space(@class), ' '), ' children ')]"
    ):
        child.drop_tree()
    return copy


def _without(node: lxml.html.HtmlElement, classes: tuple[str, ...]) -> lxml.html.HtmlElement:
    copy = lxml.html.fromstring(lxml.html.tostring(node))
    for name in classes:
        for element in copy.xpath(
            f".//*[contains(concat(' ', normalize-space(@class), ' '), ' {name} ')]"
        ):
            element.drop_tree()
    return copy


def _first(node: lxml.html.HtmlElement, xpath: str) -> lxml.html.HtmlElement | None:
    found = node.xpath(xpath)
    return found[0] if found else None


def _comment_date(node: lxml.html.HtmlElement) -> datetime | None:
    stamp = _first(node, ".//time[@datetime]")
    text = stamp.get("datetime") if stamp is not None else None
    if not text:
        meta = _first(
            node, ".//*[contains(@class, 'comment-meta') or contains(@class, 'commentmetadata')]"
        )
        text = meta.text_content().strip() if meta is not None else ""
    if not text:
        return None
    try:
        when = dateparser.parse(text, fuzzy=True)
    except (ValueError, OverflowError):
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)
