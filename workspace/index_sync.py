"""Apply to the index, now, what the catalogue decided and the index does not show yet (legal
holds placed or released, destructions approved: indexer.index_marks). It takes the index lock,
so it never races ``archiveren index``, and writes with a backend of its own that it closes at
once, so this process never keeps tantivy's index writer. When another process writes the index
it returns False and the decisions stay pending for the next writer."""

from __future__ import annotations

import logging

from catalogue.locks import INDEX_LOCK, holding
from foundation.errors import ArchiverenError
from indexer.backends import make_backend
from indexer.index_marks import apply_pending
from workspace import Workspace

log = logging.getLogger("archiveren.index_sync")


def apply_now(ws: Workspace) -> bool:
    """True when nothing is left pending; False when the index is being written elsewhere."""
    config = ws.config(check_secrets=False)
    catalogue = ws.catalogue()
    try:
        with holding(
            catalogue,
            INDEX_LOCK,
            "applying legal holds and destructions to the index",
            stale_after_seconds=config.scheduler.lock_stale_seconds,
            heartbeat_thread=False,
        ):
            backend = make_backend(config.search, ws.data_dir)
            try:
                apply_pending(catalogue, backend)
            finally:
                backend.close()
    except ArchiverenError as exc:  # AlreadyRunning, or tantivy's writer held by another process
        log.info("left pending until the index is next written: %s", exc)
        return False
    return True
