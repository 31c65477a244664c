"""Bring the index's ``legal_hold`` marks in line with the catalogue's legal holds. A hold (or its
release) is recorded in the catalogue first and marked ``index_pending``; this marks or unmarks
its Posts in the index and then clears the flag. It runs wherever the index is written: right
after a hold is placed or released, at the start of every ``archiveren index`` run and the
scheduler's index job, and on a retry from the retention page. When the index cannot be written
(another process holds its writer) the holds simply stay pending; nothing is half done, since
marking the same Posts twice changes nothing."""

from __future__ import annotations

from sqlalchemy import select

from catalogue.retention import held_post_ids
from catalogue.schema import HeldPostRow, LegalHoldRow
from catalogue.store import Catalogue
from indexer.query_model import SearchBackend


def pending_holds(catalogue: Catalogue) -> list[int]:
    """Ids of the holds (placed or released) whose marks the index does not carry yet."""
    with catalogue.session() as session:
        return list(
            session.scalars(
                select(LegalHoldRow.id)
                .where(LegalHoldRow.index_pending.is_(True))
                .order_by(LegalHoldRow.id)
            )
        )


def apply_pending_holds(catalogue: Catalogue, backend: SearchBackend) -> int:
    """Mark or unmark the Posts of every pending hold in ``backend``; returns how many holds
    were applied. Raises the backend's error (IndexError_) when the index cannot be written;
    the holds then stay pending."""
    pending = pending_holds(catalogue)
    if not pending:
        return 0
    held = held_post_ids(catalogue)
    with catalogue.session() as session:
        covered = set(
            session.scalars(select(HeldPostRow.post_id).where(HeldPostRow.hold_id.in_(pending)))
        )
    to_mark = {post_id: post_id in held for post_id in covered}
    stored = backend.get_many(sorted(to_mark))
    changed = []
    for post_id, post in stored.items():
        if post.retention.legal_hold != to_mark[post_id]:
            post.retention = post.retention.model_copy(update={"legal_hold": to_mark[post_id]})
            changed.append(post)
    if changed:
        backend.index_posts(changed)
    with catalogue.session() as session:
        for hold in session.scalars(select(LegalHoldRow).where(LegalHoldRow.id.in_(pending))):
            hold.index_pending = False
    return len(pending)
