"""The catalogue's tables (SQLAlchemy declarative models). Migrations in catalogue/migrations
create and change them; this module is their single description."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from foundation.utc import utcnow


class Base(DeclarativeBase):
    pass


class SourceRow(Base):
    """A source named in the config and its collector state (ETags, since-ids; never secrets)."""

    __tablename__ = "sources"
    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    type: Mapped[str] = mapped_column(String(40))
    state: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class RunRow(Base):
    """One collection run of one source."""

    __tablename__ = "runs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(200), index=True)
    source_type: Mapped[str] = mapped_column(String(40))
    host: Mapped[str] = mapped_column(String(200), default="")
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    outcome: Mapped[str] = mapped_column(String(20), default="running")
    counts: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    errors: Mapped[list[str]] = mapped_column(JSON, default=list)


class WarcFileRow(Base):
    """A closed WARC file with its fixity (SHA-256 and size at closing)."""

    __tablename__ = "warc_files"
    name: Mapped[str] = mapped_column(String(300), primary_key=True)
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    records: Mapped[int] = mapped_column(Integer, default=0)
    closed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    fixity_status: Mapped[str] = mapped_column(String(20), default="unchecked")
    fixity_checked_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), nullable=True
    )


class IndexWatermarkRow(Base):
    """How far the indexer has read each WARC file (byte offset of the next unread record)."""

    __tablename__ = "index_watermark"
    warc_name: Mapped[str] = mapped_column(String(300), primary_key=True)
    offset: Mapped[int] = mapped_column(Integer, default=0)
    complete: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class UserRow(Base):
    """A person who may use the UI: role archivist, compliance or admin."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(200), unique=True)
    password_hash: Mapped[str] = mapped_column(Text)
    role: Mapped[str] = mapped_column(String(20))
    disabled: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    """Set when the account was deleted: the row stays as a tombstone, so the name its audit
    rows carry is never given to someone else, and it can no longer log in."""


class SessionRow(Base):
    """A logged-in session. The cookie carries a random id; only its SHA-256 is kept here, so a
    copy of the catalogue opens no session. Deleting the row ends the session at once: logout
    ends one, a new password, a role change or disabling the account end all of the user's."""

    __tablename__ = "user_sessions"
    id_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class LoginThrottleRow(Base):
    """Failed logins counted per account (``account:NAME``) or per client address
    (``address:IP``), and until when further attempts are refused."""

    __tablename__ = "login_throttle"
    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class AuditRow(Base):
    """Who did what when: searches, record views, exports, logins, holds, deletions. Append-only
    and hash-chained (catalogue.audit_chain): ``prev_sha256`` is the digest of the row before,
    ``sha256`` this row's own."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    username: Mapped[str] = mapped_column(String(200), default="")
    action: Mapped[str] = mapped_column(String(40), index=True)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    prev_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True, unique=True)
    sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)


class LegalHoldRow(Base):
    """A legal hold: Posts matching the query are never destroyed while the hold is active."""

    __tablename__ = "legal_holds"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200))
    query: Mapped[dict[str, Any]] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    released_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    case_number: Mapped[str | None] = mapped_column(String(100), nullable=True)
    request_key: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    """Placing a hold again with the same key (a client token, or name and query) while it is
    active returns the hold already placed instead of a second one."""
    index_pending: Mapped[bool] = mapped_column(default=False)
    """The hold (or its release) is recorded but the index is not yet marked accordingly."""
    released_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    release_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    case_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    """The Woo case (``woo_cases``) the hold was placed for, when it names one that exists."""


class HeldPostRow(Base):
    """A Post id covered by a legal hold (resolved when the hold is placed)."""

    __tablename__ = "held_posts"
    hold_id: Mapped[int] = mapped_column(ForeignKey("legal_holds.id"), primary_key=True)
    post_id: Mapped[str] = mapped_column(String(400), primary_key=True)


class RunLockRow(Base):
    """One source being collected right now, by whom: no source runs twice at once, even across
    several scheduler processes or hosts sharing the catalogue."""

    __tablename__ = "run_locks"
    source: Mapped[str] = mapped_column(String(200), primary_key=True)
    holder: Mapped[str] = mapped_column(String(200))
    acquired_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class DestructionPlanRow(Base):
    """Step one of a destruction: the proposal, listed and waiting for its confirmation."""

    __tablename__ = "destruction_plans"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    token: Mapped[str] = mapped_column(String(64))
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    post_ids: Mapped[list[str]] = mapped_column(JSON)
    confirmed_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    basis: Mapped[str | None] = mapped_column(String(300), nullable=True)
    """The selectielijst and category the destruction rests on."""
    index_pending: Mapped[bool] = mapped_column(default=False)
    """Approved and recorded, but its Posts are not yet removed from the index."""


class DestroyedPostRow(Base):
    """A Post destroyed under a confirmed plan; the indexer never brings it back."""

    __tablename__ = "destroyed_posts"
    post_id: Mapped[str] = mapped_column(String(400), primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("destruction_plans.id"))
    destroyed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ExportJobRow(Base):
    """An export asked for in the UI or the API: queued, run by the UI server's export worker
    (``holder`` names the process running it), then done with its package's size and SHA-256,
    or failed with the reason."""

    __tablename__ = "export_jobs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    status: Mapped[str] = mapped_column(String(20), default="queued", index=True)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    fmt: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text)
    query: Mapped[str] = mapped_column(Text, default="")
    filters: Mapped[dict[str, list[str]]] = mapped_column(JSON, default=dict)
    case_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    excel: Mapped[bool] = mapped_column(Boolean, default=False)
    holder: Mapped[str | None] = mapped_column(String(200), nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    total: Mapped[int | None] = mapped_column(Integer, nullable=True)
    posts_done: Mapped[int] = mapped_column(Integer, default=0)
    bytes_done: Mapped[int] = mapped_column(BigInteger, default=0)
    path: Mapped[str | None] = mapped_column(Text, nullable=True)
    size: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)


class CaseRow(Base):
    """A Woo case (zaak): a request under the Wet open overheid and what it covers."""

    __tablename__ = "woo_cases"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    number: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    requester_reference: Mapped[str] = mapped_column(String(200), default="")
    received_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    deadline: Mapped[date | None] = mapped_column(Date, nullable=True)
    status: Mapped[str] = mapped_column(String(20), default="open")
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class CaseQueryRow(Base):
    """A search that defines part of a Woo case: query, filters and date range."""

    __tablename__ = "woo_case_queries"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("woo_cases.id"), index=True)
    query: Mapped[str] = mapped_column(Text, default="")
    filters: Mapped[dict[str, list[str]]] = mapped_column(JSON, default=dict)
    date_from: Mapped[date | None] = mapped_column(Date, nullable=True)
    date_to: Mapped[date | None] = mapped_column(Date, nullable=True)
    added_by: Mapped[str] = mapped_column(String(200))
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
