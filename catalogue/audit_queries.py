"""Reading the audit log: a filtered, paged listing (who, which action, from and to which day,
which case) for the audit page, its CSV export and ``archiveren audit``, and the whole chain in
id order for ``archiveren verify``."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy import Select, func, or_, select

from catalogue.audit_chain import ChainRow
from catalogue.schema import AuditRow

if TYPE_CHECKING:
    from catalogue.store import Catalogue

CHAIN_BATCH = 1000
T = TypeVar("T")


@dataclass(frozen=True)
class AuditFilter:
    """Which rows to list; empty parts do not filter."""

    username: str = ""
    action: str = ""
    date_from: date | None = None
    date_to: date | None = None
    case_number: str = ""

    def apply(self, query: Select[T]) -> Select[T]:
        if self.username:
            query = query.where(AuditRow.username == self.username)
        if self.action:
            query = query.where(AuditRow.action == self.action)
        if self.date_from:
            query = query.where(AuditRow.at >= _midnight(self.date_from))
        if self.date_to:
            query = query.where(AuditRow.at < _midnight(self.date_to + timedelta(days=1)))
        if self.case_number:
            query = query.where(
                or_(
                    AuditRow.detail["case_number"].as_string() == self.case_number,
                    AuditRow.detail["case"].as_string() == self.case_number,
                )
            )
        return query


def audit_page(
    catalogue: Catalogue, wanted: AuditFilter, offset: int = 0, limit: int = 50
) -> tuple[list[AuditRow], int]:
    """The newest rows first, one page of them, and how many rows match in all."""
    with catalogue.session() as session:
        total = session.scalar(wanted.apply(select(func.count(AuditRow.id))))
        rows = session.scalars(
            wanted.apply(select(AuditRow)).order_by(AuditRow.id.desc()).offset(offset).limit(limit)
        )
        return list(rows), int(total or 0)


def audit_rows(catalogue: Catalogue, wanted: AuditFilter) -> Iterator[AuditRow]:
    """Every matching row, oldest first, read in batches (for CSV and the command line)."""
    after = 0
    while True:
        with catalogue.session() as session:
            batch = list(
                session.scalars(
                    wanted.apply(select(AuditRow))
                    .where(AuditRow.id > after)
                    .order_by(AuditRow.id)
                    .limit(CHAIN_BATCH)
                )
            )
        yield from batch
        if len(batch) < CHAIN_BATCH:
            return
        after = batch[-1].id


def audit_actions(catalogue: Catalogue) -> list[str]:
    """The actions the log holds, for the filter's choices."""
    with catalogue.session() as session:
        return sorted(session.scalars(select(AuditRow.action).distinct()))


def chain_rows(catalogue: Catalogue) -> Iterator[ChainRow]:
    """The whole log in id order, as the chain check reads it."""
    for row in audit_rows(catalogue, AuditFilter()):
        yield ChainRow(
            id=row.id,
            at=row.at,
            username=row.username,
            action=row.action,
            detail=row.detail,
            prev_sha256=row.prev_sha256,
            sha256=row.sha256,
        )


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)
