"""Cells a spreadsheet would run as a formula, made inert (OWASP "CSV Injection").

Excel, LibreOffice Calc and Google Sheets read a cell that begins with ``=``, ``+``, ``-`` or
``@`` (or a tab, carriage return or line feed, or a NUL, before one of those) as a formula, so a
Post whose text is ``=HYPERLINK(...)`` or ``@SUM(1)`` would run in the compliance officer's
spreadsheet. Such a text cell gets a single quote in front, which the spreadsheet shows as text
and hides; the RFC 4180 quoting of the csv module keeps a separator or quote inside a cell from
opening a new one. Only text taken from Posts and sources is neutralised: numbers and ISO dates
archiveren writes itself never begin with one of these characters. The CSV is for reading; the
original values are in the JSON Lines listing and the WARC records.
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\0")
"""OWASP's list (``= + - @``, tab, carriage return) with line feed and NUL (OWASP ASVS 5.0,
1.2.10), which some spreadsheets skip before reading a formula."""

QUOTE = "'"


def neutralise(value: str) -> str:
    """``value`` with a single quote in front when a spreadsheet would read it as a formula."""
    return QUOTE + value if value.startswith(FORMULA_STARTS) else value
