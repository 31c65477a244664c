"""Bring the index in line with what the catalogue decided: the ``legal_hold`` marks of its legal
holds, and the absence of the Posts of approved destructions. A hold (or its release) and an
approved destruction are recorded in the catalogue first and marked ``index_pending``; this
marks, unmarks or removes their Posts in the index and then clears the flag. It runs wherever
the index is written: right after the decision, at the start and end of every ``archiveren
index`` run (so the scheduler's index job too), and on a retry from the retention page. When the
index cannot be written (another process holds its writer) they simply stay pending; nothing is
half done, since marking or removing the same Posts twice changes nothing."""

from __future__ import annotations

from sqlalchemy import select

from catalogue.retention import held_post_ids
from catalogue.schema import DestroyedPostRow, DestructionPlanRow, HeldPostRow, LegalHoldRow
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


def pending_destructions(catalogue: Catalogue) -> list[int]:
    """Ids of the approved destruction plans whose Posts the index may still hold."""
    with catalogue.session() as session:
        return list(
            session.scalars(
                select(DestructionPlanRow.id)
                .where(DestructionPlanRow.index_pending.is_(True))
                .order_by(DestructionPlanRow.id)
            )
        )


def apply_pending_destructions(catalogue: Catalogue, backend: SearchBackend) -> int:
    """Remove the Posts of every pending destruction from ``backend``; how many plans."""
    pending = pending_destructions(catalogue)
    if not pending:
        return 0
    with catalogue.session() as session:
        destroyed = list(
            session.scalars(
                select(DestroyedPostRow.post_id).where(DestroyedPostRow.plan_id.in_(pending))
            )
        )
    backend.delete(destroyed)
    with catalogue.session() as session:
        for plan in session.scalars(
            select(DestructionPlanRow).where(DestructionPlanRow.id.in_(pending))
        ):
            plan.index_pending = False
    return len(pending)


def apply_pending(catalogue: Catalogue, backend: SearchBackend) -> int:
    """Every pending hold, release and destruction; how many were applied."""
    return apply_pending_destructions(catalogue, backend) + apply_pending_holds(catalogue, backend)
