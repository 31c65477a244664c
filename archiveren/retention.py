"""Retention under the selectielijst: the destruction proposal, legal holds, and destruction that
needs two explicit, logged steps and never touches a held record.

Posts carry a keep-until date (from their source's records category and retention period). A
legal hold pins the Posts a query finds; while it is active they are marked ``legal_hold`` in
the index and excluded from every destruction. Destruction removes Posts from the index and
records them as destroyed, so a rebuild never brings them back; WARC files are not rewritten.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import select

from catalogue.retention import held_post_ids
from catalogue.schema import (
    DestroyedPostRow,
    DestructionPlanRow,
    HeldPostRow,
    LegalHoldRow,
)
from foundation.errors import ArchiverenError
from foundation.post import Post
from foundation.utc import utcnow
from indexer.query_model import SearchRequest

if TYPE_CHECKING:
    from workspace import Workspace


class RetentionError(ArchiverenError):
    """A retention action was refused; the message says why."""


@dataclass(frozen=True)
class DestructionPlan:
    id: int
    token: str
    post_ids: list[str]


def _everything() -> SearchRequest:
    return SearchRequest(facets=[], date_histogram=None, highlight=False)


def due_for_destruction(ws: Workspace, today: date | None = None) -> Iterator[Post]:
    """Posts past their keep-until date and on no legal hold: the destruction proposal."""
    today = today or datetime.now(UTC).date()
    held = held_post_ids(ws.catalogue())
    for post in ws.backend().scan(_everything()):
        keep = post.retention.keep_until
        if (
            keep is not None
            and keep < today
            and not post.retention.legal_hold
            and post.id not in held
        ):
            yield post


def _mark_hold(ws: Workspace, post_ids: set[str], on_hold: bool) -> None:
    backend = ws.backend()
    changed = []
    for post_id in post_ids:
        post = backend.get(post_id)
        if post is not None and post.retention.legal_hold != on_hold:
            post.retention = post.retention.model_copy(update={"legal_hold": on_hold})
            changed.append(post)
    if changed:
        backend.index_posts(changed)


def place_hold(
    ws: Workspace, *, name: str, query: str, filters: dict[str, list[str]], reason: str, user: str
) -> tuple[int, int]:
    """Put the Posts ``query`` finds on legal hold; returns (hold id, number of Posts)."""
    if not reason.strip():
        raise RetentionError("a legal hold needs a reason, e.g. 'rechtszaak 2026/031'")
    request = _everything().model_copy(update={"query": query, "filters": filters})
    post_ids = {post.id for post in ws.backend().scan(request)}
    catalogue = ws.catalogue()
    with catalogue.session() as session:
        hold = LegalHoldRow(
            name=name,
            query={"query": query, "filters": filters},
            reason=reason,
            created_by=user,
            created_at=utcnow(),
        )
        session.add(hold)
        session.flush()
        session.add_all(HeldPostRow(hold_id=hold.id, post_id=post_id) for post_id in post_ids)
        hold_id = hold.id
    _mark_hold(ws, post_ids, True)
    catalogue.audit(
        user,
        "legal_hold",
        hold_id=hold_id,
        name=name,
        query=query,
        filters=filters,
        reason=reason,
        posts=len(post_ids),
    )
    return hold_id, len(post_ids)


def release_hold(ws: Workspace, hold_id: int, user: str) -> int:
    catalogue = ws.catalogue()
    with catalogue.session() as session:
        hold = session.get(LegalHoldRow, hold_id)
        if hold is None or hold.released_at is not None:
            raise RetentionError(f"there is no active legal hold with id {hold_id}")
        hold.released_at = utcnow()
        post_ids = set(
            session.scalars(select(HeldPostRow.post_id).where(HeldPostRow.hold_id == hold_id))
        )
    still_held = held_post_ids(catalogue)
    _mark_hold(ws, post_ids - still_held, False)
    catalogue.audit(user, "legal_hold_released", hold_id=hold_id, posts=len(post_ids))
    return len(post_ids)


def plan_destruction(ws: Workspace, user: str, today: date | None = None) -> DestructionPlan:
    """Step one: list what is due and not held; nothing is deleted."""
    post_ids = [post.id for post in due_for_destruction(ws, today)]
    token = secrets.token_hex(8)
    catalogue = ws.catalogue()
    with catalogue.session() as session:
        plan = DestructionPlanRow(
            token=token, created_by=user, created_at=utcnow(), post_ids=post_ids
        )
        session.add(plan)
        session.flush()
        plan_id = plan.id
    catalogue.audit(user, "destruction_planned", plan_id=plan_id, posts=len(post_ids))
    return DestructionPlan(plan_id, token, post_ids)


def confirm_destruction(
    ws: Workspace, plan_id: int, token: str, user: str
) -> tuple[int, list[str]]:
    """Step two: destroy the plan's Posts, refusing any that came under a hold since.
    Returns (number destroyed, ids refused because they are held)."""
    catalogue = ws.catalogue()
    with catalogue.session() as session:
        plan = session.get(DestructionPlanRow, plan_id)
        if plan is None:
            raise RetentionError(f"there is no destruction plan {plan_id}")
        if plan.confirmed_at is not None:
            raise RetentionError(
                f"destruction plan {plan_id} was already carried out on {plan.confirmed_at:%Y-%m-%d}"
            )
        if not secrets.compare_digest(plan.token, token):
            raise RetentionError(f"the confirmation code does not match destruction plan {plan_id}")
        if plan.created_by == user:
            raise RetentionError(
                "a destruction must be confirmed by someone other than who proposed it"
            )
        post_ids = list(plan.post_ids)
    held = held_post_ids(catalogue)
    backend = ws.backend()
    refused = [
        post_id
        for post_id in post_ids
        if post_id in held
        or ((post := backend.get(post_id)) is not None and post.retention.legal_hold)
    ]
    to_destroy = [post_id for post_id in post_ids if post_id not in set(refused)]
    backend.delete(to_destroy)
    with catalogue.session() as session:
        plan = session.get(DestructionPlanRow, plan_id)
        assert plan is not None
        plan.confirmed_by, plan.confirmed_at = user, utcnow()
        session.add_all(
            DestroyedPostRow(post_id=post_id, plan_id=plan_id, destroyed_at=utcnow())
            for post_id in to_destroy
        )
    catalogue.audit(
        user,
        "destruction_confirmed",
        plan_id=plan_id,
        destroyed=len(to_destroy),
        refused_held=refused,
    )
    return len(to_destroy), refused
