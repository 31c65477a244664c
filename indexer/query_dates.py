"""Dates as a query writes them (``2021``, ``2021-03``, ``2021-03-05`` or a full ISO time) read
into the half-open UTC span they cover, clamped into the span every backend can hold, so
``published_at:9999-12-31`` or ``published_at:[0001-01-01 TO *]`` are answered, not a crash.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from indexer.query_limits import EARLIEST_DATE, LATEST_DATE, clamp_date


def date_span(text: str) -> tuple[datetime, datetime]:
    """The instant a written date begins and the instant its unit (year, month, day, second)
    ends, both clamped. Raises ValueError when ``text`` is not a date."""
    if len(text) == 4 and text.isdigit():
        start = datetime(int(text), 1, 1, tzinfo=UTC)
        return _clamped(start, lambda: start.replace(year=start.year + 1))
    if len(text) == 7 and text[4] == "-" and text[:4].isdigit() and text[5:].isdigit():
        start = datetime(int(text[:4]), int(text[5:]), 1, tzinfo=UTC)
        return _clamped(start, lambda: (start + timedelta(days=32)).replace(day=1))
    if len(text) == 10:
        start = datetime.fromisoformat(text).replace(tzinfo=UTC)
        return _clamped(start, lambda: start + timedelta(days=1))
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    elif moment.year <= EARLIEST_DATE.year or moment.year >= LATEST_DATE.year:
        # Converting a time near year 1 or 9999 to UTC can leave datetime's range; it is far
        # outside the span either way.
        moment = datetime(moment.year, 1, 1, tzinfo=UTC)
    else:
        moment = moment.astimezone(UTC)
    return _clamped(moment, lambda: moment + timedelta(seconds=1))


def _clamped(start: datetime, end_of_unit: Callable[[], datetime]) -> tuple[datetime, datetime]:
    # The end is computed only inside the span: the day after 9999-12-31 is no datetime.
    if start >= LATEST_DATE:
        return LATEST_DATE, LATEST_DATE
    return clamp_date(start), clamp_date(end_of_unit())
