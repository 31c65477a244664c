"""How big and how deep a query may be, so that every backend can run whatever the parser
accepts: tantivy compiles wildcards into automata of at most 1,000 states, Elasticsearch refuses
bool queries nested more than 30 deep, OpenSearch refuses more than 1,024 clauses (counting the
terms a fuzzy word expands to), and dates are nanoseconds since 1970 in tantivy. The parser
refuses a query past these limits with a QuerySyntaxError naming the limit, and clamps dates to
the span every backend can hold, so no backend ever meets a query it cannot run.
"""

from __future__ import annotations

from datetime import UTC, datetime

MAX_QUERY_LENGTH = 4000
"""Characters in a query string."""

MAX_NESTING = 20
"""Levels of parentheses and NOT/-/+ while parsing, and of AND/OR/NOT/boost in the tree; with
the one or two levels a backend adds (default fields, filters) this stays under
Elasticsearch's 30."""

MAX_TERMS = 100
"""Words, phrases, patterns and date terms in one query. A bare word searches two fields, so
this is at most 200 clauses, leaving OpenSearch's 1,024 for fuzzy and wildcard expansion."""

MAX_FUZZY_TERMS = 5
"""Fuzzy words (``word~``): the engines expand each into up to 50 terms per field."""

MAX_WILDCARD_TERMS = 10
"""Words with ``*`` or ``?``: the engines may expand each into up to 16 terms per field."""

MAX_WILDCARDS_PER_WORD = 10
"""``*`` and ``?`` in one word; tantivy's automaton limit is reached at about 50."""

MAX_PATTERN_LENGTH = 100
"""Characters in one wildcard word (a literal character costs an automaton state per UTF-8
byte, so 100 four-byte characters and 10 wildcards stay well inside 1,000 states)."""

MAX_SLOP = 1000
"""Positions a phrase's words may be apart (``"a b"~N``); both engines take 32-bit numbers."""

MAX_FUZZY_DISTANCE = 2
"""Edits a fuzzy word allows; larger distances are clamped to it, as Lucene does."""

MAX_BOOST = 1000.0
"""Largest boost (``^N``); the engines keep boosts as 32-bit floats and refuse infinity."""

EARLIEST_DATE = datetime(1678, 1, 1, tzinfo=UTC)
LATEST_DATE = datetime(2262, 1, 1, tzinfo=UTC)
"""The span of dates every backend can hold (tantivy stores i64 nanoseconds); a date outside it
matches the same Posts as the span's nearer end, so date terms are clamped instead of refused."""


def clamp_date(moment: datetime) -> datetime:
    """``moment`` (aware, UTC) moved into EARLIEST_DATE..LATEST_DATE."""
    return min(max(moment, EARLIEST_DATE), LATEST_DATE)
