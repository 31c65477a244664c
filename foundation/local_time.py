"""Times as people read them: stored values stay UTC; what the UI, the CLI's text and the
readable parts of exports show is the local time of one zone (Europe/Amsterdam unless the config
says otherwise), with the zone's abbreviation, in the reader's language (Babel's calendars)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_date

DEFAULT_TIMEZONE = "Europe/Amsterdam"


@cache
def zone(name: str = DEFAULT_TIMEZONE) -> ZoneInfo:
    """The zone called ``name``; ValueError naming it when there is none."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r} (expected e.g. 'Europe/Amsterdam')") from None


def parse_moment(moment: datetime | date | str | None) -> datetime | date | None:
    """A datetime, a date or an ISO string (a WARC-Date, 'Z' allowed) as a value; None for an
    empty or unreadable one."""
    if moment is None or moment == "":
        return None
    if isinstance(moment, str):
        try:
            return datetime.fromisoformat(moment.replace("Z", "+00:00"))
        except ValueError:
            return None
    return moment


def local(moment: datetime, timezone: str = DEFAULT_TIMEZONE) -> datetime:
    """``moment`` in ``timezone``; a naive datetime is taken to be UTC, as stored."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(zone(timezone))


def local_text(
    moment: datetime | date | str | None,
    lang: str = "nl",
    *,
    with_time: bool = True,
    timezone: str = DEFAULT_TIMEZONE,
) -> str:
    """'20 feb 2014 15:16 CET' (nl) or '20 Feb 2014 15:16 CET' (en); only the day with
    ``with_time=False``; '–' for nothing. A date without a time is shown as it is."""
    value = parse_moment(moment)
    if value is None:
        return "–" if not moment else str(moment)
    if not isinstance(value, datetime):
        return format_date(value, "d MMM y", locale=lang)
    here = local(value, timezone)
    day = format_date(here.date(), "d MMM y", locale=lang)
    if not with_time:
        return day
    return f"{day} {here:%H:%M} {here.tzname()}"


def local_iso(moment: datetime | None, timezone: str = DEFAULT_TIMEZONE) -> str:
    """'2014-02-20 15:16 CET': the terminal's form (sortable, labelled); '-' for nothing."""
    if moment is None:
        return "-"
    here = local(moment, timezone)
    return f"{here:%Y-%m-%d %H:%M} {here.tzname()}"
