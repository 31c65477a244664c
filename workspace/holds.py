"""Legal holds: place one on the Posts a search finds, list them with their counts, see what a
hold covers, release one with a reason.

Placing a hold is one catalogue transaction: the hold, the Post ids it covers and its audit row
are stored together, marked ``index_pending``. Then the index is marked, with a backend of its
own that is closed at once, so this process never keeps the index writer. When another process
holds the writer (``archiveren index``, the scheduler, ``demo``), the hold stays recorded and
pending and is applied by the next writer of the index (indexer.index_marks). Placing the same
hold again (the same client token, or the same name, query and filters) while it is active
returns the hold already placed, so a retry never adds a second one.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from catalogue.schema import HeldPostRow, LegalHoldRow
from catalogue.store import append_audit
from foundation.errors import ArchiverenError
from foundation.utc import utcnow
from indexer.query_model import SearchRequest
from workspace import Workspace
from workspace.hold_query import resolve as resolve_holds
from workspace.index_sync import apply_now

MAX_NAME = 200
MAX_CASE = 100


class HoldError(ArchiverenError):
    """A legal hold action was refused; the message says why."""


@dataclass(frozen=True)
class HoldOutcome:
    hold_id: int
    posts: int
    pending: bool
    """True when the index could not be marked yet (another process holds its writer)."""
    already_placed: bool = False


@dataclass(frozen=True)
class HoldSummary:
    id: int
    name: str
    reason: str
    case_number: str
    query: str
    filters: dict[str, list[str]]
    created_by: str
    created_at: datetime
    released_at: datetime | None
    released_by: str
    release_reason: str
    posts: int
    pending: bool

    @property
    def active(self) -> bool:
        return self.released_at is None


def everything(query: str = "", filters: dict[str, list[str]] | None = None) -> SearchRequest:
    return SearchRequest(
        query=query, filters=filters or {}, facets=[], date_histogram=None, highlight=False
    )


def request_key(name: str, query: str, filters: dict[str, list[str]], token: str = "") -> str:
    """What makes two requests the same hold: the client's token, else name, query and filters."""
    material = token or json.dumps([name, query, filters], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


def place_hold(
    ws: Workspace,
    *,
    name: str,
    query: str,
    filters: dict[str, list[str]],
    reason: str,
    user: str,
    case_number: str = "",
    token: str = "",
    case_id: int | None = None,
) -> HoldOutcome:
    """Put the Posts ``query`` and ``filters`` find on legal hold (see the module's docstring)."""
    name, reason, case_number = name.strip(), reason.strip(), case_number.strip()
    if not reason:
        raise HoldError("a legal hold needs a reason, e.g. 'rechtszaak 2026/031'")
    if not name or len(name) > MAX_NAME:
        raise HoldError(f"a legal hold needs a name of 1 to {MAX_NAME} characters")
    if len(case_number) > MAX_CASE:
        raise HoldError(f"a case number has at most {MAX_CASE} characters")
    key = request_key(name, query, filters, token)
    found = resolve_holds(ws.catalogue(), everything(query, filters))
    post_ids = sorted({post.id for post in ws.backend().scan(found)})

    def record(session: Session) -> HoldOutcome:
        existing = session.scalars(
            select(LegalHoldRow).where(
                LegalHoldRow.request_key == key, LegalHoldRow.released_at.is_(None)
            )
        ).first()
        if existing is not None:
            count = session.scalar(
                select(func.count())
                .select_from(HeldPostRow)
                .where(HeldPostRow.hold_id == existing.id)
            )
            return HoldOutcome(existing.id, int(count or 0), existing.index_pending, True)
        hold = LegalHoldRow(
            name=name,
            query={"query": query, "filters": filters},
            reason=reason,
            created_by=user,
            case_number=case_number or None,
            case_id=case_id,
            request_key=key,
            index_pending=True,
        )
        session.add(hold)
        session.flush()
        session.add_all(HeldPostRow(hold_id=hold.id, post_id=post_id) for post_id in post_ids)
        append_audit(
            session,
            user,
            "legal_hold",
            hold_id=hold.id,
            name=name,
            query=query,
            filters=filters,
            reason=reason,
            case_number=case_number,
            case_id=case_id,
            posts=len(post_ids),
        )
        return HoldOutcome(hold.id, len(post_ids), True)

    outcome = ws.catalogue().in_transaction(record)
    if outcome.pending:
        applied = apply_now(ws)
        outcome = HoldOutcome(outcome.hold_id, outcome.posts, not applied, outcome.already_placed)
    return outcome


def release_hold(ws: Workspace, hold_id: int, *, user: str, reason: str) -> HoldOutcome:
    """Release an active hold, with the reason why; its Posts stay held while another active
    hold covers them."""
    reason = reason.strip()
    if not reason:
        raise HoldError("releasing a legal hold needs a reason, e.g. 'zaak gesloten'")

    def record(session: Session) -> HoldOutcome:
        hold = session.get(LegalHoldRow, hold_id)
        if hold is None or hold.released_at is not None:
            raise HoldError(f"there is no active legal hold with id {hold_id}")
        hold.released_at = utcnow()
        hold.released_by, hold.release_reason, hold.index_pending = user, reason, True
        count = int(
            session.scalar(
                select(func.count()).select_from(HeldPostRow).where(HeldPostRow.hold_id == hold_id)
            )
            or 0
        )
        append_audit(
            session,
            user,
            "legal_hold_released",
            hold_id=hold_id,
            name=hold.name,
            case_number=hold.case_number or "",
            reason=reason,
            posts=count,
        )
        return HoldOutcome(hold_id, count, True)

    outcome = ws.catalogue().in_transaction(record)
    return HoldOutcome(hold_id, outcome.posts, not apply_now(ws))


def holds(ws: Workspace) -> list[HoldSummary]:
    """Every hold, active ones first, newest first, with how many Posts each covers."""
    with ws.catalogue().session() as session:
        counts = dict(
            session.execute(
                select(HeldPostRow.hold_id, func.count()).group_by(HeldPostRow.hold_id)
            ).all()
        )
        rows = list(session.scalars(select(LegalHoldRow).order_by(LegalHoldRow.id.desc())))
    summaries = [_summary(row, int(counts.get(row.id, 0))) for row in rows]
    return sorted(summaries, key=lambda hold: (not hold.active, -hold.id))


def hold(ws: Workspace, hold_id: int) -> HoldSummary:
    with ws.catalogue().session() as session:
        row = session.get(LegalHoldRow, hold_id)
        if row is None:
            raise HoldError(f"there is no legal hold with id {hold_id}")
        count = session.scalar(
            select(func.count()).select_from(HeldPostRow).where(HeldPostRow.hold_id == hold_id)
        )
    return _summary(row, int(count or 0))


def held_ids(ws: Workspace, hold_id: int) -> list[str]:
    """The Post ids a hold covers."""
    with ws.catalogue().session() as session:
        return sorted(
            session.scalars(select(HeldPostRow.post_id).where(HeldPostRow.hold_id == hold_id))
        )


def _summary(row: LegalHoldRow, posts: int) -> HoldSummary:
    query = row.query or {}
    return HoldSummary(
        id=row.id,
        name=row.name,
        reason=row.reason,
        case_number=row.case_number or "",
        query=str(query.get("query", "")),
        filters=dict(query.get("filters", {})),
        created_by=row.created_by,
        created_at=row.created_at,
        released_at=row.released_at,
        released_by=row.released_by or "",
        release_reason=row.release_reason or "",
        posts=posts,
        pending=row.index_pending,
    )
