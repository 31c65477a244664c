"""Split a Lucene-style query string into tokens for indexer/query_parser.py: words (with their
wildcards and escapes), "phrases", field names, [ranges], operators, parentheses, and the
``^boost`` and ``~`` modifiers. Also the error every step of parsing raises: QuerySyntaxError,
which names the character position, what is wrong and what to do.
"""

from __future__ import annotations

from dataclasses import dataclass

from foundation.errors import QueryError

_OPERATORS = {"AND": "AND", "&&": "AND", "OR": "OR", "||": "OR", "NOT": "NOT"}
_WORD_END = set(' \t\r\n()"^~')


class QuerySyntaxError(QueryError):
    """A query string that cannot be parsed or is past a limit; ``position`` is the 0-based
    character offset, ``code`` names the problem and ``values`` fill in its message."""

    def __init__(
        self,
        query: str,
        position: int,
        problem: str,
        hint: str = "",
        *,
        code: str,
        values: dict[str, object] | None = None,
    ) -> None:
        self.query = query
        self.position = position
        self.problem = problem
        self.code = code
        self.values = values or {}
        message = f"query error at character {position + 1}: {problem}"
        if hint:
            message += f"; {hint}"
        shown, offset = _around(query, position)
        super().__init__(f"{message}\n  {shown}\n  {' ' * offset}^")


def _around(query: str, position: int, width: int = 100) -> tuple[str, int]:
    """The query as shown under an error, cut to ``width`` characters around ``position`` (a
    hostile query may be thousands long), and where the caret goes in it."""
    position = min(position, len(query))
    if len(query) <= width:
        return query, position
    start = max(0, min(position - width // 2, len(query) - width))
    before = "…" if start else ""
    after = "…" if start + width < len(query) else ""
    return before + query[start : start + width] + after, position - start + len(before)


@dataclass(frozen=True)
class Token:
    kind: str  # WORD, PHRASE, FIELD, RANGE, LPAREN, RPAREN, AND, OR, NOT, PLUS, MINUS, BOOST, TILDE
    text: str
    pos: int
    wildcard: bool = False


class Lexer:
    def __init__(self, query: str) -> None:
        self.query = query
        self.i = 0

    def error(
        self, pos: int, code: str, problem: str, hint: str = "", **values: object
    ) -> QuerySyntaxError:
        return QuerySyntaxError(self.query, pos, problem, hint, code=code, values=values)

    def tokens(self) -> list[Token]:
        out: list[Token] = []
        q = self.query
        while self.i < len(q):
            c, start = q[self.i], self.i
            if c.isspace():
                self.i += 1
            elif c in "()":
                out.append(Token("LPAREN" if c == "(" else "RPAREN", c, start))
                self.i += 1
            elif c == '"':
                out.append(self.phrase())
            elif c in "[{":
                out.append(self.range())
            elif c in "^~":
                out.append(self.modifier(c))
            elif c in "+-!" and self.i + 1 < len(q) and not q[self.i + 1].isspace():
                out.append(Token({"+": "PLUS", "-": "MINUS", "!": "NOT"}[c], c, start))
                self.i += 1
            else:
                out.append(self.word())
        return out

    def phrase(self) -> Token:
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
                return Token("PHRASE", "".join(chars), start)
            chars.append(c)
        raise self.error(
            start,
            "open_quote",
            "this phrase's quote is never closed",
            'add the closing " or remove the opening one',
        )

    def range(self) -> Token:
        start = self.i
        closers = {"[": "]}", "{": "]}"}[self.query[start]]
        end = next((j for j in range(start + 1, len(self.query)) if self.query[j] in closers), -1)
        if end < 0:
            raise self.error(
                start,
                "open_range",
                "this range is never closed",
                "write it as [from TO to] (or { } to exclude an end)",
            )
        self.i = end + 1
        return Token("RANGE", self.query[start : end + 1], start)

    def modifier(self, c: str) -> Token:
        start = self.i
        self.i += 1
        while self.i < len(self.query) and (self.query[self.i] in "0123456789."):
            self.i += 1
        return Token("BOOST" if c == "^" else "TILDE", self.query[start + 1 : self.i], start)

    def word(self) -> Token:
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
                return Token("FIELD", "".join(chars), start)
            wildcard = wildcard or c in "*?"
            chars.append(c)
            self.i += 1
        text = "".join(chars)
        if text in _OPERATORS:
            return Token(_OPERATORS[text], text, start)
        if not wildcard:
            text = text.replace("\\*", "*").replace("\\?", "?").replace("\\\\", "\\")
        return Token("WORD", text, start, wildcard)

    def _in_field_value(self, start: int) -> bool:
        # After ``field:`` the value runs to the next space, so ``url:https://x`` keeps its colons.
        return start > 0 and self.query[start - 1] == ":"
