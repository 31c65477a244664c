"""One meaning of a period everywhere: "van" (--from) and "tot en met" (--to) are whole days,
both included, in the UI, the API, `search` and `export`. A period that ends before it starts,
or a day outside the days archiveren can search (indexer/query_limits.py), is refused with a
message saying so, not answered with nothing or a crash."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from foundation.errors import QueryError
from indexer.query_limits import FIRST_DAY, LAST_DAY


class ReversedPeriod(QueryError):
    """The 'to' day lies before the 'from' day."""

    def __init__(self, first: date, last: date) -> None:
        super().__init__(f"the period ends on {last} before it starts on {first}; swap the dates")
        self.first, self.last = first, last


class DayOutOfRange(QueryError):
    """A from or to day outside FIRST_DAY..LAST_DAY; ``name`` is the parameter or option."""

    def __init__(self, name: str, day: date) -> None:
        super().__init__(
            f"{name} {day} is outside the dates archiveren can search; "
            f"use a date from {FIRST_DAY} to {LAST_DAY}"
        )
        self.name, self.day = name, day


def whole_days(
    first: date | None, last: date | None, names: tuple[str, str] = ("from", "to")
) -> tuple[datetime | None, datetime | None]:
    """The bounds of the days ``first`` through ``last`` as a search request takes them:
    published_at >= the first day's midnight and < the midnight after the last day (UTC).
    ``names`` are how the caller calls the two (``from``/``to``, ``--from``/``--to``)."""
    for day, name in ((first, names[0]), (last, names[1])):
        if day is not None and not FIRST_DAY <= day <= LAST_DAY:
            raise DayOutOfRange(name, day)
    if first and last and last < first:
        raise ReversedPeriod(first, last)
    start = datetime(first.year, first.month, first.day, tzinfo=UTC) if first else None
    after = last + timedelta(days=1) if last else None
    end = datetime(after.year, after.month, after.day, tzinfo=UTC) if after else None
    return start, end
