"""Pleio's rich text as the plain text a reader sees, with the links it holds.

Pleio has stored ``richDescription`` three ways: Draft.js raw content (``{"blocks": [...],
"entityMap": {...}}``, until 2022), a TipTap/ProseMirror document (``{"type": "doc",
"content": [...]}``, since) and HTML (older entities and ``description``). Each becomes
paragraphs separated by a blank line; links come from Draft.js LINK entities, TipTap link marks
or ``<a href>``. JSON that is neither form (or is cut off) gives no text, so the caller reads
``description`` instead. Pure functions; nothing here knows about captures.
"""

from __future__ import annotations

import re
from typing import Any

from indexer.extractors.social_text import (
    as_dict,
    dicts,
    html_to_text,
    links_in_html,
    load_json,
    unique,
)

_TIPTAP_BLOCKS = frozenset(
    {"paragraph", "heading", "blockquote", "codeBlock", "listItem", "tableCell", "figure"}
)


def rich_text(value: Any) -> tuple[str, list[str]]:
    """(plain text, links) of a ``richDescription`` or ``description`` in any of Pleio's forms."""
    if not isinstance(value, str) or not value.strip():
        return "", []
    stripped = value.strip()
    if stripped.startswith("{"):
        document = load_json(stripped.encode("utf-8"))
        if isinstance(document, dict) and isinstance(document.get("blocks"), list):
            return _draftjs(document)
        if isinstance(document, dict) and document.get("type") == "doc":
            return _tiptap(document)
        if document is None or isinstance(document, dict):
            # rich text cut off or in a form not known here: the caller falls back to the
            # entity's HTML ``description`` rather than indexing raw JSON
            return "", []
    if "<" in stripped:
        return html_to_text(stripped), links_in_html(stripped)
    return _tidy(stripped), []


def _draftjs(document: dict[str, Any]) -> tuple[str, list[str]]:
    blocks = [str(block.get("text") or "") for block in dicts(document.get("blocks"))]
    entities = as_dict(document.get("entityMap"))
    links = [
        str(as_dict(entity.get("data")).get("url") or as_dict(entity.get("data")).get("href"))
        for entity in (as_dict(e) for e in entities.values())
        if str(entity.get("type", "")).upper() == "LINK"
    ]
    return _tidy("\n\n".join(blocks)), unique(u for u in links if u.startswith("http"))


def _tiptap(document: dict[str, Any]) -> tuple[str, list[str]]:
    parts: list[str] = []
    links: list[str] = []
    pending: list[tuple[dict[str, Any], bool]] = [(document, False)]
    # iterative, as a hostile document may nest as deep as the JSON parser allows
    while pending:
        node, closing = pending.pop()
        kind = str(node.get("type", ""))
        if closing:
            parts.append("\n\n")
            continue
        if kind == "text":
            parts.append(str(node.get("text") or ""))
            for mark in dicts(node.get("marks")):
                href = str(as_dict(mark.get("attrs")).get("href") or "")
                if mark.get("type") == "link" and href.startswith("http"):
                    links.append(href)
        elif kind == "hardBreak":
            parts.append("\n")
        if kind in _TIPTAP_BLOCKS:
            pending.append((node, True))
        pending.extend((child, False) for child in reversed(dicts(node.get("content"))))
    return _tidy("".join(parts)), unique(links)


def _tidy(text: str) -> str:
    lines = [" ".join(line.split()) for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
