"""Apply a site profile to one HTML page: which page type it is, and its fields and comments.

``read_page`` tries the profile's page types in order and returns what the first one that
applies (its URL pattern or its ``content`` tests and all its ``when`` tests hold, and its
required fields are found) reads from the page, or None when no type fits: the page's layout
does not match the profile; ``match_page`` says which type came closest and which required
fields it lost. Text is read as a reader sees it: block elements start a new line, scripts and
styles are skipped. Names lose the punctuation a byline puts around them ("Jan Jansen," "Anne:").
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache

from lxml import etree
from parsel import Selector

from foundation.markup_safety import xml_safe, xml_safe_bytes
from foundation.urls import join_url
from platforms.dates import DATE_START, FoundDate, find_date
from platforms.profile import CommentRules, PageType, Rule, SiteProfile

_BLOCK_TAGS = frozenset(
    "address article aside blockquote br dd div dl dt figcaption figure footer form h1 h2 h3 h4 h5 h6 "
    "header hr li main nav ol p pre section table tbody td th thead tr ul".split()
)
_SKIP_TAGS = frozenset({"script", "style", "noscript", "template"})


@dataclass
class ReadComment:
    native_id: str
    author: str
    author_url: str
    date: FoundDate | None
    text: str


@dataclass
class ReadPage:
    """What a profile read from a page. ``kind`` None: a listing page that makes no Post."""

    page_type: str
    kind: str | None
    title: str = ""
    author: str = ""
    author_url: str = ""
    date: FoundDate | None = None
    body: str = ""
    tags: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    media: list[str] = field(default_factory=list)
    lang: str = ""
    comments: list[ReadComment] = field(default_factory=list)


def parse_html(html: bytes | str) -> Selector:
    """A parsel selector over ``html``; bytes are decoded by the document's own declaration."""
    if isinstance(html, bytes):
        html = xml_safe_bytes(html)
        return Selector(body=html if html.strip() else b"<html></html>", type="html")
    html = xml_safe(html)
    return Selector(text=html if html.strip() else "<html></html>", type="html")


@dataclass(frozen=True)
class PageMatch:
    """How a profile read a page: ``read`` by the first type that fits, or None; then
    ``near`` names the first type that applied but lost required fields (``missing``)."""

    read: ReadPage | None
    near: str = ""
    missing: tuple[str, ...] = ()


def read_page(
    profile: SiteProfile, page: Selector, url: str, captured_at: datetime
) -> ReadPage | None:
    """The first of ``profile``'s page types that fits ``page``, read; None if none fits."""
    return match_page(profile, page, url, captured_at).read


def match_page(profile: SiteProfile, page: Selector, url: str, captured_at: datetime) -> PageMatch:
    """The first of ``profile``'s page types that fits ``page``, read, or why none did."""
    near: tuple[str, tuple[str, ...]] | None = None
    for page_type in profile.page_types:
        if not page_type_applies(page_type, page, url):
            continue
        if page_type.kind is None:
            return PageMatch(ReadPage(page_type=page_type.name, kind=None))
        read = read_fields(profile, page_type, page, url, captured_at)
        missing = tuple(name for name in page_type.required if not getattr(read, name))
        if not missing:
            return PageMatch(read)
        near = near or (page_type.name, missing)
    return PageMatch(None, *(near or ("", ())))


def page_type_applies(page_type: PageType, page: Selector, url: str) -> bool:
    """The page's URL has the type's shape, or the page shows what the type's content tests
    look for; and every ``when`` test finds something."""
    if page_type.url or page_type.content:
        by_url = bool(page_type.url and re.search(page_type.url, url))
        if not by_url and not any(rule_nodes(page, rule) for rule in page_type.content):
            return False
    return all(rule_nodes(page, rule) for rule in page_type.when)


def read_fields(
    profile: SiteProfile, page_type: PageType, page: Selector, url: str, captured_at: datetime
) -> ReadPage:
    read = ReadPage(page_type=page_type.name, kind=page_type.kind)
    read.title = first_value(page, page_type.title)
    read.author = clean_name(first_value(page, page_type.author))
    read.author_url = _absolute(url, first_value(page, page_type.author_url))
    read.date = _date(profile, first_value(page, page_type.date), captured_at)
    read.tags = _unique(all_values(page, page_type.tags))
    read.lang = (page.xpath("/html/@lang").get() or "").split("-")[0].lower()
    body = _first_nodes(page, page_type.body)
    if body:
        element = _without(body[0].root, page_type.drop)
        read.body = element_text(element)
        read.links = _unique(
            _absolute(url, href)
            for href in element.xpath(".//a/@href")
            if not href.startswith(("#", "javascript:", "mailto:"))
        )
        read.media = _unique(_absolute(url, src) for src in element.xpath(".//img/@src"))
    if page_type.comments is not None:
        read.comments = _comments(profile, page_type.comments, page, url, captured_at)
    return read


def _comments(
    profile: SiteProfile, rules: CommentRules, page: Selector, url: str, captured_at: datetime
) -> list[ReadComment]:
    comments = []
    for item in _first_nodes(page, rules.item):
        native_id = first_value(item, rules.id)
        if rules.id_prefix_strip:
            native_id = re.sub("^(?:" + rules.id_prefix_strip + ")", "", native_id)
        text_nodes = _first_nodes(item, rules.text)
        text = element_text(_without(text_nodes[0].root, rules.drop)) if text_nodes else ""
        comments.append(
            ReadComment(
                native_id=native_id,
                author=clean_name(first_value(item, rules.author)),
                author_url=_absolute(url, first_value(item, rules.author_url)),
                date=_date(profile, first_value(item, rules.date), captured_at),
                text=text,
            )
        )
    return comments


def first_value(context: Selector, rules: list[Rule]) -> str:
    values = all_values(context, rules)
    return values[0] if values else ""


def all_values(context: Selector, rules: list[Rule]) -> list[str]:
    """The non-empty values of the first rule that yields any."""
    for rule in rules:
        values = []
        for node in rule_nodes(context, rule):
            value = _node_value(node, rule)
            if value:
                values.append(value)
        if values:
            return values
    return []


def _node_value(node: Selector, rule: Rule) -> str:
    if rule.attr is not None:
        raw = node.attrib.get(rule.attr, "") if isinstance(node.root, etree._Element) else ""
    elif isinstance(node.root, etree._Element):
        raw = element_text(node.root)
    else:
        raw = str(node.root)
    value = " ".join(raw.split()) if rule.attr is None else raw.strip()
    if rule.regex and value:
        match = re.search(rule.regex, value, re.S)
        if match is None:
            return ""
        value = (match.group(1) if match.groups() else match.group(0)).strip()
    if rule.label and value:
        value = label_value(rule.label, value)
    return value


def rule_nodes(context: Selector, rule: Rule) -> list[Selector]:
    if rule.css is not None:
        nodes = list(context.css(rule.css))
    elif rule.xpath is not None:
        nodes = list(context.xpath(rule.xpath))
    else:
        nodes = [context]
    if rule.link is not None:
        nodes = [link for node in nodes for link in _links(node, rule.link)]
    if rule.text is not None:
        pattern = re.compile(rule.text, re.I)
        nodes = [node for node in nodes if pattern.search(_text_of(node))]
    return nodes


def _links(node: Selector, shape: str) -> list[Selector]:
    """The links at or inside ``node`` whose href ``shape`` finds, each once, in order."""
    if not isinstance(node.root, etree._Element):
        return []
    candidates = node.xpath("self::a[@href] | .//a[@href]")
    return [link for link in candidates if re.search(shape, link.attrib.get("href", ""))]


def _text_of(node: Selector) -> str:
    return element_text(node.root) if isinstance(node.root, etree._Element) else str(node.root)


def label_value(label: str, text: str) -> str:
    """What stands at the ``…`` of the first form of ``label`` found in ``text``; '' if none is."""
    for pattern in _label_patterns(label):
        match = pattern.search(text)
        if match:
            return match.group("value").strip()
    return ""


@cache
def _label_patterns(label: str) -> tuple[re.Pattern[str], ...]:
    patterns = []
    for form in label.split("|"):
        form = " ".join(form.replace("...", "…").split())
        if not form:
            continue
        if "…" not in form:
            form += " …"
        before, _, after = form.partition("…")
        value = r"(?P<value>.+?)" if after.strip() else r"(?P<value>.+)"
        patterns.append(
            re.compile(_label_words(before, leading=True) + value + _label_words(after), re.I)
        )
    return tuple(patterns)


def _label_words(words: str, *, leading: bool = False) -> str:
    """A label's words as a pattern: any run of spaces between them, ``{date}`` where a date
    starts; a label that starts with a letter starts at a word boundary."""
    pattern = ""
    for piece in re.split(r"(\{date\})", words.strip()):
        if piece == "{date}":
            pattern += r"(?=" + DATE_START.pattern + r")"
        elif piece.strip():
            escaped = r"\s+".join(re.escape(word) for word in piece.split())
            pattern += (r"\s*" if pattern or not leading else "") + escaped + r"\s*"
    if leading and pattern and words.strip()[:1].isalnum():
        pattern = r"\b" + pattern
    return pattern


_NAME_EDGES = re.compile(r"^[\s,;:·|–—-]+|[\s,;:·|–—-]+$")


def clean_name(name: str) -> str:
    """A name without the punctuation a byline or comment header leaves around it."""
    return _NAME_EDGES.sub("", name)


def _first_nodes(context: Selector, rules: list[Rule]) -> list[Selector]:
    for rule in rules:
        nodes = rule_nodes(context, rule)
        if nodes:
            return nodes
    return []


def element_text(element: etree._Element) -> str:
    """The text of ``element`` as lines a reader sees: one line per block, spaces collapsed."""
    pieces: list[str] = []
    _walk(element, pieces)
    lines = (" ".join(line.split()) for line in "".join(pieces).split("\n"))
    return "\n".join(line for line in lines if line)


def _walk(element: etree._Element, pieces: list[str]) -> None:
    tag = element.tag if isinstance(element.tag, str) else ""
    if tag in _SKIP_TAGS:
        return
    block = tag in _BLOCK_TAGS
    if block:
        pieces.append("\n")
    if tag and element.text:
        pieces.append(element.text)
    for child in element:
        _walk(child, pieces)
        if child.tail:
            pieces.append(child.tail)
    if block:
        pieces.append("\n")


def _without(element: etree._Element, drop: list[str]) -> etree._Element:
    """A copy of ``element`` without the descendants ``drop`` selects."""
    if not drop:
        return element
    element = copy.deepcopy(element)
    selector = Selector(root=element, type="html")
    for css in drop:
        for node in selector.css(css):
            node.drop()
    return element


def _date(profile: SiteProfile, text: str, captured_at: datetime) -> FoundDate | None:
    return find_date(
        text, captured_at=captured_at, timezone=profile.timezone, dayfirst=profile.dayfirst
    )


def _absolute(base: str, href: str) -> str:
    return join_url(base, href)


def _unique(values: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for value in values:
        if value:
            seen.setdefault(value, None)
    return list(seen)
