"""Parse a Lucene-style query string into the query tree of indexer/query_ast.py.

Syntax: words (juxtaposed words must all match), ``"phrases"`` with optional ``~slop``,
``field:value``, ``field:(a OR b)``, ``AND``/``OR``/``NOT`` (also ``&&``, ``||``, ``!``) with
NOT > AND > OR precedence, ``+required`` and ``-excluded``, parentheses, wildcards ``*``/``?``
(``amb*`` is a prefix), ``word~1`` fuzzy, ``^2`` boosts, and date ranges on published_at
(``published_at:[2020-01 TO 2021-06-30]``, ``published_at:2021``). Anything else, and any query
past the limits of indexer/query_limits.py, raises QuerySyntaxError naming the character
position and what to do, never a stack trace; its ``code`` and ``values`` let the UI say the
same in Dutch (search_ui/messages.json, ``query.<code>``).
"""

from __future__ import annotations

from datetime import datetime

from indexer import query_ast as ast
from indexer.query_dates import OutsideSearchableDays, date_span
from indexer.query_fields import DATE_FIELDS, QUERY_FIELDS, canonical_field
from indexer.query_lexer import Lexer, QuerySyntaxError, Token
from indexer.query_limits import (
    FIRST_DAY,
    LAST_DAY,
    MAX_BOOST,
    MAX_FUZZY_DISTANCE,
    MAX_FUZZY_TERMS,
    MAX_NESTING,
    MAX_PATTERN_LENGTH,
    MAX_QUERY_LENGTH,
    MAX_SLOP,
    MAX_TERMS,
    MAX_WILDCARD_TERMS,
    MAX_WILDCARDS_PER_WORD,
)


def parse_query(query: str) -> ast.Node:
    """The tree for ``query``; blank or ``*`` gives MatchAll. Raises QuerySyntaxError."""
    if len(query) > MAX_QUERY_LENGTH:
        raise QuerySyntaxError(
            query[:80] + "…",
            0,
            f"the query is {len(query)} characters long",
            f"keep it under {MAX_QUERY_LENGTH}",
            code="too_long",
            values={"length": len(query), "limit": MAX_QUERY_LENGTH},
        )
    # A lone surrogate is what the command line makes of bytes that are not UTF-8; no
    # backend can encode it.
    bad = next((i for i, c in enumerate(query) if "\ud800" <= c <= "\udfff"), None)
    if bad is not None:
        raise QuerySyntaxError(
            "".join("\ufffd" if "\ud800" <= c <= "\udfff" else c for c in query),
            bad,
            f"this character (U+{ord(query[bad]):04X}) is not valid text",
            "type the query again or remove that character",
            code="bad_character",
            values={"codepoint": f"U+{ord(query[bad]):04X}"},
        )
    tokens = Lexer(query).tokens()
    if not tokens:
        return ast.MatchAll()
    return _Parser(query, tokens).parse()


class _Parser:
    def __init__(self, query: str, tokens: list[Token]) -> None:
        self.query = query
        self.tokens = tokens
        self.i = 0
        self.depth = 0
        self.leaves = {"terms": 0, "fuzzy": 0, "wildcard": 0}

    def error(
        self, pos: int, code: str, problem: str, hint: str = "", **values: object
    ) -> QuerySyntaxError:
        return QuerySyntaxError(self.query, pos, problem, hint, code=code, values=values)

    def peek(self) -> Token | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self) -> Token:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def parse(self) -> ast.Node:
        node = self.or_expr(None)
        token = self.peek()
        if token is not None:
            raise self.error(
                token.pos,
                "unmatched_paren",
                "')' has no matching '('",
                "remove it or add a '(' before it",
            )
        return node

    def or_expr(self, field: str | None) -> ast.Node:
        start = self.peek()
        children = [self.and_expr(field)]
        while (token := self.peek()) is not None and token.kind == "OR":
            self.take()
            children.append(self.and_expr(field, after=token))
        if len(children) == 1:
            return children[0]
        return self.nested(ast.Or(tuple(children)), start)

    def and_expr(self, field: str | None, after: Token | None = None) -> ast.Node:
        children: list[ast.Node] = []
        pending = after
        start = self.peek()
        while (token := self.peek()) is not None and token.kind not in ("OR", "RPAREN"):
            if token.kind == "AND":
                if not children:
                    raise self.error(
                        token.pos,
                        "nothing_before",
                        "AND needs something before it",
                        "put a word before AND or remove it",
                    )
                pending = self.take()
                continue
            children.append(self.unary(field))
            pending = None
        if pending is not None:
            raise self.error(
                pending.pos,
                "nothing_after",
                f"{pending.text} needs something after it",
                f"add a word after {pending.text} or remove it",
                operator=pending.text,
            )
        if not children:
            token = self.peek()
            pos = token.pos if token else len(self.query)
            raise self.error(pos, "expected_term", "expected a word, phrase or '(' here")
        if len(children) == 1:
            return children[0]
        return self.nested(ast.And(tuple(children)), start)

    def unary(self, field: str | None) -> ast.Node:
        token = self.take()
        if token.kind in ("NOT", "MINUS", "PLUS"):
            if self.peek() is None or self.peek().kind in ("OR", "AND", "RPAREN"):  # type: ignore[union-attr]
                raise self.error(
                    token.pos,
                    "nothing_after",
                    f"{token.text} needs something after it",
                    f"add a word after {token.text} or remove it",
                    operator=token.text,
                )
            self.descend(token)
            child = self.unary(field)
            self.depth -= 1
            return child if token.kind == "PLUS" else self.nested(ast.Not(child), token)
        if token.kind == "FIELD":
            name = canonical_field(token.text)
            if name is None:
                raise self.error(
                    token.pos,
                    "unknown_field",
                    f"there is no field {token.text!r}",
                    f"use one of {', '.join(QUERY_FIELDS)}, or put the word in quotes to search for it",
                    field=token.text,
                    fields=", ".join(QUERY_FIELDS),
                )
            nxt = self.peek()
            if nxt is None or nxt.kind not in ("WORD", "PHRASE", "RANGE", "LPAREN"):
                raise self.error(
                    token.pos,
                    "field_without_value",
                    f"{token.text}: has no value",
                    f'write {token.text}:word or {token.text}:"some words"',
                    field=token.text,
                )
            return self.value(self.take(), name)
        return self.value(token, field)

    def value(self, token: Token, field: str | None) -> ast.Node:
        if token.kind == "LPAREN":
            self.descend(token)
            node = self.or_expr(field)
            closing = self.peek()
            if closing is None or closing.kind != "RPAREN":
                raise self.error(token.pos, "open_paren", "this '(' is never closed", "add a ')'")
            self.take()
            self.depth -= 1
            return self.boost(node)
        self.count(token, "terms", MAX_TERMS, "words, phrases and patterns")
        if token.kind == "RANGE":
            return self.date_range(token, field)
        if token.kind == "PHRASE":
            if not token.text.strip():
                raise self.error(
                    token.pos, "empty_phrase", "the phrase is empty", "put words between the quotes"
                )
            slop = self.tilde(default=0) or 0
            if slop > MAX_SLOP:
                raise self.error(
                    token.pos,
                    "slop_too_large",
                    f"~{slop} lets the phrase's words be too far apart",
                    f"use at most ~{MAX_SLOP}",
                    limit=MAX_SLOP,
                )
            if field in DATE_FIELDS:
                return self.date_value(token, field, token.text.strip())
            return self.boost(ast.Phrase(field, token.text, slop))
        if token.kind == "WORD":
            return self.boost(self.word(token, field))
        raise self.error(
            token.pos,
            "misplaced",
            f"{token.text!r} cannot stand here",
            "quote it to search for it literally",
            text=token.text,
        )

    def descend(self, token: Token) -> None:
        """One level deeper into parentheses or NOT/-/+, refused past MAX_NESTING (so a
        hostile query cannot exhaust the parser's recursion)."""
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise self.too_deep(token)

    def nested(self, node: ast.Node, token: Token | None) -> ast.Node:
        """``node``, refused when the tree under it is nested past MAX_NESTING levels."""
        if _nesting(node) > MAX_NESTING:
            raise self.too_deep(token)
        return node

    def too_deep(self, token: Token | None) -> QuerySyntaxError:
        return self.error(
            token.pos if token else 0,
            "too_deep",
            "parentheses and operators (AND, OR, NOT, -, +, ^) are nested too deeply",
            f"use at most {MAX_NESTING} levels",
            limit=MAX_NESTING,
        )

    def count(self, token: Token, kind: str, limit: int, what: str) -> None:
        self.leaves[kind] += 1
        if self.leaves[kind] > limit:
            raise self.error(
                token.pos,
                f"too_many_{kind}",
                f"the query has more than {limit} {what}",
                "search with fewer; filters narrow a search without adding to the query",
                limit=limit,
            )

    def word(self, token: Token, field: str | None) -> ast.Node:
        if token.text == "*" and token.wildcard:
            return ast.MatchAll()
        if field in DATE_FIELDS:
            return self.date_value(token, field, token.text)
        distance = self.tilde(default=None)
        if distance is not None:
            if token.wildcard:
                raise self.error(
                    token.pos,
                    "fuzzy_wildcard",
                    "a word cannot be both a wildcard and fuzzy",
                    "drop the ~ or the * / ?",
                )
            self.count(token, "fuzzy", MAX_FUZZY_TERMS, "fuzzy words (~)")
            return ast.Fuzzy(field, token.text, min(distance, MAX_FUZZY_DISTANCE))
        if token.wildcard:
            self.wildcard(token)
            return ast.Wildcard(field, token.text)
        return ast.Term(field, token.text)

    def wildcard(self, token: Token) -> None:
        """Refuse wildcard words the engines would compile into too large an automaton."""
        self.count(token, "wildcard", MAX_WILDCARD_TERMS, "words with * or ?")
        wildcards = _unescaped_wildcards(token.text)
        if wildcards > MAX_WILDCARDS_PER_WORD:
            raise self.error(
                token.pos,
                "too_many_wildcards",
                f"this word has {wildcards} wildcards (* or ?)",
                f"use at most {MAX_WILDCARDS_PER_WORD} in one word",
                count=wildcards,
                limit=MAX_WILDCARDS_PER_WORD,
            )
        if len(token.text) > MAX_PATTERN_LENGTH:
            raise self.error(
                token.pos,
                "pattern_too_long",
                f"this word with * or ? is {len(token.text)} characters long",
                f"keep it under {MAX_PATTERN_LENGTH}",
                length=len(token.text),
                limit=MAX_PATTERN_LENGTH,
            )

    def tilde(self, default: int | None) -> int | None:
        token = self.peek()
        if token is None or token.kind != "TILDE":
            return default
        self.take()
        if not token.text:
            return 2 if default is None else default
        if not (token.text.isascii() and token.text.isdigit()):
            raise self.error(
                token.pos,
                "tilde_not_whole",
                f"~{token.text} is not a whole number",
                "write ~1 or ~2",
                text=token.text,
            )
        return int(token.text)

    def boost(self, node: ast.Node) -> ast.Node:
        token = self.peek()
        if token is None or token.kind != "BOOST":
            return node
        self.take()
        try:
            factor = float(token.text)
        except ValueError:
            raise self.error(
                token.pos,
                "boost_not_number",
                f"^{token.text} is not a number",
                "write a boost as ^2 or ^0.5",
                text=token.text,
            ) from None
        if factor > MAX_BOOST:
            raise self.error(
                token.pos,
                "boost_too_large",
                f"^{token.text[:12]}{'…' if len(token.text) > 12 else ''} is too large a boost",
                f"use at most ^{MAX_BOOST:g}",
                limit=f"{MAX_BOOST:g}",
            )
        return self.nested(ast.Boost(node, factor), token)

    def date_range(self, token: Token, field: str | None) -> ast.Node:
        if field not in DATE_FIELDS:
            raise self.error(
                token.pos,
                "range_not_date",
                "ranges work on dates only",
                f"write {DATE_FIELDS[0]}:[2020-01-01 TO 2021-01-01]",
            )
        body = token.text[1:-1]
        parts = body.split(" TO ")
        if len(parts) != 2:
            raise self.error(
                token.pos,
                "range_without_to",
                f"the range {token.text} has no ' TO '",
                "write [from TO to]; use * for an open end",
                text=token.text,
            )
        low, high = (part.strip() for part in parts)
        inclusive_low, inclusive_high = token.text[0] == "[", token.text[-1] == "]"
        start = end = None
        if low != "*":
            first, after = self.date_span(token, field, low)
            start = first if inclusive_low else after
        if high != "*":
            first, after = self.date_span(token, field, high)
            end = after if inclusive_high else first
        return ast.DateRange(field, start, end)

    def date_value(self, token: Token, field: str, text: str) -> ast.Node:
        start, end = self.date_span(token, field, text)
        return ast.DateRange(field, start, end)

    def date_span(self, token: Token, field: str, text: str) -> tuple[datetime, datetime]:
        try:
            return date_span(text)
        except OutsideSearchableDays:
            at = token.pos + max(token.text.find(text), 0)  # the bound, in a range
            raise self.error(
                at,
                "date_out_of_range",
                f"the date {text} in {field} is outside the dates archiveren can search",
                f"use a date from {FIRST_DAY} to {LAST_DAY}, or * for an open end",
                field=field,
                text=text,
                first=FIRST_DAY.isoformat(),
                last=LAST_DAY.isoformat(),
            ) from None
        except ValueError:
            raise self.error(
                token.pos,
                "not_a_date",
                f"{text!r} is not a date",
                "write 2021, 2021-03, 2021-03-05 or 2021-03-05T14:00:00Z",
                text=text,
            ) from None


def _unescaped_wildcards(pattern: str) -> int:
    """The ``*`` and ``?`` in a word that are wildcards, not kept literal by a backslash."""
    count, escaped = 0, False
    for char in pattern:
        count += char in "*?" and not escaped
        escaped = char == "\\" and not escaped
    return count


def _nesting(node: ast.Node) -> int:
    """Levels of AND/OR/NOT/boost in the tree, each one a nested bool query in the engines."""
    if isinstance(node, ast.And | ast.Or):
        return 1 + max(_nesting(child) for child in node.children)
    if isinstance(node, ast.Not | ast.Boost):
        return 1 + _nesting(node.child)
    return 0


__all__ = ["QuerySyntaxError", "parse_query"]
