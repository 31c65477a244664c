"""The comments a WordPress page shows under a post, as the common themes mark them up.

Items are the elements whose id is ``comment-N`` (``ol.commentlist``, ``ol.comment-list``,
``ul.commentlist``), ``li-comment-N`` (WordPress.com, with an ``article#comment-N`` inside) or
``div-comment-N`` (twentyten's comment body); one comment is the outermost element with its
number. A reply is nested in its parent's item (``.children``), so its parent is the nearest
enclosing item. Pingbacks and trackbacks (by their class, or a "Pingback:"/"Pingback von" text)
are kept apart by ``kind``. The author is the ``.fn`` (or the ``cite``) without a "says:"/"sagt:"
label or the punctuation around it; the date is a ``time[datetime]`` that has a time of day,
else the date the comment's meta line prints (English, German or Dutch, read in ``timezone``),
always returned in UTC; the text is ``.comment-content`` or the item without its header, meta,
reply link and replies, never more than the item itself. Broken markup gives fewer comments,
never an exception.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

import lxml.html
from lxml import etree

from foundation.markup_safety import xml_safe_any
from foundation.urls import join_url
from indexer.extractors.html_text import element_text, fragment_text
from platforms.dates import FoundDate, find_date
from platforms.rules import clean_name, label_value

CommentKind = Literal["comment", "pingback", "trackback"]

_ITEM_ID = re.compile(r"^(?:li-|div-)?comment-(\d+)$")
_ITEM_TAGS = ("li", "article", "div", "section")
_SAYS = "… says:|… sagt:|… zegt:|… schreef:|… wrote:|… said:|… says|… sagt|… zegt"
_PING_TEXT = re.compile(r"^\s*(pingback|trackback)\b", re.I)
_PING_LABEL = re.compile(r"^\s*(?:pingback|trackback)\b\s*(?:von|from|by|van)?\s*:?", re.I)
_LEADING_PUNCTUATION = re.compile(r"^[\s|:·–—-]+")
_HEADER_CLASSES = (
    "comment-author",
    "comment-meta",
    "commentmetadata",
    "comment-metadata",
    "comment-header",
    "reply",
    "says",
    "avatar",
    "comment-util",
    "comment-sub-ops",
)
_DATE_CLASSES = ("comment-meta", "commentmetadata", "comment-metadata", "comment-date")
_CONTENT_CLASSES = ("comment-content", "comment-text", "comment-entry", "entry-content")


@dataclass(frozen=True)
class PageComment:
    comment_id: str
    parent_comment_id: str
    """'' for a comment on the post itself."""
    kind: CommentKind
    author: str
    """A pingback's or trackback's author is the title of the page that linked here."""
    author_url: str
    published_at: datetime | None
    """In UTC; None when the comment prints no date this reader knows."""
    date_approximate: bool
    """The comment printed a relative date ("vor 3 Tagen"), counted back from the capture."""
    text: str


def wordpress_comments(
    html: bytes | str,
    base_url: str,
    captured_at: datetime,
    timezone: str = "Europe/Amsterdam",
) -> list[PageComment]:
    """Comments shown on a WordPress-style page, in page order (parents before replies)."""
    doc = _parse(html)
    if doc is None:
        return []
    items: dict[str, lxml.html.HtmlElement] = {}
    for node in doc.iter(*_ITEM_TAGS):
        match = _ITEM_ID.match(node.get("id") or "")
        if match and match.group(1) not in items and not _inside_widget(node):
            items[match.group(1)] = node
    return [
        _comment(node, number, _parent(node, number), base_url, timezone, captured_at)
        for number, node in items.items()
    ]


def _parse(html: bytes | str) -> lxml.html.HtmlElement | None:
    if not html or not html.strip():
        return None
    try:
        return lxml.html.document_fromstring(xml_safe_any(html))
    except (etree.ParserError, ValueError):
        return None


def _inside_widget(node: lxml.html.HtmlElement) -> bool:
    """A sidebar's recent-comments list links to comments; it holds none."""
    return any("recentcomments" in (a.get("id") or "") for a in node.iterancestors())


def _parent(node: lxml.html.HtmlElement, number: str) -> str:
    for ancestor in node.iterancestors(*_ITEM_TAGS):
        match = _ITEM_ID.match(ancestor.get("id") or "")
        if match and match.group(1) != number:
            return match.group(1)
    return ""


def _comment(
    node: lxml.html.HtmlElement,
    number: str,
    parent: str,
    base_url: str,
    timezone: str,
    captured_at: datetime,
) -> PageComment:
    own = _own_part(node)
    kind = _kind(node, own)
    author, author_url = _author(own, kind, base_url)
    found = _date(own, timezone, captured_at)
    return PageComment(
        comment_id=number,
        parent_comment_id=parent,
        kind=kind,
        author=author,
        author_url=author_url,
        published_at=found.value if found else None,
        date_approximate=bool(found and found.approximate),
        text=_text(own, kind),
    )


def _own_part(node: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    """A copy of the comment without its replies (WordPress nests them in ``.children``)."""
    copy = lxml.html.fromstring(lxml.html.tostring(node))
    for child in _with_class(copy, "children"):
        child.drop_tree()
    for child in copy.iterdescendants(*_ITEM_TAGS):
        match = _ITEM_ID.match(child.get("id") or "")
        if match and child.getparent() is not None and not _same_comment(copy, child):
            child.drop_tree()
    return copy


def _same_comment(item: lxml.html.HtmlElement, inner: lxml.html.HtmlElement) -> bool:
    outer = _ITEM_ID.match(item.get("id") or "")
    match = _ITEM_ID.match(inner.get("id") or "")
    return bool(outer and match and outer.group(1) == match.group(1))


def _kind(node: lxml.html.HtmlElement, own: lxml.html.HtmlElement) -> CommentKind:
    classes = (node.get("class") or "").split()
    if "pingback" in classes:
        return "pingback"
    if "trackback" in classes:
        return "trackback"
    match = _PING_TEXT.match(element_text(own))
    if match:
        return "trackback" if match.group(1).lower() == "trackback" else "pingback"
    return "comment"


def _author(own: lxml.html.HtmlElement, kind: CommentKind, base_url: str) -> tuple[str, str]:
    element = _first_with_class(own, "fn")
    if element is None and kind != "comment":
        links = own.xpath(".//a[@href][not(starts-with(@href, '#'))]")
        element = links[0] if links else None
    if element is None:
        element = _first_with_class(own, "comment-author")
    if element is None:
        cites = own.xpath(".//cite")
        element = cites[0] if cites else None
    if element is None:
        return "", ""
    name = " ".join(element.text_content().split())
    name = label_value(_SAYS, name) or name
    link = element if element.tag == "a" else next(iter(element.xpath(".//a[@href]")), None)
    url = join_url(base_url, link.get("href", "")) if link is not None else ""
    return clean_name(name), url


def _date(own: lxml.html.HtmlElement, timezone: str, captured_at: datetime) -> FoundDate | None:
    """A ``datetime`` attribute with a time of day, else the first date a meta line prints."""
    for stamp in own.xpath(".//time[@datetime]"):
        value = stamp.get("datetime", "")
        if "T" in value or " " in value.strip():
            found = find_date(value, captured_at=captured_at, timezone=timezone)
            if found is not None:
                return found
    places = [*(e for name in _DATE_CLASSES for e in _with_class(own, name))]
    places += own.xpath(".//time | .//small | .//abbr")
    for place in places:
        found = find_date(element_text(place), captured_at=captured_at, timezone=timezone)
        if found is not None:
            return found
    return None


def _text(own: lxml.html.HtmlElement, kind: CommentKind) -> str:
    for name in _CONTENT_CLASSES:
        content = _first_with_class(own, name)
        if content is not None:
            return element_text(content)
    body = lxml.html.fromstring(lxml.html.tostring(own))
    for name in _HEADER_CLASSES:
        for element in _with_class(body, name):
            element.drop_tree()
    for element in body.xpath(".//cite | .//small | .//header | .//footer | .//img | .//time"):
        element.drop_tree()
    text = element_text(body)
    if kind != "comment":
        text = _PING_LABEL.sub("", text)
    return _LEADING_PUNCTUATION.sub("", text)


def _with_class(node: lxml.html.HtmlElement, name: str) -> list[lxml.html.HtmlElement]:
    found: list[lxml.html.HtmlElement] = node.xpath(
        f"descendant-or-self::*[contains(concat(' ', normalize-space(@class), ' '), ' {name} ')]"
    )
    return found


def _first_with_class(node: lxml.html.HtmlElement, name: str) -> lxml.html.HtmlElement | None:
    found = _with_class(node, name)
    return found[0] if found else None


def rest_api_comments(body: bytes) -> list[PageComment]:
    """The comments of one answer of the REST API (``/wp-json/wp/v2/comments``): author,
    author URL, GMT date, parent and type as the API gives them; the rendered content as text.
    Anything that is not such a list gives no comments, never an exception."""
    try:
        answer = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return []
    if not isinstance(answer, list):
        return []
    comments = []
    for item in answer:
        if not isinstance(item, dict) or not str(item.get("id", "")).isdigit():
            continue
        content = item.get("content")
        rendered = content.get("rendered", "") if isinstance(content, dict) else ""
        kind = str(item.get("type") or "comment")
        parent = str(item.get("parent") or "0")
        comments.append(
            PageComment(
                comment_id=str(item["id"]),
                parent_comment_id="" if parent == "0" else parent,
                kind=kind if kind in ("pingback", "trackback") else "comment",  # type: ignore[arg-type]
                author=clean_name(str(item.get("author_name") or "")),
                author_url=str(item.get("author_url") or ""),
                published_at=_gmt(item.get("date_gmt")),
                date_approximate=False,
                text=fragment_text(str(rendered)) if rendered else "",
            )
        )
    return comments


def _gmt(value: object) -> datetime | None:
    """WordPress's ``date_gmt`` ('2014-02-20T14:16:00', no zone: it is UTC) as a UTC time."""
    try:
        return datetime.fromisoformat(str(value)).replace(tzinfo=UTC)
    except ValueError:
        return None
