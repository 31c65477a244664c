"""Parse a Lucene-style query string into the query tree of indexer/query_ast.py.

Syntax: words (juxtaposed words must all match), ``"phrases"`` with optional ``~slop``,
``field:value``, ``field:(a OR b)``, ``AND``/``OR``/``NOT`` (also ``&&``, ``||``, ``!``) with
NOT > AND > OR precedence, ``+required`` and ``-excluded``, parentheses, wildcards ``*``/``?``
(``amb*`` is a prefix), ``word~1`` fuzzy, ``^2`` boosts, and date ranges on published_at
(``published_at:[2020-01 TO 2021-06-30]``, ``published_at:2021``). Anything else raises
QuerySyntaxError naming the character position and what to do, never a stack trace.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from archiveren.errors import QueryError
from indexer import query_ast as ast
from indexer.query_fields import DATE_FIELDS, QUERY_FIELDS, canonical_field

MAX_QUERY_LENGTH = 4000
MAX_DEPTH = 50
_OPERATORS = {"AND": "AND", "&&": "AND", "OR": "OR", "||": "OR", "NOT": "NOT"}
_WORD_END = set(' \t\r\n()"^~')


class QuerySyntaxError(QueryError):
    """A query string that cannot be parsed; ``position`` is the 0-based character offset."""

    def __init__(self, query: str, position: int, problem: str, hint: str = "") -> None:
        self.query = query
        self.position = position
        self.problem = problem
        caret = " " * min(position, len(query)) + "^"
        message = f"query error at character {position + 1}: {problem}"
        if hint:
            message += f"; {hint}"
        super().__init__(f"{message}\n  {query}\n  {caret}")


@dataclass(frozen=True)
class _Token:
    kind: str  # WORD, PHRASE, FIELD, RANGE, LPAREN, RPAREN, AND, OR, NOT, PLUS, MINUS, BOOST, TILDE
    text: str
    pos: int
    wildcard: bool = False


def parse_query(query: str) -> ast.Node:
    """The tree for ``query``; blank or ``*`` gives MatchAll. Raises QuerySyntaxError."""
    if len(query) > MAX_QUERY_LENGTH:
        raise QuerySyntaxError(
            query[:80] + "…",
            0,
            f"the query is {len(query)} characters long",
            f"keep it under {MAX_QUERY_LENGTH}",
        )
    tokens = _Lexer(query).tokens()
    if not tokens:
        return ast.MatchAll()
    return _Parser(query, tokens).parse()


class _Lexer:
    def __init__(self, query: str) -> None:
        self.query = query
        self.i = 0

    def error(self, pos: int, problem: str, hint: str = "") -> QuerySyntaxError:
        return QuerySyntaxError(self.query, pos, problem, hint)

    def tokens(self) -> list[_Token]:
        out: list[_Token] = []
        q = self.query
        while self.i < len(q):
            c, start = q[self.i], self.i
            if c.isspace():
                self.i += 1
            elif c in "()":
                out.append(_Token("LPAREN" if c == "(" else "RPAREN", c, start))
                self.i += 1
            elif c == '"':
                out.append(self.phrase())
            elif c in "[{":
                out.append(self.range())
            elif c in "^~":
                out.append(self.modifier(c))
            elif c in "+-!" and self.i + 1 < len(q) and not q[self.i + 1].isspace():
                out.append(_Token({"+": "PLUS", "-": "MINUS", "!": "NOT"}[c], c, start))
                self.i += 1
            else:
                out.append(self.word())
        return out

    def phrase(self) -> _Token:
        start = self.i
        self.i += 1
        chars: list[str] = []
        while self.i < len(self.query):
            c = self.query[self.i]
            if c == "\\" and self.i + 1 < len(self.query):
                chars.append(self.query[self.i + 1])
                self.i += 2
                continue
            self.i += 1
            if c == '"':
                return _Token("PHRASE", "".join(chars), start)
            chars.append(c)
        raise self.error(
            start,
            "this phrase's quote is never closed",
            'add the closing " or remove the opening one',
        )

    def range(self) -> _Token:
        start = self.i
        closers = {"[": "]}", "{": "]}"}[self.query[start]]
        end = next((j for j in range(start + 1, len(self.query)) if self.query[j] in closers), -1)
        if end < 0:
            raise self.error(
                start,
                "this range is never closed",
                "write it as [from TO to] (or { } to exclude an end)",
            )
        self.i = end + 1
        return _Token("RANGE", self.query[start : end + 1], start)

    def modifier(self, c: str) -> _Token:
        start = self.i
        self.i += 1
        while self.i < len(self.query) and (
            self.query[self.i].isdigit() or self.query[self.i] == "."
        ):
            self.i += 1
        return _Token("BOOST" if c == "^" else "TILDE", self.query[start + 1 : self.i], start)

    def word(self) -> _Token:
        start = self.i
        chars: list[str] = []
        wildcard = False
        q = self.query
        while self.i < len(q) and q[self.i] not in _WORD_END:
            c = q[self.i]
            if c == "\\" and self.i + 1 < len(q):
                nxt = q[self.i + 1]
                # Escaped wildcards stay escaped so the Wildcard node can tell them apart.
                chars.append("\\" + nxt if nxt in "*?\\" else nxt)
                self.i += 2
                continue
            if c == ":" and chars and not self._in_field_value(start):
                self.i += 1
                return _Token("FIELD", "".join(chars), start)
            wildcard = wildcard or c in "*?"
            chars.append(c)
            self.i += 1
        text = "".join(chars)
        if text in _OPERATORS:
            return _Token(_OPERATORS[text], text, start)
        if not wildcard:
            text = text.replace("\\*", "*").replace("\\?", "?").replace("\\\\", "\\")
        return _Token("WORD", text, start, wildcard)

    def _in_field_value(self, start: int) -> bool:
        # After ``field:`` the value runs to the next space, so ``url:https://x`` keeps its colons.
        return start > 0 and self.query[start - 1] == ":"


class _Parser:
    def __init__(self, query: str, tokens: list[_Token]) -> None:
        self.query = query
        self.tokens = tokens
        self.i = 0
        self.depth = 0

    def error(self, pos: int, problem: str, hint: str = "") -> QuerySyntaxError:
        return QuerySyntaxError(self.query, pos, problem, hint)

    def peek(self) -> _Token | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self) -> _Token:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def parse(self) -> ast.Node:
        node = self.or_expr(None)
        token = self.peek()
        if token is not None:
            raise self.error(
                token.pos, "')' has no matching '('", "remove it or add a '(' before it"
            )
        return node

    def or_expr(self, field: str | None) -> ast.Node:
        children = [self.and_expr(field)]
        while (token := self.peek()) is not None and token.kind == "OR":
            self.take()
            children.append(self.and_expr(field, after=token))
        return children[0] if len(children) == 1 else ast.Or(tuple(children))

    def and_expr(self, field: str | None, after: _Token | None = None) -> ast.Node:
        children: list[ast.Node] = []
        pending = after
        while (token := self.peek()) is not None and token.kind not in ("OR", "RPAREN"):
            if token.kind == "AND":
                if not children:
                    raise self.error(
                        token.pos,
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
                f"{pending.text} needs something after it",
                f"add a word after {pending.text} or remove it",
            )
        if not children:
            token = self.peek()
            pos = token.pos if token else len(self.query)
            raise self.error(pos, "expected a word, phrase or '(' here")
        return children[0] if len(children) == 1 else ast.And(tuple(children))

    def unary(self, field: str | None) -> ast.Node:
        token = self.take()
        if token.kind in ("NOT", "MINUS", "PLUS"):
            if self.peek() is None or self.peek().kind in ("OR", "AND", "RPAREN"):  # type: ignore[union-attr]
                raise self.error(
                    token.pos,
                    f"{token.text} needs something after it",
                    f"add a word after {token.text} or remove it",
                )
            child = self.unary(field)
            return child if token.kind == "PLUS" else ast.Not(child)
        if token.kind == "FIELD":
            name = canonical_field(token.text)
            if name is None:
                raise self.error(
                    token.pos,
                    f"there is no field {token.text!r}",
                    f"use one of {', '.join(QUERY_FIELDS)}, or put the word in quotes to search for it",
                )
            nxt = self.peek()
            if nxt is None or nxt.kind not in ("WORD", "PHRASE", "RANGE", "LPAREN"):
                raise self.error(
                    token.pos,
                    f"{token.text}: has no value",
                    f'write {token.text}:word or {token.text}:"some words"',
                )
            return self.value(self.take(), name)
        return self.value(token, field)

    def value(self, token: _Token, field: str | None) -> ast.Node:
        if token.kind == "LPAREN":
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise self.error(
                    token.pos,
                    "parentheses are nested too deeply",
                    f"use at most {MAX_DEPTH} levels",
                )
            node = self.or_expr(field)
            closing = self.peek()
            if closing is None or closing.kind != "RPAREN":
                raise self.error(token.pos, "this '(' is never closed", "add a ')'")
            self.take()
            self.depth -= 1
            return self.boost(node)
        if token.kind == "RANGE":
            return self.date_range(token, field)
        if token.kind == "PHRASE":
            if not token.text.strip():
                raise self.error(token.pos, "the phrase is empty", "put words between the quotes")
            slop = self.tilde(default=0) or 0
            if field in DATE_FIELDS:
                return self.date_value(token, field, token.text.strip())
            return self.boost(ast.Phrase(field, token.text, slop))
        if token.kind == "WORD":
            return self.boost(self.word(token, field))
        raise self.error(
            token.pos, f"{token.text!r} cannot stand here", "quote it to search for it literally"
        )

    def word(self, token: _Token, field: str | None) -> ast.Node:
        if token.text == "*" and token.wildcard:
            return ast.MatchAll()
        if field in DATE_FIELDS:
            return self.date_value(token, field, token.text)
        distance = self.tilde(default=None)
        if distance is not None:
            if token.wildcard:
                raise self.error(
                    token.pos,
                    "a word cannot be both a wildcard and fuzzy",
                    "drop the ~ or the * / ?",
                )
            return ast.Fuzzy(field, token.text, min(distance, 2))
        if token.wildcard:
            return ast.Wildcard(field, token.text)
        return ast.Term(field, token.text)

    def tilde(self, default: int | None) -> int | None:
        token = self.peek()
        if token is None or token.kind != "TILDE":
            return default
        self.take()
        if not token.text:
            return 2 if default is None else default
        if not token.text.isdigit():
            raise self.error(token.pos, f"~{token.text} is not a whole number", "write ~1 or ~2")
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
                token.pos, f"^{token.text} is not a number", "write a boost as ^2 or ^0.5"
            ) from None
        return ast.Boost(node, factor)

    def date_range(self, token: _Token, field: str | None) -> ast.Node:
        if field not in DATE_FIELDS:
            raise self.error(
                token.pos,
                "ranges work on dates only",
                f"write {DATE_FIELDS[0]}:[2020-01-01 TO 2021-01-01]",
            )
        body = token.text[1:-1]
        parts = body.split(" TO ")
        if len(parts) != 2:
            raise self.error(
                token.pos,
                f"the range {token.text} has no ' TO '",
                "write [from TO to]; use * for an open end",
            )
        low, high = (part.strip() for part in parts)
        inclusive_low, inclusive_high = token.text[0] == "[", token.text[-1] == "]"
        start = end = None
        if low != "*":
            first, after = self.date_span(token, low)
            start = first if inclusive_low else after
        if high != "*":
            first, after = self.date_span(token, high)
            end = after if inclusive_high else first
        return ast.DateRange(field, start, end)

    def date_value(self, token: _Token, field: str, text: str) -> ast.Node:
        start, end = self.date_span(token, text)
        return ast.DateRange(field, start, end)

    def date_span(self, token: _Token, text: str) -> tuple[datetime, datetime]:
        """The instant a date written as YYYY, YYYY-MM, YYYY-MM-DD or a full ISO time begins,
        and the instant its unit (year, month, day, second) ends."""
        try:
            if len(text) == 4 and text.isdigit():
                year = int(text)
                return datetime(year, 1, 1, tzinfo=UTC), datetime(year + 1, 1, 1, tzinfo=UTC)
            if len(text) == 7 and text[4] == "-":
                year, month = int(text[:4]), int(text[5:])
                after = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=UTC)
                return datetime(year, month, 1, tzinfo=UTC), after
            if len(text) == 10:
                day = datetime.fromisoformat(text).replace(tzinfo=UTC)
                return day, day + timedelta(days=1)
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
            moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
            return moment, moment + timedelta(seconds=1)
        except ValueError:
            raise self.error(
                token.pos,
                f"{text!r} is not a date",
                "write 2021, 2021-03, 2021-03-05 or 2021-03-05T14:00:00Z",
            ) from None
