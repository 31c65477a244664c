"""Woo cases (zaken) as the catalogue keeps them: opened with a number, a title, the requester's
reference and the dates it runs between; the searches that define what it covers, added one at
a time from any search; closed and reopened. Every change is one transaction with its audit
row, and each of those rows carries the case's number (``case_number``), so the audit log can
be read per case."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalogue.schema import CaseQueryRow, CaseRow
from catalogue.store import append_audit
from foundation.errors import ArchiverenError
from foundation.utc import utcnow

if TYPE_CHECKING:
    from catalogue.store import Catalogue

MAX_NUMBER = 100
MAX_TITLE = 300
MAX_REFERENCE = 200
CASE_STATUSES: tuple[str, ...] = ("open", "closed")


class CaseError(ArchiverenError):
    """A Woo case could not be opened or changed; the message says what to fix. The UI shows
    it in the page's language by ``message_key`` (``case.*`` in its message files), filled in
    with ``message_values``."""

    def __init__(self, message: str, key: str, **values: object) -> None:
        super().__init__(message)
        self.message_key = key
        self.message_values = values


class CaseNotFound(CaseError):
    """No case has this id; answered with 404."""


@dataclass(frozen=True)
class NewCase:
    """What opening a case takes; ``check`` says what is missing or wrong."""

    number: str
    title: str
    requester_reference: str = ""
    received_on: date | None = None
    deadline: date | None = None

    def check(self) -> NewCase:
        number, title = " ".join(self.number.split()), " ".join(self.title.split())
        if not number or len(number) > MAX_NUMBER:
            raise CaseError(
                f"a case needs a number of 1 to {MAX_NUMBER} characters, e.g. 'Woo 2026-114'",
                "case.number_needed",
                max=MAX_NUMBER,
            )
        if not title or len(title) > MAX_TITLE:
            raise CaseError(
                f"a case needs a title of 1 to {MAX_TITLE} characters",
                "case.title_needed",
                max=MAX_TITLE,
            )
        reference = self.requester_reference.strip()
        if len(reference) > MAX_REFERENCE:
            raise CaseError(
                f"the requester's reference has at most {MAX_REFERENCE} characters",
                "case.reference_too_long",
                max=MAX_REFERENCE,
            )
        if self.received_on and self.deadline and self.deadline < self.received_on:
            raise CaseError(
                f"the deadline {self.deadline} is before the day the request was received "
                f"({self.received_on})",
                "case.deadline_before",
                deadline=self.deadline,
                received=self.received_on,
            )
        return NewCase(number, title, reference, self.received_on, self.deadline)


@dataclass(frozen=True)
class CaseSearch:
    """A search as a case keeps it."""

    query: str
    filters: dict[str, list[str]]
    date_from: date | None = None
    date_to: date | None = None


def open_case(catalogue: Catalogue, new: NewCase, user: str) -> CaseRow:
    """Store a new open case (its number must be new) with its ``case_opened`` audit row."""
    wanted = new.check()

    def record(session: Session) -> CaseRow:
        taken = session.scalar(select(CaseRow.id).where(CaseRow.number == wanted.number))
        if taken is not None:
            raise CaseError(
                f"there is already a case numbered {wanted.number!r}; open that one",
                "case.number_taken",
                number=wanted.number,
            )
        row = CaseRow(
            number=wanted.number,
            title=wanted.title,
            requester_reference=wanted.requester_reference,
            received_on=wanted.received_on,
            deadline=wanted.deadline,
            status="open",
            created_by=user,
        )
        session.add(row)
        session.flush()
        append_audit(
            session,
            user,
            "case_opened",
            case_id=row.id,
            case_number=row.number,
            title=row.title,
            requester_reference=row.requester_reference,
            received_on=row.received_on,
            deadline=row.deadline,
        )
        return row

    return catalogue.in_transaction(record)


def add_search(catalogue: Catalogue, case_id: int, search: CaseSearch, user: str) -> CaseQueryRow:
    """Record ``search`` as part of what the case covers (audited as ``case_search_added``)."""

    def record(session: Session) -> CaseQueryRow:
        case = session.get(CaseRow, case_id)
        if case is None:
            raise CaseNotFound(f"there is no case with id {case_id}", "case.not_found", id=case_id)
        if case.status != "open":
            raise CaseError(
                f"case {case.number} is closed; reopen it to add a search",
                "case.closed",
                number=case.number,
            )
        row = CaseQueryRow(
            case_id=case_id,
            query=search.query,
            filters=search.filters,
            date_from=search.date_from,
            date_to=search.date_to,
            added_by=user,
        )
        session.add(row)
        session.flush()
        append_audit(
            session,
            user,
            "case_search_added",
            case_id=case_id,
            case_number=case.number,
            query=search.query,
            filters=search.filters,
            date_from=search.date_from,
            date_to=search.date_to,
        )
        return row

    return catalogue.in_transaction(record)


def set_status(catalogue: Catalogue, case_id: int, status: str, user: str) -> CaseRow:
    """Close or reopen a case (audited as ``case_closed`` or ``case_reopened``)."""
    if status not in CASE_STATUSES:
        raise CaseError(f"a case is open or closed, not {status!r}", "case.bad_status")

    def record(session: Session) -> CaseRow:
        case = session.get(CaseRow, case_id)
        if case is None:
            raise CaseNotFound(f"there is no case with id {case_id}", "case.not_found", id=case_id)
        case.status = status
        case.closed_at = utcnow() if status == "closed" else None
        action = "case_closed" if status == "closed" else "case_reopened"
        append_audit(session, user, action, case_id=case_id, case_number=case.number)
        return case

    return catalogue.in_transaction(record)


def cases(catalogue: Catalogue) -> list[CaseRow]:
    """Every case, open ones first, newest first."""
    with catalogue.session() as session:
        rows = list(session.scalars(select(CaseRow).order_by(CaseRow.id.desc())))
    return sorted(rows, key=lambda row: row.status != "open")


def case(catalogue: Catalogue, case_id: int) -> CaseRow:
    with catalogue.session() as session:
        row = session.get(CaseRow, case_id)
    if row is None:
        raise CaseNotFound(f"there is no case with id {case_id}", "case.not_found", id=case_id)
    return row


def case_searches(catalogue: Catalogue, case_id: int) -> list[CaseQueryRow]:
    with catalogue.session() as session:
        return list(
            session.scalars(
                select(CaseQueryRow)
                .where(CaseQueryRow.case_id == case_id)
                .order_by(CaseQueryRow.id)
            )
        )


def case_numbers(catalogue: Catalogue) -> dict[int, str]:
    """Case id -> number, for lists that name the case of each row."""
    with catalogue.session() as session:
        return {row.id: row.number for row in session.execute(select(CaseRow.id, CaseRow.number))}


def case_number(catalogue: Catalogue, case_id: int | None) -> str:
    """The number of the case ``case_id`` ('' for None or a case that does not exist)."""
    if case_id is None:
        return ""
    with catalogue.session() as session:
        row = session.get(CaseRow, case_id)
    return row.number if row else ""


def case_id_for(catalogue: Catalogue, number: str) -> int | None:
    """The id of the case numbered ``number``, if there is one."""
    if not number.strip():
        return None
    with catalogue.session() as session:
        return session.scalar(select(CaseRow.id).where(CaseRow.number == " ".join(number.split())))
