"""Dates as network sites print them, Dutch, English or German, found inside a line of text.

Ning writes "Reactie van NAME op 20 Februari 2014 op 15.16" or "February 20, 2014 at 3:16pm",
PBworks "said at 6:28 pm on Jul 15, 2009" and "last edited by NAME 12 years, 6 months ago",
Elgg "3 jaar geleden" next to an ISO ``datetime`` attribute, German WordPress themes "20. März 2014
um 15:16 Uhr" or "vor 3 Tagen". ``find_date`` finds the first date
in such a line: an absolute one is read in the site's time zone and returned in UTC; a relative
one is resolved against the capture time and marked approximate, because "12 years ago" only
says roughly when.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta


@dataclass(frozen=True)
class FoundDate:
    """A date read from text: the moment in UTC, and whether it was resolved from a relative date."""

    value: datetime
    approximate: bool = False


_MONTHS = {
    "januari": 1, "january": 1, "januar": 1, "jänner": 1, "jan": 1,
    "februari": 2, "february": 2, "februar": 2, "feb": 2,
    "maart": 3, "march": 3, "märz": 3, "maerz": 3, "mrt": 3, "mar": 3, "mär": 3,
    "april": 4, "apr": 4,
    "mei": 5, "may": 5, "mai": 5,
    "juni": 6, "june": 6, "jun": 6,
    "juli": 7, "july": 7, "jul": 7,
    "augustus": 8, "august": 8, "aug": 8,
    "september": 9, "sept": 9, "sep": 9,
    "oktober": 10, "october": 10, "okt": 10, "oct": 10,
    "november": 11, "nov": 11,
    "december": 12, "dezember": 12, "dec": 12, "dez": 12,
}  # fmt: skip
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_YEAR = r"(?P<year>\d{4})"
# "20 Februari 2014" (Dutch, British), "20. Februar 2014" (German) and "Feb 20, 2014" /
# "February 20th 2014" (American)
_DAY_MONTH_YEAR = re.compile(
    r"\b(?P<day>\d{1,2})(?:st|nd|rd|th|e|\.)?\s+" + _MONTH + r",?\s+" + _YEAR + r"\b", re.I
)
_MONTH_DAY_YEAR = re.compile(
    r"\b" + _MONTH + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?,?\s+" + _YEAR + r"\b", re.I
)
_ISO = re.compile(
    r"\b(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})(?:[T ](?P<hour>\d{2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:\.\d+)?)?(?P<tz>Z|[+-]\d{2}:?\d{2})?)?"
)
_NUMERIC = re.compile(r"\b(?P<a>\d{1,2})[-/.](?P<b>\d{1,2})[-/.](?P<year>\d{4})\b")
# "15.16", "15:16", "3:16pm", "6:28 pm", "15:16:05"
_TIME = re.compile(
    r"(?<![\d.:])(?P<hour>\d{1,2})[:.](?P<minute>\d{2})(?::(?P<second>\d{2}))?\s*(?P<ampm>[ap]\.?m\.?)?(?![\d])",
    re.I,
)

_UNITS = {
    "year": "years", "years": "years", "jaar": "years", "jaren": "years", "yr": "years", "yrs": "years",
    "jahr": "years", "jahre": "years", "jahren": "years",
    "month": "months", "months": "months", "maand": "months", "maanden": "months",
    "monat": "months", "monate": "months", "monaten": "months",
    "week": "weeks", "weeks": "weeks", "weken": "weeks", "woche": "weeks", "wochen": "weeks",
    "day": "days", "days": "days", "dag": "days", "dagen": "days",
    "tag": "days", "tage": "days", "tagen": "days",
    "hour": "hours", "hours": "hours", "uur": "hours", "uren": "hours",
    "stunde": "hours", "stunden": "hours",
    "minute": "minutes", "minutes": "minutes", "minuut": "minutes", "minuten": "minutes", "min": "minutes", "mins": "minutes",
    "second": "seconds", "seconds": "seconds", "seconde": "seconds", "seconden": "seconds", "sec": "seconds",
    "sekunde": "seconds", "sekunden": "seconds",
}  # fmt: skip
_WORD_NUMBERS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "een": 1,
    "één": 1,
    "twee": 2,
    "two": 2,
    "drie": 3,
    "three": 3,
    "einem": 1,
    "einer": 1,
    "zwei": 2,
    "drei": 3,
}
_QUANTITY = r"(?:\d+|an?|one|two|three|een|één|twee|drie|einem|einer|zwei|drei)"
_UNIT = r"(?:" + "|".join(sorted(_UNITS, key=len, reverse=True)) + r")"
_PART = re.compile(r"(?P<n>" + _QUANTITY + r")\s+(?P<unit>" + _UNIT + r")\b", re.I)
_PARTS = (
    r"(?P<parts>"
    + _QUANTITY
    + r"\s+"
    + _UNIT
    + r"(?:\s*(?:,|and|en|und)?\s*"
    + _QUANTITY
    + r"\s+"
    + _UNIT
    + r")*)"
)
# "12 years, 6 months ago", "3 dagen geleden" and German "vor 3 Tagen"
_RELATIVE = re.compile(
    _PARTS + r"\s+(?:ago|geleden)\b|\bvor\s+" + _PARTS.replace("<parts>", "<vor>") + r"\b", re.I
)
_DAY_WORDS = {
    "today": 0, "vandaag": 0, "heute": 0,
    "yesterday": 1, "gisteren": 1, "gestern": 1,
    "eergisteren": 2, "vorgestern": 2,
}  # fmt: skip
_DAY_WORD = re.compile(r"\b(?P<word>" + "|".join(_DAY_WORDS) + r")\b", re.I)
_JUST_NOW = re.compile(
    r"\b(?:just now|zojuist|zonet|moments ago|enkele ogenblikken geleden|gerade eben)\b", re.I
)
DATE_START = re.compile(
    r"\s*(?:\d|(?:" + "|".join(sorted([*_MONTHS, *_DAY_WORDS], key=len, reverse=True)) + r")\b"
    r"|" + _QUANTITY + r"\s+" + _UNIT + r"\b|about\b|vor\b|just now|zojuist)",
    re.I,
)
"""Where a date starts: a digit, a month or day word, or a relative quantity ("an hour")."""


def find_date(
    text: str, *, captured_at: datetime, timezone: str = "Europe/Amsterdam", dayfirst: bool = True
) -> FoundDate | None:
    """The first date in ``text``, or None. Absolute dates without a zone are read in
    ``timezone``; relative ones ("12 years, 6 months ago", "3 dagen geleden", "gisteren om
    10:12") count back from ``captured_at`` and come back approximate."""
    if not text:
        return None
    text = " ".join(text.split())
    zone = ZoneInfo(timezone)
    found = _absolute(text, zone, dayfirst)
    if found is not None:
        return found
    return _relative(text, captured_at, zone)


def _absolute(text: str, zone: ZoneInfo, dayfirst: bool) -> FoundDate | None:
    iso = _ISO.search(text)
    if iso and iso.group("hour") is not None:
        return _from_iso(iso, zone)
    for pattern in (_DAY_MONTH_YEAR, _MONTH_DAY_YEAR):
        match = pattern.search(text)
        if match:
            month = _MONTHS[match.group("month").lower()]
            return _at(int(match.group("year")), month, int(match.group("day")), text, match, zone)
    numeric = _NUMERIC.search(text)
    if numeric:
        a, b = int(numeric.group("a")), int(numeric.group("b"))
        day, month = (a, b) if dayfirst else (b, a)
        return _at(int(numeric.group("year")), month, day, text, numeric, zone)
    if iso:
        return _from_iso(iso, zone)
    return None


def _from_iso(match: re.Match[str], zone: ZoneInfo) -> FoundDate | None:
    try:
        moment = datetime(
            int(match.group("year")),
            int(match.group("month")),
            int(match.group("day")),
            int(match.group("hour") or 0),
            int(match.group("minute") or 0),
            int(match.group("second") or 0),
        )
    except ValueError:
        return None
    tz = match.group("tz")
    if tz:
        offset = datetime.strptime("+0000" if tz == "Z" else tz.replace(":", ""), "%z").tzinfo
        return FoundDate(moment.replace(tzinfo=offset).astimezone(UTC))
    return FoundDate(moment.replace(tzinfo=zone).astimezone(UTC))


def _at(
    year: int, month: int, day: int, text: str, date_match: re.Match[str], zone: ZoneInfo
) -> FoundDate | None:
    """The date with the time printed next to it (after it, else before it), or midnight."""
    hour, minute, second = _time_near(text, date_match) or (0, 0, 0)
    try:
        moment = datetime(year, month, day, hour, minute, second, tzinfo=zone)
    except ValueError:
        return None
    return FoundDate(moment.astimezone(UTC))


def _time_near(text: str, date_match: re.Match[str]) -> tuple[int, int, int] | None:
    after = _TIME.search(text, date_match.end())
    if after is None:
        after = _TIME.search(text[: date_match.start()])
    if after is None:
        return None
    hour, minute = int(after.group("hour")), int(after.group("minute"))
    ampm = (after.group("ampm") or "").lower().replace(".", "")
    if ampm == "pm" and hour < 12:
        hour += 12
    elif ampm == "am" and hour == 12:
        hour = 0
    if hour > 23 or minute > 59:
        return None
    return hour, minute, int(after.group("second") or 0)


def _relative(text: str, captured_at: datetime, zone: ZoneInfo) -> FoundDate | None:
    anchor = captured_at if captured_at.tzinfo else captured_at.replace(tzinfo=UTC)
    match = _RELATIVE.search(text)
    if match:
        amounts = dict.fromkeys(
            ("years", "months", "weeks", "days", "hours", "minutes", "seconds"), 0
        )
        for part in _PART.finditer(match.group("parts") or match.group("vor")):
            quantity = part.group("n").lower()
            amounts[_UNITS[part.group("unit").lower()]] += (
                int(quantity) if quantity.isdigit() else _WORD_NUMBERS[quantity]
            )
        delta = relativedelta(
            years=amounts["years"],
            months=amounts["months"],
            weeks=amounts["weeks"],
            days=amounts["days"],
            hours=amounts["hours"],
            minutes=amounts["minutes"],
            seconds=amounts["seconds"],
        )
        return FoundDate((anchor - delta).astimezone(UTC), approximate=True)
    if _JUST_NOW.search(text):
        return FoundDate(anchor.astimezone(UTC), approximate=True)
    word = _DAY_WORD.search(text)
    if word:
        local = anchor.astimezone(zone) - timedelta(days=_DAY_WORDS[word.group("word").lower()])
        clock = _time_near(text, word)
        if clock is not None:
            local = local.replace(hour=clock[0], minute=clock[1], second=clock[2], microsecond=0)
        return FoundDate(local.astimezone(UTC), approximate=True)
    return None
