"""Destruction under the selectielijst, by two people. A compliance officer proposes a list: the
Posts past their keep-until date and on no legal hold (optionally of one selectielijst
category), with why and on which basis. A different person with the compliance role approves
it; only then are the Posts removed from the index and recorded as destroyed, so no rebuild
brings them back (the WARC files are not rewritten). Posts that came under a hold since the
proposal are refused. Approval is recorded even while another process writes the index; the
Posts then leave the index with its next writer (indexer.index_marks). The result is a certificate (verklaring van vernietiging) saying what was
destroyed, when, by whose proposal, with whose approval and on which basis."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalogue.retention import held_post_ids
from catalogue.schema import DestroyedPostRow, DestructionPlanRow, HeldPostRow, LegalHoldRow
from catalogue.store import append_audit
from foundation.errors import ArchiverenError
from foundation.post import Post
from foundation.utc import utcnow
from workspace import Workspace
from workspace.holds import everything
from workspace.index_sync import apply_now


class DestructionError(ArchiverenError):
    """A destruction step was refused; the message says why."""


@dataclass(frozen=True)
class Plan:
    id: int
    created_by: str
    created_at: datetime
    reason: str
    basis: str
    post_ids: list[str]
    confirmed_by: str
    confirmed_at: datetime | None
    destroyed: list[str]
    pending: bool = False
    """Approved, but its Posts are still in the index (another process was writing it)."""

    @property
    def refused(self) -> list[str]:
        return [post_id for post_id in self.post_ids if post_id not in set(self.destroyed)]


def due_for_destruction(
    ws: Workspace, today: date | None = None, category: str = ""
) -> Iterator[Post]:
    """Posts past their keep-until date and on no legal hold: what a proposal may list."""
    today = today or datetime.now(UTC).date()
    held = held_post_ids(ws.catalogue())
    for post in ws.backend().scan(everything()):
        keep = post.retention.keep_until
        if (
            keep is not None
            and keep < today
            and not post.retention.legal_hold
            and post.id not in held
            and (not category or post.retention.category == category)
        ):
            yield post


def propose(
    ws: Workspace,
    *,
    user: str,
    reason: str,
    basis: str,
    category: str = "",
    today: date | None = None,
) -> Plan:
    """Step one: list what is due; nothing is deleted."""
    reason, basis = reason.strip(), basis.strip()
    if not reason or not basis:
        raise DestructionError(
            "a destruction proposal needs a reason and its basis (the selectielijst and category, "
            "e.g. 'Selectielijst gemeenten 2020, categorie 1.1')"
        )
    post_ids = [post.id for post in due_for_destruction(ws, today, category)]
    if not post_ids:
        raise DestructionError(
            "nothing is due for destruction" + (f" in category {category}" if category else "")
        )

    def record(session: Session) -> int:
        plan = DestructionPlanRow(
            token="",
            created_by=user,
            created_at=utcnow(),
            post_ids=post_ids,
            reason=reason,
            basis=basis,
        )
        session.add(plan)
        session.flush()
        append_audit(
            session,
            user,
            "destruction_planned",
            plan_id=plan.id,
            posts=len(post_ids),
            reason=reason,
            basis=basis,
            category=category,
        )
        return plan.id

    return plan(ws, ws.catalogue().in_transaction(record))


def approve(ws: Workspace, plan_id: int, *, user: str) -> Plan:
    """Step two, by another person: destroy the proposal's Posts that are not held now. The
    approval, the destroyed Posts and the audit row are one transaction; the Posts then leave
    the index at once, or, while another process writes it, with its next writer (the plan
    shows as pending meanwhile, and the record pages already answer that they were destroyed)."""
    current = plan(ws, plan_id)
    if current.confirmed_at is not None:
        raise DestructionError(
            f"destruction plan {plan_id} was already carried out on {current.confirmed_at:%Y-%m-%d}"
        )
    if current.created_by == user:
        raise DestructionError(
            f"{user} proposed destruction plan {plan_id}; it must be approved by someone else"
        )
    marked = ws.backend().get_many(current.post_ids)
    flagged = {post_id for post_id, post in marked.items() if post.retention.legal_hold}

    def record(session: Session) -> None:
        row = session.get(DestructionPlanRow, plan_id)
        if row is None or row.confirmed_at is not None:
            raise DestructionError(f"destruction plan {plan_id} was carried out meanwhile")
        held = set(
            session.scalars(
                select(HeldPostRow.post_id)
                .join(LegalHoldRow, LegalHoldRow.id == HeldPostRow.hold_id)
                .where(LegalHoldRow.released_at.is_(None))
                .where(HeldPostRow.post_id.in_(current.post_ids))
            )
        )
        to_destroy = [p for p in current.post_ids if p not in held and p not in flagged]
        now = utcnow()
        row.confirmed_by, row.confirmed_at, row.index_pending = user, now, True
        session.add_all(
            DestroyedPostRow(post_id=post_id, plan_id=plan_id, destroyed_at=now)
            for post_id in to_destroy
        )
        append_audit(
            session,
            user,
            "destruction_confirmed",
            plan_id=plan_id,
            proposed_by=current.created_by,
            destroyed=len(to_destroy),
            refused_held=[p for p in current.post_ids if p not in set(to_destroy)],
            basis=current.basis,
        )

    ws.catalogue().in_transaction(record)
    apply_now(ws)
    return plan(ws, plan_id)


def plans(ws: Workspace) -> list[Plan]:
    with ws.catalogue().session() as session:
        ids = list(
            session.scalars(select(DestructionPlanRow.id).order_by(DestructionPlanRow.id.desc()))
        )
    return [plan(ws, plan_id) for plan_id in ids]


def plan(ws: Workspace, plan_id: int) -> Plan:
    with ws.catalogue().session() as session:
        row = session.get(DestructionPlanRow, plan_id)
        if row is None:
            raise DestructionError(f"there is no destruction plan {plan_id}")
        destroyed = list(
            session.scalars(
                select(DestroyedPostRow.post_id).where(DestroyedPostRow.plan_id == plan_id)
            )
        )
    return Plan(
        id=row.id,
        created_by=row.created_by,
        created_at=row.created_at,
        reason=row.reason or "",
        basis=row.basis or "",
        post_ids=list(row.post_ids),
        confirmed_by=row.confirmed_by or "",
        confirmed_at=row.confirmed_at,
        destroyed=sorted(destroyed),
        pending=row.index_pending,
    )


@dataclass(frozen=True)
class Destroyed:
    post_id: str
    destroyed_at: datetime
    basis: str
    plan_id: int


def destroyed_record(ws: Workspace, post_id: str) -> Destroyed | None:
    """When and under which plan a Post was destroyed, or None."""
    with ws.catalogue().session() as session:
        row = session.get(DestroyedPostRow, post_id)
        if row is None:
            return None
        plan_row = session.get(DestructionPlanRow, row.plan_id)
        basis = (plan_row.basis if plan_row else "") or f"vernietigingslijst {row.plan_id}"
        return Destroyed(post_id, row.destroyed_at, basis, row.plan_id)


def certificate(current: Plan, organisation: str) -> str:
    """The verklaring van vernietiging as plain text (Dutch, as the records office files it)."""
    if current.confirmed_at is None:
        raise DestructionError(f"destruction plan {current.id} has not been carried out yet")
    lines = [
        "VERKLARING VAN VERNIETIGING",
        "",
        f"Organisatie:        {organisation or '-'}",
        f"Vernietigingslijst: {current.id}",
        f"Grondslag:          {current.basis}",
        f"Reden:              {current.reason}",
        f"Voorgesteld door:   {current.created_by} op {current.created_at:%Y-%m-%d %H:%M} UTC",
        f"Goedgekeurd door:   {current.confirmed_by} op {current.confirmed_at:%Y-%m-%d %H:%M} UTC",
        f"Vernietigd:         {len(current.destroyed)} records",
        f"Geweigerd (legal hold): {len(current.refused)} records",
        "",
        "Vernietigde records:",
        *(f"  {post_id}" for post_id in current.destroyed),
    ]
    if current.refused:
        lines += ["", "Niet vernietigd wegens legal hold:", *(f"  {p}" for p in current.refused)]
    lines += [
        "",
        "De records zijn uit de zoekindex verwijderd en worden bij herindexeren niet teruggezet.",
        "",
    ]
    return "\n".join(lines)
