"""Hostile queries (issue 21) are refused by the parser with a message naming the limit, or
answered with their dates clamped; every refusal has a Dutch and an English message; and
`archiveren search` says so in one message with a non-zero exit, no traceback."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from indexer import query_ast as ast
from indexer.query_limits import EARLIEST_DATE, LATEST_DATE
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


@pytest.mark.parametrize(
    ("query", "start", "end"),
    [
        ("published_at:9999-12-31", LATEST_DATE, LATEST_DATE),
        ("published_at:9999-12-31T23:59:59", LATEST_DATE, LATEST_DATE),
        ("published_at:[0001-01-01 TO 9999-12-31]", EARLIEST_DATE, LATEST_DATE),
        ("published_at:0001-01-01T00:00:00+01:00", EARLIEST_DATE, EARLIEST_DATE),
        ("published_at:[2021 TO 9999]", datetime(2021, 1, 1, tzinfo=UTC), LATEST_DATE),
    ],
)
def test_far_dates_are_clamped_to_the_span_every_backend_holds(
    query: str, start: datetime, end: datetime
) -> None:
    assert parse_query(query) == ast.DateRange("published_at", start, end)


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
    assert {"too_deep", "too_many_wildcards", "slop_too_large", "not_a_date"} <= codes
    for code in codes:
        assert set(messages[f"query.{code}"]) == {"nl", "en"}, code


@pytest.mark.parametrize(
    "query", ["NOT " * 990 + "a", "*?" * 1000, '"a b"~99999999999999999999999', "koffie\udcff"]
)
def test_archiveren_search_refuses_a_hostile_query_without_a_traceback(
    tmp_path: Path, query: str
) -> None:
    config = tmp_path / "sources.yaml"
    config.write_text("sources: []\n", "utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARCHIVEREN_")}
    base = [sys.executable, "-m", "archiveren", "--config", str(config), "--data-dir"]
    base.append(str(tmp_path / "data"))
    subprocess.run([*base, "init"], capture_output=True, env=env, timeout=60, check=True)
    # The last query holds a byte that is not UTF-8, as a shell passes it on.
    argument = query.encode("utf-8", "surrogateescape")
    done = subprocess.run([*base, "search", argument], capture_output=True, env=env, timeout=60)
    stderr = done.stderr.decode("utf-8", "replace")
    assert done.returncode == 1
    assert stderr.startswith("archiveren search: query error at character")
    assert "Traceback" not in stderr
