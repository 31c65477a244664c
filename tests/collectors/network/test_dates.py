"""Dates as network sites print them, Dutch, English and German, absolute and relative."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from platforms.dates import find_date

CAPTURED = datetime(2022, 1, 15, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected", "approximate"),
    [
        (
            "Reactie van Jan Jansen op 20 Februari 2014 op 15.16",
            datetime(2014, 2, 20, 14, 16, tzinfo=UTC),
            False,
        ),
        (
            "Geplaatst door Jan op 20 februari 2014 om 15:16",
            datetime(2014, 2, 20, 14, 16, tzinfo=UTC),
            False,
        ),
        (
            "Comment by Jan on February 20, 2014 at 3:16pm",
            datetime(2014, 2, 20, 14, 16, tzinfo=UTC),
            False,
        ),
        ("Anne said at 6:28 pm on Jul 15, 2009", datetime(2009, 7, 15, 16, 28, tzinfo=UTC), False),
        ("Anne said at 12:05 am on Jul 15, 2009", datetime(2009, 7, 14, 22, 5, tzinfo=UTC), False),
        ("op 3 mrt. 2012", datetime(2012, 3, 2, 23, 0, tzinfo=UTC), False),
        ("2014-02-20T15:16:00+01:00", datetime(2014, 2, 20, 14, 16, tzinfo=UTC), False),
        ("geplaatst 20-02-2014", datetime(2014, 2, 19, 23, 0, tzinfo=UTC), False),
        (
            "Page history last edited by Jan 12 years, 6 months ago",
            datetime(2009, 7, 15, 12, 0, tzinfo=UTC),
            True,
        ),
        ("3 jaar geleden", datetime(2019, 1, 15, 12, 0, tzinfo=UTC), True),
        ("2 jaar en 3 maanden geleden", datetime(2019, 10, 15, 12, 0, tzinfo=UTC), True),
        ("about an hour ago", datetime(2022, 1, 15, 11, 0, tzinfo=UTC), True),
        ("een week geleden", datetime(2022, 1, 8, 12, 0, tzinfo=UTC), True),
        ("gisteren om 10:12", datetime(2022, 1, 14, 9, 12, tzinfo=UTC), True),
        ("yesterday", datetime(2022, 1, 14, 12, 0, tzinfo=UTC), True),
        ("20. März 2014 um 15:16 Uhr", datetime(2014, 3, 20, 14, 16, tzinfo=UTC), False),
        ("3. Juli 2012 um 9:05", datetime(2012, 7, 3, 7, 5, tzinfo=UTC), False),
        ("vor 3 Tagen", datetime(2022, 1, 12, 12, 0, tzinfo=UTC), True),
        ("vor 2 Stunden", datetime(2022, 1, 15, 10, 0, tzinfo=UTC), True),
        ("2 hours ago", datetime(2022, 1, 15, 10, 0, tzinfo=UTC), True),
        ("3 dagen geleden", datetime(2022, 1, 12, 12, 0, tzinfo=UTC), True),
    ],
)
def test_dates_are_found_in_the_text_around_them(
    text: str, expected: datetime, approximate: bool
) -> None:
    found = find_date(text, captured_at=CAPTURED)
    assert found is not None
    assert (found.value, found.approximate) == (expected, approximate)


@pytest.mark.parametrize(
    "text", ["", "Weergaven: 808", "Reactie van Jan Jansen", "31 Februari 2014"]
)
def test_text_without_a_date_gives_none(text: str) -> None:
    assert find_date(text, captured_at=CAPTURED) is None


def test_month_first_numeric_dates_for_american_sites() -> None:
    found = find_date("posted 03/04/2014", captured_at=CAPTURED, timezone="UTC", dayfirst=False)
    assert found is not None and found.value == datetime(2014, 3, 4, tzinfo=UTC)
