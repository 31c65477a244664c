"""Retention follows the config: when a source's retention rule (selectielijst category, years)
differs from the one its indexed Posts were given, the next plain `index` gives that source's
Posts the new category and keep-until date, without a rebuild and without touching other
sources. The rule each source's Posts carry is recorded in the catalogue (the indexer's part of
the source's state); a source never recorded is brought in line once. Legal holds stay as they
are; destroyed Posts are not in the index, so they stay gone."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from foundation.post import Post
from indexer.extraction import retention_under
from indexer.query_model import SearchBackend, SearchRequest

if TYPE_CHECKING:
    from catalogue.store import Catalogue
    from config.models import ArchiverenConfig

log = logging.getLogger("archiveren.indexer")
BATCH = 1000


def rule_of(source: Any) -> dict[str, Any]:
    """A source's retention rule as recorded: what a Post's retention is computed from."""
    return {"category": source.retention.category, "years": source.retention.years}


def changed_rules(config: ArchiverenConfig, catalogue: Catalogue) -> dict[str, dict[str, Any]]:
    """Sources whose Posts carry another rule than the config's (or none recorded yet)."""
    recorded = catalogue.indexer_state()
    return {
        source.name: rule_of(source)
        for source in config.sources
        if recorded.get(source.name, {}).get("retention") != rule_of(source)
    }


def follow_retention_rules(
    config: ArchiverenConfig, catalogue: Catalogue, backend: SearchBackend
) -> int:
    """Give the Posts of each source whose rule changed their new retention; the number of
    Posts updated. Each source's new rule is recorded once its Posts are written."""
    sources = {source.name: source for source in config.sources}
    updated = 0
    for name, rule in changed_rules(config, catalogue).items():
        count = 0
        batch: list[Post] = []
        for post in _posts_of(backend, name):
            new = retention_under(post, sources[name])
            if new != post.retention:
                post.retention = new
                batch.append(post)
            if len(batch) >= BATCH:
                count += backend.index_posts(batch)
                batch = []
        if batch:
            count += backend.index_posts(batch)
        catalogue.save_indexer_state(name, {"retention": rule})
        if count:
            log.info(
                "source %s: retention now category %r, %s: %d Posts updated",
                name,
                rule["category"],
                f"{rule['years']} years" if rule["years"] is not None else "kept permanently",
                count,
            )
        updated += count
    return updated


def record_rules(config: ArchiverenConfig, catalogue: Catalogue) -> None:
    """Record every source's rule as the one its Posts carry (after a rebuild made it so)."""
    for source in config.sources:
        catalogue.save_indexer_state(source.name, {"retention": rule_of(source)})


def _posts_of(backend: SearchBackend, source: str) -> Iterator[Post]:
    request = SearchRequest(
        filters={"source": [source]}, facets=[], date_histogram=None, highlight=False
    )
    return backend.scan(request)
