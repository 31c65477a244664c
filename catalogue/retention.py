"""Which Posts the catalogue keeps out of destruction (legal holds) and out of the index (destroyed
ones): asked by the indexer for every batch and by the retention workflow."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select

from catalogue.schema import DestroyedPostRow, HeldPostRow, LegalHoldRow

if TYPE_CHECKING:
    from catalogue.store import Catalogue


def held_post_ids(catalogue: Catalogue) -> set[str]:
    with catalogue.session() as session:
        active = (
            select(HeldPostRow.post_id)
            .join(LegalHoldRow, LegalHoldRow.id == HeldPostRow.hold_id)
            .where(LegalHoldRow.released_at.is_(None))
        )
        return set(session.scalars(active))


def destroyed_post_ids(catalogue: Catalogue) -> set[str]:
    with catalogue.session() as session:
        return set(session.scalars(select(DestroyedPostRow.post_id)))


def is_held(catalogue: Catalogue, post_id: str) -> bool:
    """Whether an active legal hold covers ``post_id``."""
    with catalogue.session() as session:
        query = (
            select(HeldPostRow.post_id)
            .join(LegalHoldRow, LegalHoldRow.id == HeldPostRow.hold_id)
            .where(LegalHoldRow.released_at.is_(None), HeldPostRow.post_id == post_id)
            .limit(1)
        )
        return session.scalar(query) is not None
