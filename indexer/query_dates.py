"""Dates as a query writes them (``2021``, ``2021-03``, ``2021-03-05`` or a full ISO time) read
into the half-open UTC span they cover. A date on a day outside FIRST_DAY..LAST_DAY
(indexer/query_limits.py) is refused with OutsideSearchableDays, so ``published_at:9999-12-31``
or ``published_at:[0001-01-01 TO *]`` get a message naming the span, not a crash or a clamp.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from indexer.query_limits import FIRST_DAY, LAST_DAY


class OutsideSearchableDays(ValueError):
    """A well-formed date on a day outside FIRST_DAY..LAST_DAY."""


def date_span(text: str) -> tuple[datetime, datetime]:
    """The instant a written date begins and the instant its unit (year, month, day, second)
    ends. Raises OutsideSearchableDays when its day (as written, before any UTC offset) is
    outside FIRST_DAY..LAST_DAY, ValueError when ``text`` is not a date."""
    if len(text) == 4 and text.isdigit():
        start = _searchable(datetime(int(text), 1, 1, tzinfo=UTC))
        return start, start.replace(year=start.year + 1)
    if len(text) == 7 and text[4] == "-" and text[:4].isdigit() and text[5:].isdigit():
        start = _searchable(datetime(int(text[:4]), int(text[5:]), 1, tzinfo=UTC))
        return start, (start + timedelta(days=32)).replace(day=1)
    if len(text) == 10:
        start = _searchable(datetime.fromisoformat(text).replace(tzinfo=UTC))
        return start, start + timedelta(days=1)
    moment = _searchable(datetime.fromisoformat(text.replace("Z", "+00:00")))
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return moment, moment + timedelta(seconds=1)


def _searchable(moment: datetime) -> datetime:
    # Checked before any arithmetic: the span leaves room for a year's end and a UTC offset.
    if not FIRST_DAY <= moment.date() <= LAST_DAY:
        raise OutsideSearchableDays(moment.date().isoformat())
    return moment
