"""How big and how deep a query may be, so that every backend can run whatever the parser
accepts: tantivy compiles wildcards into automata of at most 1,000 states, Elasticsearch refuses
bool queries nested more than 30 deep, OpenSearch refuses more than 1,024 clauses (counting the
terms a fuzzy word expands to), and tantivy indexes dates only within 1833-2106. The parser
refuses a query past these limits, or naming a day outside FIRST_DAY..LAST_DAY, with a
QuerySyntaxError naming the limit, so no backend ever meets a query it cannot run.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

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

FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2099, 12, 31)
"""The days a query (``published_at:2021``, a range bound) or a search's from/to may name; a
day outside is refused with a message naming the field, the value and this span, never clamped
(a clamped date answers a different question than the one asked). Why these two: tantivy
indexes a Post's date as seconds in a 2**32-second span, 1833-11-24 to 2106-02-07
(indexer/backends/tantivy_schema.py; a Post dated outside it is indexed at its edge), so a
search outside that span would answer wrongly on tantivy and rightly on the engines. Whole
centuries inside it leave room for what a written date becomes on its way to a backend: the
end of its unit (a year later at most, the midnight after a 'to' day) and a UTC offset (up to
24 hours either way), so no step leaves Python's datetime (years 1-9999), tantivy's
nanoseconds (1677-2262) or Elasticsearch's and OpenSearch's ``date`` (milliseconds in a long).
Nothing archiveren collects was published before 1900."""

EARLIEST_DATE = datetime(1678, 1, 1, tzinfo=UTC)
LATEST_DATE = datetime(2262, 1, 1, tzinfo=UTC)
"""The span tantivy's nanosecond dates hold. What a user writes is refused outside
FIRST_DAY..LAST_DAY first; a SearchRequest built in code has its date bounds clamped into this
span before tantivy sees them."""


def clamp_date(moment: datetime) -> datetime:
    """``moment`` (aware, UTC) moved into EARLIEST_DATE..LATEST_DATE."""
    return min(max(moment, EARLIEST_DATE), LATEST_DATE)
