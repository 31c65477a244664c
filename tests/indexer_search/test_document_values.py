"""The values a Post contributes to the index, as every backend computes them: keywords
normalised the way platforms compare them, dates in calendar buckets, API pages read as JSON
even when the fast parser refuses them."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from indexer.extractors.social_text import load_json
from indexer.post import Post
from indexer.query_fields import bucket_ordinals, bucket_start, keyword_values


def test_hashtags_and_mentions_compare_without_sigil_or_case_and_once_each() -> None:
    post = Post(id="x:1", platform="x", source="s", hashtags=["Omgevingswet", "#omgevingswet", " #Wmo "], mentions=["@BZK", "bzk", "@Collega"], author="Ina de Vries")
    assert keyword_values(post, "hashtags") == ["omgevingswet", "wmo"]
    assert keyword_values(post, "mentions") == ["bzk", "collega"]
    assert keyword_values(post, "author") == ["Ina de Vries"]  # other keywords stay as written
    assert keyword_values(post, "parent_id") == []  # empty strings contribute nothing


@pytest.mark.parametrize(
    ("moment", "day", "week_starts", "month_starts", "year_starts"),
    [
        (datetime(2024, 3, 10, 23, 30, tzinfo=UTC), "2024-03-10", "2024-03-04", "2024-03-01", "2024-01-01"),
        (datetime(2024, 3, 11, 0, 30, tzinfo=UTC), "2024-03-11", "2024-03-11", "2024-03-01", "2024-01-01"),
        (datetime(1969, 12, 31, tzinfo=UTC), "1969-12-31", "1969-12-29", "1969-12-01", "1969-01-01"),
        (datetime(2025, 1, 1, 0, 30), "2025-01-01", "2024-12-30", "2025-01-01", "2025-01-01"),  # naive: UTC
    ],
)
def test_a_date_falls_in_utc_calendar_buckets_with_weeks_from_monday(
    moment: datetime, day: str, week_starts: str, month_starts: str, year_starts: str
) -> None:
    ordinals = bucket_ordinals(moment)
    starts = {interval: bucket_start(ordinal, interval) for interval, ordinal in ordinals.items()}  # type: ignore[arg-type]
    assert starts == {"day": day, "week": week_starts, "month": month_starts, "year": year_starts}
    assert date.fromisoformat(starts["week"]).weekday() == 0


def test_neighbouring_buckets_have_consecutive_ordinals() -> None:
    first, second = bucket_ordinals(datetime(2023, 12, 31, tzinfo=UTC)), bucket_ordinals(datetime(2024, 1, 1, tzinfo=UTC))
    assert {interval: second[interval] - first[interval] for interval in first} == {"day": 1, "week": 1, "month": 1, "year": 1}


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b'{"data": [{"id": "1"}]}', {"data": [{"id": "1"}]}),
        (b'\xef\xbb\xbf{"a": 1}', {"a": 1}),  # a byte order mark
        (b'{"text": "half a pair: \\ud83d"}', {"text": "half a pair: \ufffd"}),  # the fast parser refuses this
        (b'{"\\udc00k": ["\\ud83d\\ude00 whole", [{"x": "\\ude00 tail"}]]}', {"\ufffdk": ["\U0001f600 whole", [{"x": "\ufffd tail"}]]}),
        (b"<html>Service Unavailable</html>", None),
        (b'{"cut off": ', None),
        (b"\xff\xfe{", None),
        (b"[" * 100_000, None),  # too deep for either parser: not JSON we can read
    ],
)
def test_an_api_body_is_read_as_json_or_none(body: bytes, expected: object) -> None:
    assert load_json(body) == expected


def test_json_nested_deeper_than_the_fast_parser_goes_is_still_read() -> None:
    parsed = load_json(b"[" * 300 + b"]" * 300)
    depth = 0
    while isinstance(parsed, list) and parsed:
        parsed, depth = parsed[0], depth + 1
    assert depth == 299
