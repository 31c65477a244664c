"""One meaning of a period everywhere: "van" (--from) and "tot en met" (--to) are whole days,
both included, in the UI, the API, `search` and `export`. A period that ends before it starts
is refused with a message saying so, not answered with nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from foundation.errors import QueryError


class ReversedPeriod(QueryError):
    """The 'to' day lies before the 'from' day."""

    def __init__(self, first: date, last: date) -> None:
        super().__init__(f"the period ends on {last} before it starts on {first}; swap the dates")
        self.first, self.last = first, last


def whole_days(first: date | None, last: date | None) -> tuple[datetime | None, datetime | None]:
    """The bounds of the days ``first`` through ``last`` as a search request takes them:
    published_at >= the first day's midnight and < the midnight after the last day (UTC)."""
    if first and last and last < first:
        raise ReversedPeriod(first, last)
    start = datetime(first.year, first.month, first.day, tzinfo=UTC) if first else None
    after = last + timedelta(days=1) if last else None
    end = datetime(after.year, after.month, after.day, tzinfo=UTC) if after else None
    return start, end
