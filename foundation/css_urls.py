"""The URLs a stylesheet refers to, and the same stylesheet with those URLs changed. A page's
look lives partly behind its CSS: background images, fonts and further stylesheets named by
``url(...)``, ``@import`` and ``image-set(...)``. The collector needs them to archive a page
faithfully, the replay to serve them from the archive instead of the live web. CSS is read with
tinycss2 at token level (comments, whitespace and everything else kept as written), so a
stylesheet that does not parse as rules still gives its URLs and serialises back unchanged
apart from them."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import tinycss2
from tinycss2 import ast
from tinycss2.serializer import serialize_string_value

from foundation.urls import join_url

URL_FUNCTIONS = frozenset({"url", "src"})
"""Functions whose (first) string argument is one URL."""
SET_FUNCTIONS = frozenset({"image-set", "-webkit-image-set"})
"""Functions whose string arguments are each a URL (candidates beside their resolutions)."""
MAX_CSS_CHARACTERS = 5_000_000
"""Longer stylesheets are read only this far: a URL after it is neither found nor changed."""

Rewrite = Callable[[str], str | None]
"""Given a URL as written, the URL to write instead (None leaves it as it was)."""


def css_urls(css: str, base_url: str) -> list[str]:
    """The http(s) URLs ``css`` refers to, resolved against ``base_url`` (the stylesheet's own
    URL, or the page's for a ``<style>`` element or style attribute), each once, in order."""
    found: dict[str, None] = {}
    for written in _references(_parse(css)):
        url = join_url(base_url, written.strip())
        if url and url.startswith(("http://", "https://")):
            found.setdefault(url, None)
    return list(found)


def rewrite_css_urls(css: str, rewrite: Rewrite) -> str:
    """``css`` with every URL it refers to replaced by what ``rewrite`` gives for it (each
    written quoted); the rest of the text is written back as it was."""
    nodes = _parse(css)
    _rewrite_in(nodes, rewrite)
    serialised: str = tinycss2.serialize(nodes)
    return serialised


def _parse(css: str) -> list[ast.Node]:
    return list(tinycss2.parse_component_value_list(css[:MAX_CSS_CHARACTERS]))


def _references(nodes: list[ast.Node]) -> Iterator[str]:
    for _, _, written in _walk(nodes):
        yield written


def _walk(nodes: list[ast.Node]) -> Iterator[tuple[list[ast.Node], int, str]]:
    """(the list holding it, its position, the URL as written) for each URL reference."""
    after_import = False
    for position, node in enumerate(nodes):
        if isinstance(node, ast.AtKeywordToken):
            after_import = node.lower_value == "import"
            continue
        if after_import and isinstance(node, ast.StringToken):
            after_import = False
            yield nodes, position, node.value
            continue
        if not isinstance(node, ast.WhitespaceToken | ast.Comment):
            after_import = False
        if isinstance(node, ast.URLToken):
            yield nodes, position, node.value
        elif isinstance(node, ast.FunctionBlock):
            name = node.lower_name
            if name in URL_FUNCTIONS:
                first = next(
                    (
                        (i, arg)
                        for i, arg in enumerate(node.arguments)
                        if not isinstance(arg, ast.WhitespaceToken | ast.Comment)
                    ),
                    None,
                )
                if first is not None and isinstance(first[1], ast.StringToken):
                    yield node.arguments, first[0], first[1].value
            elif name in SET_FUNCTIONS:
                for i, arg in enumerate(node.arguments):
                    if isinstance(arg, ast.StringToken):
                        yield node.arguments, i, arg.value
                yield from _walk(node.arguments)
            else:
                yield from _walk(node.arguments)
        elif isinstance(
            node, ast.ParenthesesBlock | ast.SquareBracketsBlock | ast.CurlyBracketsBlock
        ):
            yield from _walk(node.content)


def _rewrite_in(nodes: list[ast.Node], rewrite: Rewrite) -> None:
    # every reference is written back quoted and closed, also one kept as it was: tinycss2
    # writes an unterminated url( or string as it came, and the closing brace it adds at the
    # end would then become part of the URL
    for holder, position, written in list(_walk(nodes)):
        replacement = rewrite(written)
        if replacement is None:
            replacement = written
        node = holder[position]
        quoted = f'"{serialize_string_value(replacement)}"'
        if isinstance(node, ast.URLToken):
            holder[position] = ast.URLToken(
                node.source_line, node.source_column, replacement, f"url({quoted})"
            )
        else:
            holder[position] = ast.StringToken(
                node.source_line, node.source_column, replacement, quoted
            )
