"""The generic reading of a page: main-content extraction with trafilatura.

Used for sites without a profile of their own, and for any page whose layout does not match its
site's profile, so such a page is still found by its words, title, author and date. Comments are
not told apart here: trafilatura cannot say who wrote which.
"""

from __future__ import annotations

import copy
from datetime import datetime

import trafilatura
from parsel import Selector

from platforms.dates import find_date
from platforms.profile import SiteProfile
from platforms.rules import ReadPage


def read_generic(
    profile: SiteProfile, page: Selector, url: str, captured_at: datetime
) -> ReadPage | None:
    """The page's main content, or None if trafilatura finds no text in it."""
    document = trafilatura.bare_extraction(
        copy.deepcopy(page.root),  # trafilatura prunes the tree it is given
        url=url,
        with_metadata=True,
        include_comments=False,
        include_links=False,
        favor_recall=True,
    )
    text = (getattr(document, "text", "") or "").strip() if document is not None else ""
    if not text:
        return None
    date_text = getattr(document, "date", "") or ""
    found = (
        find_date(date_text, captured_at=captured_at, timezone=profile.timezone)
        if date_text
        else None
    )
    tags = [tag.strip() for tag in (getattr(document, "tags", None) or []) if tag.strip()]
    return ReadPage(
        page_type="generic",
        kind="page",
        title=(getattr(document, "title", "") or "").strip(),
        author=(getattr(document, "author", "") or "").strip(),
        date=found,
        body=text,
        tags=tags,
        lang=(
            getattr(document, "language", "")
            or (page.xpath("/html/@lang").get() or "").split("-")[0]
        ).lower(),
    )
