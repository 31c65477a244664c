"""Hostile queries (issue 21) are refused by the parser with a message naming the limit (far
dates: the field, the value and the span archiveren can search); every refusal has a Dutch and
an English message; and `archiveren search` says so in one message with a non-zero exit, no
traceback."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from indexer import query_ast as ast
from indexer.backends.tantivy_schema import INDEXED_DATES
from indexer.query_limits import FIRST_DAY, LAST_DAY
from indexer.query_parser import QuerySyntaxError, parse_query

REFUSED = [
    ("NOT " * 990 + "a", "too_deep", "nested too deeply"),
    ("-" * 3990, "too_deep", "nested too deeply"),
    ("(NOT " * 21 + "a" + ")" * 21, "too_deep", "nested too deeply"),
    ("title:(" * 21 + "a" + ")" * 21, "too_deep", "nested too deeply"),
    ("(x " * 15 + "y" + ")^2" * 15, "too_deep", "nested too deeply"),
    ("*?" * 1000, "too_many_wildcards", "2000 wildcards"),
    ("url:" + "?" * 60, "too_many_wildcards", "60 wildcards"),
    ("amb" * 40 + "*", "pattern_too_long", "121 characters long"),
    (" ".join(f"w{i}*" for i in range(11)), "too_many_wildcard", "more than 10 words with * or ?"),
    (" ".join(f"w{i}~" for i in range(6)), "too_many_fuzzy", "more than 5 fuzzy words"),
    (" ".join(["woord"] * 101), "too_many_terms", "more than 100 words"),
    ('"a b"~99999999999999999999999', "slop_too_large", "at most ~1000"),
    ("koffie^" + "9" * 400, "boost_too_large", "at most ^1000"),
    ("koffie^1001", "boost_too_large", "at most ^1000"),
    ("koffie\ud800thee", "bad_character", "U+D800"),
    ('"', "open_quote", "never closed"),
]


@pytest.mark.parametrize(("query", "code", "problem"), REFUSED)
def test_hostile_query_is_refused_naming_the_limit(query: str, code: str, problem: str) -> None:
    with pytest.raises(QuerySyntaxError) as refused:
        parse_query(query)
    assert refused.value.code == code
    assert problem in str(refused.value)
    assert len(str(refused.value)) < 400  # the query is shown around the problem, not whole


def test_the_largest_accepted_query_still_parses() -> None:
    parts = ["(" * 9 + "a" + ")" * 9, '"a b"~1000', "koffie^1000", "😀" * 90 + "?*" * 5]
    parts += [f"w{i}~" for i in range(5)] + [f"v{i}*" for i in range(9)]
    parts += ["woord"] * (100 - len(parts))
    parse_query(" ".join(parts))


FAR_DATES = [
    ("published_at:9999-12-31", "9999-12-31"),
    ("published_at:9999-12-31T23:59:59", "9999-12-31T23:59:59"),
    ("published_at:9999-12-31T23:59:59+14:00", "9999-12-31T23:59:59+14:00"),
    ("published_at:[0001-01-01 TO 9999-12-31]", "0001-01-01"),
    ("published_at:0001-01-01T00:00:00+01:00", "0001-01-01T00:00:00+01:00"),
    ("published_at:[2021 TO 9999]", "9999"),
    ('published_at:"1899"', "1899"),
    ("published_at:[* TO 2100-01-01]", "2100-01-01"),
]


@pytest.mark.parametrize(("query", "value"), FAR_DATES)
def test_a_far_date_is_refused_naming_the_field_the_value_and_the_span(
    query: str, value: str
) -> None:
    with pytest.raises(QuerySyntaxError) as refused:
        parse_query(query)
    assert refused.value.code == "date_out_of_range"
    assert refused.value.values == {
        "field": "published_at",
        "text": value,
        "first": "1900-01-01",
        "last": "2099-12-31",
    }
    assert f"the date {value} in published_at is outside" in str(refused.value)
    assert "use a date from 1900-01-01 to 2099-12-31, or * for an open end" in str(refused.value)
    assert query[refused.value.position :].lstrip('"').startswith(value)


@pytest.mark.parametrize(
    ("query", "start", "end"),
    [
        ("published_at:[* TO 2020-01-01]", None, datetime(2020, 1, 2, tzinfo=UTC)),
        ("published_at:[2020-01-01 TO *]", datetime(2020, 1, 1, tzinfo=UTC), None),
        (
            "published_at:[1900-01-01 TO 2099-12-31]",
            datetime(1900, 1, 1, tzinfo=UTC),
            datetime(2100, 1, 1, tzinfo=UTC),
        ),
        (
            "published_at:2099-12-31T23:59:59-23:59",
            datetime(2100, 1, 1, 23, 58, 59, tzinfo=UTC),
            datetime(2100, 1, 1, 23, 59, tzinfo=UTC),
        ),
    ],
)
def test_open_ends_and_the_edges_of_the_span_are_searched(
    query: str, start: datetime | None, end: datetime | None
) -> None:
    assert parse_query(query) == ast.DateRange("published_at", start, end)


def test_the_span_with_a_year_and_a_day_of_offset_lies_where_tantivy_indexes_dates() -> None:
    """A searchable day's instants (a UTC offset either side, up to the end of its year) are
    all dates tantivy indexes as they are, so tantivy and the engines answer alike."""
    earliest = datetime(FIRST_DAY.year, 1, 1, tzinfo=UTC) - timedelta(days=1)
    latest = datetime(LAST_DAY.year + 1, 1, 1, tzinfo=UTC) + timedelta(days=1)
    assert INDEXED_DATES[0] < earliest and latest < INDEXED_DATES[1]


def test_fuzzy_distance_is_clamped_to_two() -> None:
    assert parse_query("ambtenar~99999999999999") == ast.Fuzzy(None, "ambtenar", 2)


def _codes_in_the_parser() -> set[str]:
    root = Path(__file__).resolve().parents[2] / "indexer"
    source = (root / "query_parser.py").read_text() + (root / "query_lexer.py").read_text()
    codes = set(re.findall(r'self\.error\(\s*[^,]+,\s*"(\w+)"', source))
    codes |= set(re.findall(r'code="(\w+)"', source))
    codes |= {f"too_many_{kind}" for kind in re.findall(r'self\.count\(token, "(\w+)"', source)}
    return codes


def test_every_refusal_has_a_dutch_and_an_english_message() -> None:
    messages = json.loads(
        (Path(__file__).resolve().parents[2] / "search_ui" / "messages.json").read_text("utf-8")
    )
    codes = _codes_in_the_parser()
    assert {"too_deep", "too_many_wildcards", "slop_too_large", "date_out_of_range"} <= codes
    for code in codes:
        assert set(messages[f"query.{code}"]) == {"nl", "en"}, code


def _archiveren(tmp_path: Path) -> tuple[list[str], dict[str, str]]:
    config = tmp_path / "sources.yaml"
    config.write_text("sources: []\n", "utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARCHIVEREN_")}
    base = [sys.executable, "-m", "archiveren", "--config", str(config), "--data-dir"]
    base.append(str(tmp_path / "data"))
    subprocess.run([*base, "init"], capture_output=True, env=env, timeout=60, check=True)
    return base, env


@pytest.mark.parametrize(
    "query",
    [
        "NOT " * 990 + "a",
        "*?" * 1000,
        '"a b"~99999999999999999999999',
        "koffie\udcff",
        "published_at:9999-12-31",
        "published_at:[0001-01-01 TO 9999-12-31]",
    ],
)
def test_archiveren_search_refuses_a_hostile_query_without_a_traceback(
    tmp_path: Path, query: str
) -> None:
    base, env = _archiveren(tmp_path)
    # One query holds a byte that is not UTF-8, as a shell passes it on.
    argument = query.encode("utf-8", "surrogateescape")
    done = subprocess.run([*base, "search", argument], capture_output=True, env=env, timeout=60)
    stderr = done.stderr.decode("utf-8", "replace")
    assert done.returncode == 1
    assert stderr.startswith("archiveren search: query error at character")
    assert "Traceback" not in stderr


@pytest.mark.parametrize(
    ("option", "day"), [("--from", "0001-01-01"), ("--to", "9999-12-31"), ("--to", "1899-12-31")]
)
def test_archiveren_search_refuses_a_far_from_or_to_day_without_a_traceback(
    tmp_path: Path, option: str, day: str
) -> None:
    base, env = _archiveren(tmp_path)
    done = subprocess.run(
        [*base, "search", option, day, "koffie"], capture_output=True, env=env, timeout=60
    )
    stderr = done.stderr.decode("utf-8", "replace")
    assert done.returncode == 1 and "Traceback" not in stderr
    assert stderr.startswith(
        f"archiveren search: {option} {day} is outside the dates archiveren can search; "
        "use a date from 1900-01-01 to 2099-12-31"
    )
