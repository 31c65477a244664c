"""URL joining that survives hostile markup: archived pages can carry hrefs that are no URL
at all (``http://[broken``), on which urllib raises."""

from __future__ import annotations

from urllib.parse import urljoin


def join_url(base: str, href: str) -> str:
    """``href`` made absolute against ``base``; "" when it cannot be read as a URL."""
    try:
        return urljoin(base, href.strip()) if href and href.strip() else ""
    except ValueError:
        return ""
