"""The query parser turns Lucene-style strings into the tree both backends translate, and
explains malformed queries by position instead of failing with a stack trace."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from foundation.errors import QueryError
from indexer.query_ast import (
    And,
    Boost,
    DateRange,
    Fuzzy,
    MatchAll,
    Not,
    Or,
    Phrase,
    Term,
    Wildcard,
)
from indexer.query_parser import QuerySyntaxError, parse_query


def test_blank_and_star_match_everything() -> None:
    assert parse_query("") == MatchAll()
    assert parse_query("   ") == MatchAll()
    assert parse_query("*") == MatchAll()


def test_juxtaposed_words_must_all_match() -> None:
    assert parse_query("open overheid") == And((Term(None, "open"), Term(None, "overheid")))


def test_not_binds_tighter_than_and_tighter_than_or() -> None:
    assert parse_query("a OR b AND NOT c") == Or(
        (Term(None, "a"), And((Term(None, "b"), Not(Term(None, "c")))))
    )
    assert parse_query("a || b && !c") == parse_query("a OR b AND NOT c")


def test_plus_and_minus_prefixes() -> None:
    assert parse_query("+koffie -thee") == And((Term(None, "koffie"), Not(Term(None, "thee"))))


def test_lowercase_operators_are_ordinary_words() -> None:
    assert parse_query("koffie or thee") == And(
        (Term(None, "koffie"), Term(None, "or"), Term(None, "thee"))
    )


def test_field_values_use_canonical_field_names() -> None:
    assert parse_query("hashtag:#AVG") == Term("hashtags", "#AVG")
    assert parse_query("mention:@ozlem") == Term("mentions", "@ozlem")
    assert parse_query('author:"Zoë Bakker"') == Phrase("author", "Zoë Bakker")


def test_a_field_applies_to_a_whole_group() -> None:
    assert parse_query("title:(koffie OR thee) lunch") == And(
        (Or((Term("title", "koffie"), Term("title", "thee"))), Term(None, "lunch"))
    )


def test_field_value_keeps_colons_of_urls() -> None:
    assert parse_query('url:"https://example.org/a?b=1"') == Phrase(
        "url", "https://example.org/a?b=1"
    )
    assert parse_query("url:https://example.org/x") == Term("url", "https://example.org/x")


def test_phrases_slop_fuzzy_and_boost() -> None:
    assert parse_query('"open overheid"~2') == Phrase(None, "open overheid", 2)
    assert parse_query("koffie~1") == Fuzzy(None, "koffie", 1)
    assert parse_query("koffie~") == Fuzzy(None, "koffie", 2)
    assert parse_query("koffie^2.5") == Boost(Term(None, "koffie"), 2.5)


def test_wildcards_and_escapes() -> None:
    assert parse_query("amb*") == Wildcard(None, "amb*")
    assert parse_query("amb*").prefix == "amb"  # type: ignore[union-attr]
    assert parse_query("a?b*").prefix is None  # type: ignore[union-attr]
    assert parse_query("vraag\\?") == Term(None, "vraag?")
    assert parse_query("id:x\\:1001") == Term("id", "x:1001")


def test_dates_become_half_open_utc_ranges() -> None:
    assert parse_query("published_at:2021") == DateRange(
        "published_at", datetime(2021, 1, 1, tzinfo=UTC), datetime(2022, 1, 1, tzinfo=UTC)
    )
    assert parse_query("published_at:[2020-02 TO 2020-03]") == DateRange(
        "published_at", datetime(2020, 2, 1, tzinfo=UTC), datetime(2020, 4, 1, tzinfo=UTC)
    )
    assert parse_query("published_at:{2020-02-28 TO *]") == DateRange(
        "published_at", datetime(2020, 2, 29, tzinfo=UTC), None
    )
    assert parse_query("published_at:2020-02-28T23:30:00+01:00") == DateRange(
        "published_at",
        datetime(2020, 2, 28, 22, 30, tzinfo=UTC),
        datetime(2020, 2, 28, 22, 30, 1, tzinfo=UTC),
    )


@pytest.mark.parametrize(
    ("query", "position", "problem"),
    [
        ('koffie "open overheid', 7, "quote is never closed"),
        ("koffie AND", 7, "AND needs something after it"),
        ("AND koffie", 0, "AND needs something before it"),
        ("(koffie OR thee", 0, "'(' is never closed"),
        ("koffie) thee", 6, "')' has no matching '('"),
        ("kleur:blauw", 0, "there is no field 'kleur'"),
        ("koffie title:", 7, "has no value"),
        ("author:[a TO b]", 7, "ranges work on dates only"),
        ("published_at:[2020 TO morgen]", 13, "'morgen' is not a date"),
        ("koffie^veel", 6, "is not a number"),
        ('""', 0, "the phrase is empty"),
        ("NOT", 0, "NOT needs something after it"),
    ],
)
def test_malformed_queries_name_the_position_and_the_problem(
    query: str, position: int, problem: str
) -> None:
    with pytest.raises(QuerySyntaxError) as raised:
        parse_query(query)
    error = raised.value
    assert isinstance(error, QueryError)
    assert error.position == position
    assert problem in str(error)
    assert f"character {position + 1}" in str(error)
    # The message shows the query with a caret under the offending character.
    lines = str(error).splitlines()
    assert (
        lines[1].strip() == query.strip()
        and lines[2].index("^") == lines[1].index(query[0]) + position
    )


def test_absurdly_long_or_deep_queries_are_refused() -> None:
    with pytest.raises(QuerySyntaxError, match="characters long"):
        parse_query("koffie " * 1000)
    with pytest.raises(QuerySyntaxError, match="nested too deeply"):
        parse_query("(" * 60 + "koffie" + ")" * 60)
