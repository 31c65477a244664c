"""Pleio's rich text in each of the forms it has stored (Draft.js, TipTap, HTML) reads as the
plain text a visitor sees, with its links; broken or hostile input gives what can be read."""

from __future__ import annotations

import json

from indexer.extractors.pleio_text import rich_text


def test_draftjs_blocks_become_paragraphs_and_link_entities_links() -> None:
    raw = {
        "blocks": [
            {"key": "a", "text": "Lees  de handleiding.", "type": "unstyled", "entityRanges": []},
            {"key": "b", "text": "Eerste punt", "type": "unordered-list-item"},
        ],
        "entityMap": {
            "0": {"type": "LINK", "data": {"url": "https://www.pleio.nl/handleiding"}},
            "1": {"type": "IMAGE", "data": {"src": "https://www.pleio.nl/plaatje.png"}},
        },
    }
    assert rich_text(json.dumps(raw)) == (
        "Lees de handleiding.\n\nEerste punt",
        ["https://www.pleio.nl/handleiding"],
    )


def test_a_tiptap_document_keeps_paragraphs_line_breaks_and_link_marks() -> None:
    doc = {
        "type": "doc",
        "content": [
            {"type": "heading", "content": [{"type": "text", "text": "Stappen"}]},
            {
                "type": "paragraph",
                "content": [
                    {"type": "text", "text": "Zie "},
                    {
                        "type": "text",
                        "text": "de selectielijst",
                        "marks": [{"type": "link", "attrs": {"href": "https://example.nl/lijst"}}],
                    },
                    {"type": "hardBreak"},
                    {"type": "text", "text": "en bewaar."},
                ],
            },
            {
                "type": "bulletList",
                "content": [
                    {
                        "type": "listItem",
                        "content": [
                            {"type": "paragraph", "content": [{"type": "text", "text": "een"}]}
                        ],
                    },
                ],
            },
        ],
    }
    text, links = rich_text(json.dumps(doc))
    assert text == "Stappen\n\nZie de selectielijst\nen bewaar.\n\neen"
    assert links == ["https://example.nl/lijst"]


def test_html_and_plain_text_are_read_as_they_are() -> None:
    assert rich_text('<p>Hallo <a href="https://pleio.nl/">Pleio</a></p><p>Tot ziens</p>') == (
        "Hallo Pleio\n\nTot ziens",
        ["https://pleio.nl/"],
    )
    assert rich_text("Gewoon tekst") == ("Gewoon tekst", [])


def test_broken_or_hostile_rich_text_gives_what_can_be_read() -> None:
    assert rich_text(None) == ("", [])
    assert rich_text('{"blocks": [{"text": "half') == ("", []), "the caller reads description"
    assert rich_text('{"blocks": [null, {"text": 5}], "entityMap": []}') == ("\n\n5".strip(), [])
    levels = 200  # the walk is iterative: any depth the JSON parser accepts is read
    deep = '{"type": "paragraph", "content": [' * levels + '{"type": "text", "text": "diep"}'
    deep += "]}" * levels
    assert rich_text('{"type": "doc", "content": [' + deep + "]}") == ("diep", [])
