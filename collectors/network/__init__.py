"""Network sites (Ning-style communities, PBworks-style wikis, Elgg/Pleio) crawled with Scrapy.

``NetworkCollector`` is the collector the registry knows; ``collector`` runs each crawl in a
child process (``crawl``), where the ``SiteSpider`` walks the site and the
``WarcRecorderMiddleware`` archives every exchange as it came over the wire.
"""

from __future__ import annotations

from typing import Any

__all__ = ["NetworkCollector"]


def __getattr__(name: str) -> Any:
    # imported on first use: the crawl child process starts inside this package and needs
    # nothing of the parent's collector machinery (httpx, the catalogue), which is slow to load
    if name == "NetworkCollector":
        from collectors.network.collector import NetworkCollector

        return NetworkCollector
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
