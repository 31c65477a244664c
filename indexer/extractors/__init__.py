"""Extractors turn captures into Posts, one per collector, declared in one table.

``EXTRACTOR_MODULES`` maps the ``collector`` value of a capture's metadata record to the module
whose ``extract_posts(capture)`` reads it. ``extractor_for`` imports that module on first use.
"""

from __future__ import annotations

import importlib
from functools import cache

from indexer.extractors.base import Capture, Extractor

EXTRACTOR_MODULES: dict[str, str] = {
    "feed": "indexer.extractors.feed",
    "x": "indexer.extractors.x",
    "x_archive": "indexer.extractors.x_archive",
    "mastodon": "indexer.extractors.mastodon",
    "network": "indexer.extractors.network",
    "pleio": "indexer.extractors.pleio",
}


def has_extractor(collector: str) -> bool:
    """Whether captures made by ``collector`` give Posts (without importing its extractor)."""
    return collector in EXTRACTOR_MODULES


@cache
def extractor_for(collector: str) -> Extractor | None:
    """The extractor for captures made by ``collector``, or None if no extractor is declared."""
    module_name = EXTRACTOR_MODULES.get(collector)
    if module_name is None:
        return None
    module = importlib.import_module(module_name)
    extractor: Extractor = module.extract_posts
    return extractor


__all__ = ["EXTRACTOR_MODULES", "Capture", "Extractor", "extractor_for", "has_extractor"]
