"""The values a Post contributes to the index, as every backend computes them: keywords
normalised the way platforms compare them, dates in calendar buckets, API pages read as JSON
even when the fast parser refuses them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from foundation.pointer import RecordPointer
from foundation.post import Post, Retention
from indexer.backends import elastic_mapping, tantivy_schema
from indexer.extractors.social_text import hashtags_in, load_json, mentions_in
from indexer.prepared import DocumentPreparer
from indexer.query_fields import bucket_ordinals, bucket_start, keyword_values


def test_hashtags_and_mentions_compare_without_sigil_or_case_and_once_each() -> None:
    post = Post(
        id="x:1",
        platform="x",
        source="s",
        hashtags=["Omgevingswet", "#omgevingswet", " #Wmo "],
        mentions=["@BZK", "bzk", "@Collega"],
        author="Ina de Vries",
    )
    assert keyword_values(post, "hashtags") == ["omgevingswet", "wmo"]
    assert keyword_values(post, "mentions") == ["bzk", "collega"]
    assert keyword_values(post, "author") == ["Ina de Vries"]  # other keywords stay as written
    assert keyword_values(post, "parent_id") == []  # empty strings contribute nothing


@pytest.mark.parametrize(
    ("text", "hashtags", "mentions"),
    [
        ("Vandaag #Omgevingswet met @BZK en @bzk, #omgevingswet", ["omgevingswet"], ["@BZK"]),
        ("Volledige breedte: ＃Wmo2015 en ＠collega", ["wmo2015"], ["@collega"]),
        (
            "Mastodon: @ina@social.overheid.nl; geen tag in a#b of mail@x.nl",
            [],
            ["@ina@social.overheid.nl"],
        ),
        ("Niets om te vinden, alleen 100% tekst", [], []),
    ],
)
def test_hashtags_and_mentions_written_in_a_text(
    text: str, hashtags: list[str], mentions: list[str]
) -> None:
    assert hashtags_in(text) == hashtags
    assert mentions_in(text) == mentions


POINTER = RecordPointer(
    warc_file="a.warc.gz", offset=0, length=9, record_id="<urn:uuid:1>", target_uri="https://x.com/"
)


@pytest.mark.parametrize(
    "fields",
    [
        {
            "published_at": datetime(2024, 3, 1, 10, 0, 0, 5000, tzinfo=UTC),
            "collected_at": datetime(2024, 3, 1, 10, 0, 1),
        },
        {
            "published_at": datetime(
                2024, 3, 1, 10, tzinfo=timezone(timedelta(hours=-5, minutes=-30))
            )
        },
        {
            "published_at": datetime(1, 1, 1, tzinfo=UTC),
            "updated_at": datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
        },
        {
            "text": 'tab\t nul\x00 del\x7f \u2028 "quoted" back\\slash </script> België 😀 \ufffd',
            "title": "Één",
        },
        {
            "retention": Retention(category="1.1", keep_until=date.max, legal_hold=True),
            "date_approximate": True,
        },
        {
            "capture": POINTER,
            "earlier_captures": [POINTER, POINTER.model_copy(update={"offset": 9})],
            "hashtags": ["wmo", "é"],
            "media": ["https://x.com/m.jpg"],
        },
    ],
)
@pytest.mark.parametrize(
    "prepare", [tantivy_schema.prepare_document, elastic_mapping.prepare_document]
)
def test_a_prepared_post_gives_back_the_post_it_was_made_of(
    fields: dict[str, object], prepare: DocumentPreparer
) -> None:
    post = Post(id="x:1", platform="x", source="s", kind="reply", **fields)  # type: ignore[arg-type]
    assert prepare(post).post() == post


@pytest.mark.parametrize(
    ("moment", "day", "week_starts", "month_starts", "year_starts"),
    [
        (
            datetime(2024, 3, 10, 23, 30, tzinfo=UTC),
            "2024-03-10",
            "2024-03-04",
            "2024-03-01",
            "2024-01-01",
        ),
        (
            datetime(2024, 3, 11, 0, 30, tzinfo=UTC),
            "2024-03-11",
            "2024-03-11",
            "2024-03-01",
            "2024-01-01",
        ),
        (
            datetime(1969, 12, 31, tzinfo=UTC),
            "1969-12-31",
            "1969-12-29",
            "1969-12-01",
            "1969-01-01",
        ),
        (
            datetime(2025, 1, 1, 0, 30),
            "2025-01-01",
            "2024-12-30",
            "2025-01-01",
            "2025-01-01",
        ),  # naive: UTC
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
    first, second = (
        bucket_ordinals(datetime(2023, 12, 31, tzinfo=UTC)),
        bucket_ordinals(datetime(2024, 1, 1, tzinfo=UTC)),
    )
    assert {interval: second[interval] - first[interval] for interval in first} == {
        "day": 1,
        "week": 1,
        "month": 1,
        "year": 1,
    }


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b'{"data": [{"id": "1"}]}', {"data": [{"id": "1"}]}),
        (b'\xef\xbb\xbf{"a": 1}', {"a": 1}),  # a byte order mark
        (
            b'{"text": "half a pair: \\ud83d"}',
            {"text": "half a pair: \ufffd"},
        ),  # the fast parser refuses this
        (
            b'{"\\udc00k": ["\\ud83d\\ude00 whole", [{"x": "\\ude00 tail"}]]}',
            {"\ufffdk": ["\U0001f600 whole", [{"x": "\ufffd tail"}]]},
        ),
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
