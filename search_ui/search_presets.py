"""Named searches an archivist or compliance officer picks with one click; each is an ordinary
query (shown in the search box, so it can be read, changed and exported like any other) that
keeps the filters and dates already chosen. "Bewerkt of verwijderd" is the Woo view: choose the
accounts (author or source) and the period, then this preset lists what they published and
later edited or deleted; export it as a bag for its versions and MDTO events, or as CSV for a
row per record with its version dates and how it was found gone."""

from __future__ import annotations

SEARCH_PRESETS: tuple[tuple[str, str], ...] = (
    ("changed_or_deleted", "changed:true OR deleted:true"),
    ("changed", "changed:true"),
    ("deleted", "deleted:true"),
)
"""(message key under ``preset.``, query), in the order the search page offers them."""
