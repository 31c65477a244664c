"""A hypothesis strategy for query strings shaped like the query grammar (words, phrases,
field:value, ranges, groups, operators, modifiers) with hostile values in every slot — huge
numbers, far dates, long wildcard runs, unicode, NUL — and the hostile queries an outside probe
sent (issue 21), which every query fuzz test tries first."""

from __future__ import annotations

from hypothesis import strategies as st

HOSTILE_QUERIES: tuple[str, ...] = (
    "NOT " * 990 + "a",
    "NOT " * 990,
    "-" * 3990,
    "!" * 3000 + "a",
    "*?" * 1000,
    "?" * 300,
    "url:" + "*a" * 500,
    "published_at:9999-12-31",
    "published_at:[0001-01-01 TO 9999-12-31]",
    "published_at:9999-12-31T23:59:59+14:00",
    "published_at:0001-01-01T00:00:00+01:00",
    'published_at:"9999"',
    '"a b"~99999999999999999999999',
    "koffie~99999999999999999999999",
    "koffie^" + "9" * 400,
    "koffie^1e999",
    "(NOT " * 30 + "a" + ")" * 30,
    "title:(" * 30 + "a" + ")" * 30,
    "(a OR (b AND NOT (c OR -(d)))) " * 20,
    " ".join(["woord"] * 1900),
    " ".join(f"w{i}~" for i in range(20)),
    '"',
    'koffie "thee',
    "\x00",
    "koffie\x00thee",
    "\ud800",
    "ambtenaar " + "😀" * 90 + "?*" * 5,
)

_LETTERS = st.sampled_from(list("abkoéëßø中😀09") + ["\x00", "\\*", "\\\\", "\u200b"])
_WILDCARDS = st.sampled_from(["*", "?"])
word = st.lists(st.one_of(_LETTERS, _LETTERS, _WILDCARDS), min_size=1, max_size=14).map("".join)
number = st.one_of(
    st.integers(0, 3).map(str),
    st.integers(0, 3).map(str),
    st.integers(0, 10**30).map(str),
    st.sampled_from(["", ".", "0.5", "1e999", "9" * 400, "1.2.3", "-1"]),
)
modifier = st.one_of(st.just(""), number.map(lambda n: "~" + n), number.map(lambda n: "^" + n))
phrase = st.lists(word, min_size=1, max_size=4).map(lambda words: '"' + " ".join(words) + '"')
field = st.sampled_from(
    ["title", "text", "author", "hashtag", "mentions", "url", "platform", "published_at", "colour"]
)
date = st.one_of(
    st.dates().map(lambda d: f"{d.year:04d}-{d.month:02d}-{d.day:02d}"),
    st.integers(0, 99999).map(lambda y: f"{y:04d}"),
    st.integers(1, 9999).map(lambda y: f"{y:04d}-12"),
    st.datetimes(timezones=st.just(None)).map(lambda t: t.isoformat() + "+14:00"),
    st.sampled_from(["*", "9999-12-31T23:59:59Z", "gisteren", "2021-13"]),
)
date_range = st.tuples(st.sampled_from("[{"), date, date, st.sampled_from("]}")).map(
    lambda parts: f"{parts[0]}{parts[1]} TO {parts[2]}{parts[3]}"
)
leaf = st.one_of(
    st.tuples(st.one_of(word, phrase), modifier).map("".join),
    st.tuples(field, st.one_of(word, phrase)).map(lambda p: f"{p[0]}:{p[1]}"),
    st.one_of(date, date_range, phrase).map(lambda value: f"published_at:{value}"),
    st.sampled_from(['""', "*", "*:*", "published_at:[* TO *]"]),
)


def _compound(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.tuples(inner, modifier).map(lambda p: f"({p[0]}){p[1]}"),
        st.tuples(field, inner).map(lambda p: f"{p[0]}:({p[1]})"),
        st.tuples(st.sampled_from(["NOT ", "-", "!", "+"]), inner).map("".join),
        st.tuples(inner, st.sampled_from([" AND ", " OR ", " && ", " || ", " "]), inner).map(
            "".join
        ),
        st.tuples(st.sampled_from(["NOT ", "-", "(", "title:("]), st.integers(1, 30), inner).map(
            lambda p: p[0] * p[1] + p[2] + (")" * p[1] if "(" in p[0] else "")
        ),
    )


grammar_query = st.recursive(leaf, _compound, max_leaves=12)
"""A query built from the grammar's parts; most parse, many are refused, all must be answered."""
