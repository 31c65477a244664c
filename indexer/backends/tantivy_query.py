"""Translate the shared query tree (indexer/query_ast.py) and a SearchRequest's filters into
tantivy Query objects. Text fields are analysed here with the same Dutch analyser the index
uses, so a query word meets the indexed stems; wildcards and fuzzy words search the stems and
the unstemmed folded words both; names are searched by their folded words; keyword values are
normalised the way indexer/query_fields.py says.
"""

from __future__ import annotations

from datetime import datetime

import tantivy
from tantivy import FieldType, Occur, Query

from foundation.errors import QueryError
from indexer import query_ast as ast
from indexer.backends.tantivy_schema import (
    dutch_analyzer,
    fold_analyzer,
    folded_field,
    words_analyzer,
)
from indexer.query_fields import (
    DEFAULT_FIELDS,
    KEYWORD_FIELDS,
    NAME_FIELDS,
    TEXT_FIELDS,
    as_utc,
    canonical_field,
    normalise_keyword,
    prefix_completions,
)
from indexer.query_limits import clamp_date
from indexer.query_model import SearchRequest

TITLE_BOOST = 2.0
_REGEX_META = set(".^$*+?()[]{}|\\#&-~")


class QueryTranslator:
    """Builds tantivy queries for one schema; holds the analysers so each query does not."""

    def __init__(self, schema: tantivy.Schema) -> None:
        self.schema = schema
        self._dutch = dutch_analyzer()
        self._fold = fold_analyzer()
        self._words = words_analyzer()

    def query(self, node: ast.Node) -> Query:
        """The tantivy Query for a parsed query string."""
        if isinstance(node, ast.MatchAll):
            return Query.all_query()
        if isinstance(node, ast.Not):
            return Query.boolean_query(
                [(Occur.Must, Query.all_query()), (Occur.MustNot, self.query(node.child))]
            )
        if isinstance(node, ast.And):
            clauses = [
                (Occur.MustNot, self.query(c.child))
                if isinstance(c, ast.Not)
                else (Occur.Must, self.query(c))
                for c in node.children
            ]
            if all(occur == Occur.MustNot for occur, _ in clauses):
                clauses.append((Occur.Must, Query.all_query()))
            return Query.boolean_query(clauses)
        if isinstance(node, ast.Or):
            return Query.boolean_query([(Occur.Should, self.query(c)) for c in node.children])
        if isinstance(node, ast.Boost):
            return Query.boost_query(self.query(node.child), node.factor)
        if isinstance(node, ast.DateRange):
            return self.date_range(node.field, node.start, node.end)
        fields = (node.field,) if node.field else DEFAULT_FIELDS
        per_field = [self.leaf(node, field) for field in fields]
        if len(per_field) == 1:
            return per_field[0]
        return Query.boolean_query([(Occur.Should, q) for q in per_field])

    def leaf(self, node: ast.Term | ast.Phrase | ast.Wildcard | ast.Fuzzy, field: str) -> Query:
        boost = TITLE_BOOST if node.field is None and field == "title" else 1.0
        if field in TEXT_FIELDS:
            query = self._text_leaf(node, field)
        elif field in NAME_FIELDS:
            query = self._words_leaf(node, folded_field(field), self._words)
        else:
            query = self._keyword_leaf(node, field)
        return Query.boost_query(query, boost) if boost != 1.0 else query

    def _text_leaf(
        self, node: ast.Term | ast.Phrase | ast.Wildcard | ast.Fuzzy, field: str
    ) -> Query:
        stems = self._words_leaf(node, field, self._dutch)
        if not isinstance(node, ast.Wildcard | ast.Fuzzy):
            return stems
        # A stem is not a word: samenwerking and samenwerken are both indexed as samenwerk.
        # So a pattern or a misspelling also meets the words as written, lowercased and folded.
        words = self._words_leaf(node, folded_field(field), self._words)
        clauses = [(Occur.Should, stems), (Occur.Should, words)]
        if isinstance(node, ast.Wildcard) and node.prefix is not None:
            completed = {
                token
                for word in prefix_completions(node.prefix)
                for token in self._dutch.analyze(word)
            }
            clauses += [
                (Occur.Should, Query.term_query(self.schema, field, stem))
                for stem in sorted(completed)
            ]
        return Query.boolean_query(clauses)

    def _words_leaf(
        self,
        node: ast.Term | ast.Phrase | ast.Wildcard | ast.Fuzzy,
        field: str,
        analyzer: tantivy.TextAnalyzer,
    ) -> Query:
        """``node`` against ``field``, which ``analyzer`` filled: a wildcard as a folded pattern
        over its terms, anything else as the analysed words (one term, or a phrase)."""
        if isinstance(node, ast.Wildcard):
            folded = self._fold.analyze(node.pattern)
            return Query.regex_query(
                self.schema, field, wildcard_to_regex(folded[0] if folded else "")
            )
        tokens = [(token.position, token.text) for token in analyzer.pre_tokenize(node.text).tokens]
        if not tokens:
            # Like Elasticsearch's match query: a query of stop words or punctuation matches nothing.
            return Query.empty_query()
        if isinstance(node, ast.Fuzzy) and len(tokens) == 1:
            return Query.fuzzy_term_query(self.schema, field, tokens[0][1], distance=node.distance)
        if len(tokens) == 1:
            return Query.term_query(self.schema, field, tokens[0][1])
        # Positions keep the gaps of removed stop words, as they are in the index.
        first = tokens[0][0]
        slop = node.slop if isinstance(node, ast.Phrase) else 0
        return Query.phrase_query(
            self.schema, field, [(position - first, text) for position, text in tokens], slop
        )

    def _keyword_leaf(
        self, node: ast.Term | ast.Phrase | ast.Wildcard | ast.Fuzzy, field: str
    ) -> Query:
        if isinstance(node, ast.Wildcard):
            pattern = normalise_keyword(field, node.pattern)
            return Query.regex_query(self.schema, field, wildcard_to_regex(pattern))
        value = normalise_keyword(field, node.text)
        if isinstance(node, ast.Fuzzy):
            return Query.fuzzy_term_query(self.schema, field, value, distance=node.distance)
        return Query.term_query(self.schema, field, value)

    def date_range(self, field: str, start: datetime | None, end: datetime | None) -> Query:
        if start is None and end is None:
            return Query.exists_query(field)
        return Query.range_query(
            self.schema,
            field,
            FieldType.Date,
            lower_bound=clamp_date(as_utc(start)) if start else None,
            upper_bound=clamp_date(as_utc(end)) if end else None,
            include_lower=True,
            include_upper=end is None,
        )

    def filters(self, request: SearchRequest) -> list[Query]:
        """One query per filter field (values OR-ed) and one for the date range; they constrain
        the result without changing any score."""
        out: list[Query] = []
        for name, values in sorted(request.filters.items()):
            field = canonical_field(name)
            if field is None or field not in KEYWORD_FIELDS:
                raise QueryError(
                    f"cannot filter on {name!r}; filter on one of {', '.join(sorted(KEYWORD_FIELDS))}"
                )
            if values:
                normalised = sorted({normalise_keyword(field, value) for value in values})
                out.append(Query.term_set_query(self.schema, field, normalised))
        if request.date_from is not None or request.date_to is not None:
            out.append(self.date_range("published_at", request.date_from, request.date_to))
        return [Query.const_score_query(q, 0.0) for q in out]

    def combine(self, query: Query, filters: list[Query]) -> Query:
        if not filters:
            return query
        return Query.boolean_query([(Occur.Must, query)] + [(Occur.Must, f) for f in filters])


def wildcard_to_regex(pattern: str) -> str:
    """A Rust-regex (as tantivy's regex query takes it, anchored at both ends) for a wildcard
    pattern: ``*`` any run, ``?`` one character, backslash keeps the next character literal."""
    out: list[str] = []
    chars = iter(pattern)
    for char in chars:
        if char == "\\":
            char = next(chars, "\\")
            out.append("\\" + char if char in _REGEX_META else char)
        elif char == "*":
            out.append(".*")
        elif char == "?":
            out.append(".")
        else:
            out.append("\\" + char if char in _REGEX_META else char)
    return "".join(out)
