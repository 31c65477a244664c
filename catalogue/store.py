"""The catalogue: what archiveren knows about its sources, runs, WARC files, index progress,
users and audit trail. SQLAlchemy over SQLite in the data dir by default; a ``database_url``
switches it to PostgreSQL. Opening it runs any pending schema migration (Alembic)."""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, delete, event, func, inspect, select
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from catalogue.audit_chain import GENESIS, row_digest
from catalogue.schema import (
    AuditRow,
    IndexWatermarkRow,
    RunLockRow,
    RunRow,
    SessionRow,
    SourceRow,
    UserRow,
    WarcFileRow,
)
from catalogue.usernames import canonical_username, valid_username
from foundation.errors import CatalogueError
from foundation.host_name import host_name
from foundation.scrub import scrub_json, scrub_text
from foundation.utc import utcnow

MIGRATIONS = Path(__file__).with_name("migrations")


def default_database_url(data_dir: Path) -> str:
    return f"sqlite:///{(data_dir / 'catalogue.sqlite').resolve()}"


class Catalogue:
    """Typed access to the catalogue. One instance per process; safe to share between threads."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @classmethod
    def open(cls, data_dir: Path, database_url: str | None = None) -> Catalogue:
        url = database_url or default_database_url(data_dir)
        if url.startswith("sqlite"):
            data_dir.mkdir(parents=True, exist_ok=True)
        try:
            engine = create_engine(
                url,
                connect_args={"timeout": 30, "check_same_thread": False}
                if url.startswith("sqlite")
                else {},
            )
            if url.startswith("sqlite"):
                event.listen(engine, "connect", _sqlite_pragmas)
            catalogue = cls(engine)
            catalogue.migrate()
        except (SQLAlchemyError, ImportError, OSError) as exc:
            reason = str(exc.args[0] if exc.args else exc).replace(url, _redact(url))
            raise CatalogueError(
                f"cannot open the catalogue at {_redact(url)}: {exc.__class__.__name__}: {reason}"
            ) from None
        return catalogue

    def migrate(self) -> None:
        """Bring the schema to the newest revision. Alembic keeps global state, so migrations
        in one process run one at a time; an up-to-date catalogue costs one query."""
        alembic_config = AlembicConfig()
        alembic_config.set_main_option("script_location", str(MIGRATIONS))
        if self._current_revision() == _head_revision():
            return
        with _MIGRATION_LOCK, self._migrating_alone():
            if self._current_revision() == _head_revision():
                return  # another process migrated while this one waited
            with self.engine.begin() as connection:
                alembic_config.attributes["connection"] = connection
                command.upgrade(alembic_config, "head")

    @contextmanager
    def _migrating_alone(self) -> Iterator[None]:
        """Hold a lock that other processes opening the same catalogue respect, so two
        first-time `collect` runs do not both create the tables: a lock file beside an SQLite
        database, a session advisory lock on PostgreSQL."""
        url = self.engine.url
        if url.get_backend_name() == "sqlite":
            if not url.database or url.database == ":memory:":
                yield
                return
            with open(f"{url.database}.migrating", "a") as lock_file:
                fcntl.flock(lock_file, fcntl.LOCK_EX)
                try:
                    yield
                finally:
                    fcntl.flock(lock_file, fcntl.LOCK_UN)
            return
        if url.get_backend_name() == "postgresql":
            with self.engine.connect() as connection:
                connection.exec_driver_sql(f"SELECT pg_advisory_lock({_MIGRATION_LOCK_KEY})")
                connection.commit()
                try:
                    yield
                finally:
                    connection.exec_driver_sql(f"SELECT pg_advisory_unlock({_MIGRATION_LOCK_KEY})")
                    connection.commit()
            return
        yield

    def _current_revision(self) -> str | None:
        if not inspect(self.engine).has_table("alembic_version"):
            return None
        return self.schema_revision()

    def schema_revision(self) -> str | None:
        with self.engine.connect() as connection:
            return connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()

    @contextmanager
    def session(self) -> Iterator[Session]:
        try:
            with self._sessions.begin() as session:
                yield session
        except OperationalError as exc:
            # a full disk, a lost server or a locked file: say so, not with a driver traceback
            raise CatalogueError(
                f"catalogue {self.engine.url.render_as_string(hide_password=True)}: {exc.orig}; "
                "if the disk is full, free space and run again"
            ) from exc

    def close(self) -> None:
        self.engine.dispose()

    # sources and their collector state

    def source_state(self, source_name: str) -> dict[str, Any]:
        """The collector's state of a source (without what the indexer keeps beside it)."""
        with self.session() as session:
            row = session.get(SourceRow, source_name)
            state = dict(row.state) if row else {}
        state.pop(INDEXER_STATE_KEY, None)
        return state

    def save_source_state(
        self, source_name: str, state: Mapping[str, Any], source_type: str = ""
    ) -> None:
        self._ensure_source_row(source_name, source_type)
        with _SOURCE_STATE_LOCK, self.session() as session:
            row = session.get(SourceRow, source_name, with_for_update=True)
            assert row is not None  # rows of sources are never deleted
            kept = row.state.get(INDEXER_STATE_KEY)
            row.state = dict(state) | ({INDEXER_STATE_KEY: kept} if kept is not None else {})
            row.updated_at = utcnow()
            if source_type:
                row.type = source_type

    def _ensure_source_row(self, source_name: str, source_type: str) -> None:
        """Make the source's row if there is none. A collector's first run and the indexer may
        both make it at once: the one that loses finds it made (no UNIQUE failure)."""
        with self.session() as session:
            if session.get(SourceRow, source_name) is not None:
                return
        try:
            with self.session() as session:
                session.add(
                    SourceRow(name=source_name, type=source_type, state={}, updated_at=utcnow())
                )
        except IntegrityError:
            pass  # made meanwhile by another process or thread

    def indexer_state(self) -> dict[str, dict[str, Any]]:
        """Per source, what the indexer recorded of it (catalogue.retention uses it)."""
        with self.session() as session:
            return {
                row.name: dict(row.state[INDEXER_STATE_KEY])
                for row in session.scalars(select(SourceRow))
                if isinstance(row.state.get(INDEXER_STATE_KEY), dict)
            }

    def save_indexer_state(self, source_name: str, value: Mapping[str, Any]) -> None:
        """Record ``value`` as the indexer's state of a source; its collector state is kept."""
        self._ensure_source_row(source_name, "")
        with _SOURCE_STATE_LOCK, self.session() as session:
            row = session.get(SourceRow, source_name, with_for_update=True)
            assert row is not None  # rows of sources are never deleted
            row.state = dict(row.state) | {INDEXER_STATE_KEY: dict(value)}

    # runs

    def start_run(self, source_name: str, source_type: str) -> int:
        with self.session() as session:
            run = RunRow(
                source=source_name,
                source_type=source_type,
                host=this_holder(),
                started_at=utcnow(),
                outcome="running",
                counts={},
                errors=[],
            )
            session.add(run)
            session.flush()
            return run.id

    def finish_run(
        self, run_id: int, outcome: str, counts: Mapping[str, int], errors: list[str]
    ) -> None:
        with self.session() as session:
            run = session.get(RunRow, run_id)
            if run is None:
                raise CatalogueError(f"run {run_id} is not in the catalogue")
            run.ended_at = utcnow()
            run.outcome = outcome
            run.counts = dict(counts)
            run.errors = [scrub_text(error) for error in errors]

    def runs(self, source_name: str | None = None, limit: int = 50) -> list[RunRow]:
        with self.session() as session:
            query = select(RunRow).order_by(RunRow.id.desc()).limit(limit)
            if source_name:
                query = query.where(RunRow.source == source_name)
            return list(session.scalars(query))

    def last_runs(self) -> dict[str, RunRow]:
        """The newest run of every source."""
        with self.session() as session:
            ran = RunRow.outcome != "skipped"
            newest = (
                select(RunRow.source, func.max(RunRow.id).label("id"))
                .where(ran)
                .group_by(RunRow.source)
                .subquery()
            )
            rows = session.scalars(select(RunRow).join(newest, RunRow.id == newest.c.id))
            return {row.source: row for row in rows}

    # run locks: one run per source (and one indexing run) at a time, across processes and hosts

    def acquire_run_lock(self, source_name: str, holder: str, stale_after_seconds: float) -> bool:
        """Take the lock ``source_name`` for ``holder``; False if another holder still has it.
        A lock is abandoned when its holder is a process on this host that is gone, or when
        its holder has not refreshed it (``refresh_run_lock``) for ``stale_after_seconds``."""
        now = utcnow()
        with self.session() as session:
            row = session.get(RunLockRow, source_name)
            if row is not None:
                if row.holder != holder and not _lock_abandoned(row, now, stale_after_seconds):
                    return False
                session.delete(row)
                session.flush()
        try:
            with self.session() as session:
                session.add(RunLockRow(source=source_name, holder=holder, acquired_at=now))
        except IntegrityError:
            return False
        return True

    def refresh_run_lock(self, source_name: str, holder: str) -> bool:
        """Show that ``holder`` is still at work; False if the lock is no longer its own."""
        with self.session() as session:
            row = session.get(RunLockRow, source_name)
            if row is None or row.holder != holder:
                return False
            row.acquired_at = utcnow()
            return True

    def run_lock(self, source_name: str) -> RunLockRow | None:
        with self.session() as session:
            return session.get(RunLockRow, source_name)

    def live_run_locks(self, prefix: str, stale_after_seconds: float) -> list[RunLockRow]:
        """The locks whose name starts with ``prefix`` and whose holder is not known to be gone
        (the same rule acquire_run_lock takes a lock over by)."""
        now = utcnow()
        with self.session() as session:
            rows = session.scalars(
                select(RunLockRow).where(RunLockRow.source.startswith(prefix, autoescape=True))
            ).all()
            return [row for row in rows if not _lock_abandoned(row, now, stale_after_seconds)]

    def release_run_lock(self, source_name: str, holder: str) -> None:
        with self.session() as session:
            row = session.get(RunLockRow, source_name)
            if row is not None and row.holder == holder:
                session.delete(row)

    def record_skipped_run(self, source_name: str, source_type: str, reason: str) -> None:
        """A planned run that did not happen, and why (it shows in the run history, not as the
        source's last outcome)."""
        now = utcnow()
        with self.session() as session:
            session.add(
                RunRow(
                    source=source_name,
                    source_type=source_type,
                    host=this_holder(),
                    started_at=now,
                    ended_at=now,
                    outcome="skipped",
                    counts={},
                    errors=[reason],
                )
            )

    def repair_stale_runs(self) -> list[RunRow]:
        """Runs still 'running' whose process is gone (killed, or its host lost it): marked
        'interrupted', so that status does not say 'running' until the source runs again."""
        repaired = []
        with self.session() as session:
            for run in session.scalars(select(RunRow).where(RunRow.outcome == "running")):
                lock = session.get(RunLockRow, run.source)
                if holder_alive(run.host) is False or (
                    holder_alive(run.host) is None and lock is None
                ):
                    run.outcome = "interrupted"
                    run.ended_at = utcnow()
                    run.errors = [
                        *run.errors,
                        f"the process that ran it ({run.host}) stopped before recording an outcome",
                    ]
                    repaired.append(run)
        return repaired

    def consecutive_failures(self, source_name: str, limit: int = 20) -> int:
        count = 0
        for run in self.runs(source_name, limit=limit):
            if run.outcome in ("running", "skipped"):
                continue
            if run.outcome != "failed":
                break
            count += 1
        return count

    # WARC files

    def register_warc(self, name: str, size: int, sha256: str, records: int = 0) -> None:
        """Record a closed WARC file; registering one already known updates it (so two
        processes registering one file, a run and a recovery, both succeed)."""
        for attempt in range(2):
            try:
                with self.session() as session:
                    row = session.get(WarcFileRow, name)
                    if row is None:
                        session.add(
                            WarcFileRow(
                                name=name,
                                size=size,
                                sha256=sha256,
                                records=records,
                                closed_at=utcnow(),
                                fixity_status="ok",
                            )
                        )
                    else:
                        row.size, row.sha256, row.records = size, sha256, records
                return
            except IntegrityError:
                if attempt:
                    raise

    def is_registered(self, warc_name: str) -> bool:
        with self.session() as session:
            return session.get(WarcFileRow, warc_name) is not None

    def warc_files(self) -> list[WarcFileRow]:
        with self.session() as session:
            return list(session.scalars(select(WarcFileRow).order_by(WarcFileRow.name)))

    def record_fixity(self, problems: list[str]) -> None:
        """After a verify: every listed file is 'ok' unless a problem names it."""
        with self.session() as session:
            for row in session.scalars(select(WarcFileRow)):
                row.fixity_status = (
                    "problem" if any(row.name in problem for problem in problems) else "ok"
                )
                row.fixity_checked_at = utcnow()

    # the indexer's watermark

    def watermarks(self) -> dict[str, tuple[int, bool]]:
        with self.session() as session:
            return {
                row.warc_name: (row.offset, row.complete)
                for row in session.scalars(select(IndexWatermarkRow))
            }

    def save_watermark(self, warc_name: str, offset: int, complete: bool) -> None:
        with self.session() as session:
            row = session.get(IndexWatermarkRow, warc_name)
            if row is None:
                session.add(
                    IndexWatermarkRow(
                        warc_name=warc_name, offset=offset, complete=complete, updated_at=utcnow()
                    )
                )
            else:
                row.offset, row.complete, row.updated_at = offset, complete, utcnow()

    def reset_watermarks(self) -> None:
        with self.session() as session:
            session.query(IndexWatermarkRow).delete()

    # users and their sessions

    def add_user(self, username: str, password_hash: str, role: str) -> UserRow:
        """A new account; the name must pass ``valid_username`` (UserNameError says why not)."""
        username = valid_username(username)
        with self.session() as session:
            for existing, deleted_at in session.execute(
                select(UserRow.username, UserRow.deleted_at)
            ):
                if existing.casefold() == username.casefold():
                    raise CatalogueError(
                        f"user {username!r} already exists"
                        + (f" (as {existing!r})" if existing != username else "")
                        + (
                            "; it was deleted, and a name in the audit log is never reused"
                            if deleted_at is not None
                            else ""
                        )
                    )
            user = UserRow(
                username=username, password_hash=password_hash, role=role, created_at=utcnow()
            )
            session.add(user)
            session.flush()
            return user

    def user(self, username: str) -> UserRow | None:
        """The account named ``username`` in its canonical (NFKC) form, or as stored."""
        names = {canonical_username(username), username}
        with self.session() as session:
            return session.scalars(
                select(UserRow).where(UserRow.username.in_(names)).order_by(UserRow.id)
            ).first()

    def users(self) -> list[UserRow]:
        with self.session() as session:
            return list(session.scalars(select(UserRow).order_by(UserRow.username)))

    def set_password_hash(self, username: str, password_hash: str) -> None:
        """A new password; every session of the user ends (they may have been someone else's)."""
        self._change_user(username, password_hash=password_hash)

    def set_role(self, username: str, role: str) -> None:
        """A new role; every session of the user ends, so none goes on with the old rights."""
        self._change_user(username, role=role)

    def set_disabled(self, username: str, disabled: bool) -> None:
        """Disable (ending every session) or enable an account."""
        self._change_user(username, disabled=disabled)

    def delete_user(self, username: str) -> None:
        """Delete an account: it can no longer log in and its sessions end, but its row stays as
        a tombstone, so the name in its audit rows is never given to another person."""
        self._change_user(username, disabled=True, password_hash="!deleted", deleted_at=utcnow())

    def _change_user(self, username: str, **changes: Any) -> None:
        found = self.user(username)
        if found is None or found.deleted_at is not None:
            raise CatalogueError(f"user {username!r} does not exist")
        with self.session() as session:
            user = session.get(UserRow, found.id)
            if user is None:
                raise CatalogueError(f"user {username!r} does not exist")
            for name, value in changes.items():
                setattr(user, name, value)
            session.execute(delete(SessionRow).where(SessionRow.user_id == user.id))

    def start_session(self, user_id: int, id_sha256: str, lifetime: timedelta) -> None:
        """Record a new session (and forget sessions that have expired)."""
        now = utcnow()
        with self.session() as session:
            session.execute(delete(SessionRow).where(SessionRow.expires_at < now))
            session.add(
                SessionRow(
                    id_sha256=id_sha256, user_id=user_id, created_at=now, expires_at=now + lifetime
                )
            )

    def session_user(self, id_sha256: str) -> UserRow | None:
        """The user of a live session, or None when it ended or expired."""
        with self.session() as session:
            query = (
                select(UserRow)
                .join(SessionRow, SessionRow.user_id == UserRow.id)
                .where(SessionRow.id_sha256 == id_sha256, SessionRow.expires_at > utcnow())
            )
            return session.scalar(query)

    def end_session(self, id_sha256: str) -> None:
        with self.session() as session:
            session.execute(delete(SessionRow).where(SessionRow.id_sha256 == id_sha256))

    # audit log

    def audit(self, username: str, action: str, **detail: Any) -> None:
        """Append a row to the audit log, chained to the row before it (catalogue.audit_chain)."""
        self.in_transaction(lambda session: append_audit(session, username, action, **detail))

    def in_transaction(self, work: Callable[[Session], T]) -> T:
        """Run ``work`` in one transaction, again from the start when another writer appended to
        the audit log between its read of the last row and its own append (``prev_sha256`` is
        unique, so two rows can never follow the same one): work that audits stays one
        transaction with its audit row."""
        for attempt in range(AUDIT_APPEND_ATTEMPTS):
            try:
                with self.session() as session:
                    return work(session)
            except IntegrityError as exc:
                if "prev_sha256" not in str(exc) or attempt == AUDIT_APPEND_ATTEMPTS - 1:
                    raise CatalogueError(
                        f"the catalogue refused a change: {exc.orig}; try again"
                    ) from None
        raise AssertionError("unreachable")

    def audit_log(
        self, action: str | None = None, limit: int = 100, since: datetime | None = None
    ) -> list[AuditRow]:
        with self.session() as session:
            query = select(AuditRow).order_by(AuditRow.id.desc()).limit(limit)
            if action:
                query = query.where(AuditRow.action == action)
            if since:
                query = query.where(AuditRow.at >= since)
            return list(session.scalars(query))


AUDIT_APPEND_ATTEMPTS = 100
INDEXER_STATE_KEY = "_indexer"
"""The key in a source's state that the indexer owns (the retention rule its Posts carry); a
collector never sees it and saving a collector's state keeps it."""

T = TypeVar("T")


def append_audit(session: Session, username: str, action: str, **detail: Any) -> None:
    """Append an audit row inside ``session``'s transaction (use Catalogue.in_transaction)."""
    content = scrub_json(_jsonable(detail))
    last = session.scalar(select(AuditRow.sha256).order_by(AuditRow.id.desc()).limit(1))
    previous = last or GENESIS
    at = utcnow()
    session.add(
        AuditRow(
            at=at,
            username=username,
            action=action,
            detail=content,
            prev_sha256=previous,
            sha256=row_digest(previous, at, username, action, content),
        )
    )
    session.flush()


_MIGRATION_LOCK = threading.Lock()
_SOURCE_STATE_LOCK = threading.Lock()
"""A source's row holds its collector's state and the indexer's, each written by reading the
row and writing it back: in one process (the scheduler's threads) one at a time; across
processes PostgreSQL's row lock (SELECT ... FOR UPDATE) keeps either from undoing the other."""
_MIGRATION_LOCK_KEY = 0x61726368  # 'arch': the advisory lock id of schema migrations


def this_holder() -> str:
    """How this process names itself as a run's host and a lock's holder: ``host:pid``."""
    return f"{host_name()}:{os.getpid()}"


def holder_alive(holder: str) -> bool | None:
    """Whether the process named ``host:pid`` still runs: known only for this host (None for
    another host, or a name of another shape)."""
    host, _, pid = holder.rpartition(":")
    if host != host_name() or not pid.isdigit():
        return None
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _lock_abandoned(row: RunLockRow, now: datetime, stale_after_seconds: float) -> bool:
    if holder_alive(row.holder) is False:
        return True
    refreshed = (
        row.acquired_at if row.acquired_at.tzinfo else row.acquired_at.replace(tzinfo=now.tzinfo)
    )
    return (now - refreshed).total_seconds() >= stale_after_seconds


@cache
def _head_revision() -> str | None:
    alembic_config = AlembicConfig()
    alembic_config.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(alembic_config).get_current_head()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _redact(url: str) -> str:
    """A database URL without its password, for messages."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        credentials, host = rest.rsplit("@", 1)
        user = credentials.split(":", 1)[0]
        return f"{scheme}://{user}:***@{host}"
    return url


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)
