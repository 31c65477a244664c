"""Login throttling: failed logins are counted per account and per client address; past a few
free failures every further one locks that account or address for twice as long as the one
before (15 s, 30 s, 1 min … up to 15 minutes), and attempts during a lock are answered 429 with
Retry-After before any password is hashed, so a locked guesser costs neither CPU nor a chance
(the right password during a lock does not get in either). A lock is logged in the audit log
with the client address. A successful login clears its account's count; an address's count is
only forgotten an hour after its last failure, so one valid account cannot reset the count of
an address that guesses at others.

The counts live in the catalogue (table ``login_throttle``), not in memory: they survive a
restart of the UI, and several UI processes (uvicorn workers, or hosts sharing a PostgreSQL
catalogue) see one count, so adding processes does not multiply the guesses allowed. A failure
is counted with one atomic upsert, which takes the database's write lock first, so concurrent
failures in several processes are all counted. Costs: one primary-key read per login attempt,
one write per failure.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, delete, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from catalogue.schema import LoginThrottleRow
from catalogue.store import Catalogue
from catalogue.usernames import canonical_username
from foundation.utc import utcnow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ThrottlePolicy:
    """How many failures are free, and how long locks get."""

    free_failures: int
    first_lock: timedelta = timedelta(seconds=15)
    longest_lock: timedelta = timedelta(minutes=15)
    forget_after: timedelta = timedelta(hours=1)

    def lock_after(self, failures: int) -> timedelta | None:
        """How long to lock after the ``failures``-th failure in a row (None: no lock yet)."""
        extra = failures - self.free_failures
        if extra < 0:
            return None
        return min(self.first_lock * (1 << min(extra, 30)), self.longest_lock)


ACCOUNT_POLICY = ThrottlePolicy(free_failures=5)
ADDRESS_POLICY = ThrottlePolicy(free_failures=20)
"""An address gets more free failures than an account: several people behind one office NAT
mistype their passwords independently."""


@dataclass(frozen=True)
class Lockout:
    """A lock that a failure has just set, for the audit log."""

    scope: str
    subject: str
    failures: int
    seconds: int


class LoginThrottle:
    def __init__(
        self,
        catalogue: Callable[[], Catalogue],
        account_policy: ThrottlePolicy = ACCOUNT_POLICY,
        address_policy: ThrottlePolicy = ADDRESS_POLICY,
    ) -> None:
        self._catalogue = catalogue
        self._policies = {"account": account_policy, "address": address_policy}

    def retry_after(self, username: str, address: str) -> int | None:
        """Seconds until this account and address may try again, or None when they may now."""
        keys = [_key("account", username), _key("address", address)]
        now = utcnow()
        with self._catalogue().session() as session:
            locks = session.scalars(
                select(LoginThrottleRow.locked_until).where(LoginThrottleRow.key.in_(keys))
            )
            waits = [(_aware(until) - now).total_seconds() for until in locks if until is not None]
        longest = max(waits, default=0.0)
        return math.ceil(longest) if longest > 0 else None

    def failed(self, username: str, address: str) -> list[Lockout]:
        """Count a failed login against the account and the address; the locks it set. Counts
        that ran out are forgotten here, so names sprayed by a guesser do not pile up."""
        self._forget_old_counts()
        lockouts = []
        for scope, subject in (("account", username), ("address", address)):
            failures, lock = self._count_failure(scope, subject)
            if lock is not None:
                seconds = math.ceil(lock.total_seconds())
                lockouts.append(Lockout(scope, subject, failures, seconds))
                log.warning(
                    "login %s %r locked for %d s after %d failures",
                    scope,
                    subject,
                    seconds,
                    failures,
                )
        return lockouts

    def succeeded(self, username: str) -> None:
        """A right password outside a lock: the account starts afresh."""
        with self._catalogue().session() as session:
            row = session.get(LoginThrottleRow, _key("account", username))
            if row is not None:
                session.delete(row)

    def _forget_old_counts(self) -> None:
        now = utcnow()
        oldest = now - max(policy.forget_after for policy in self._policies.values())
        with self._catalogue().session() as session:
            session.execute(
                delete(LoginThrottleRow).where(
                    LoginThrottleRow.last_failure_at < oldest,
                    or_(
                        LoginThrottleRow.locked_until.is_(None), LoginThrottleRow.locked_until < now
                    ),
                )
            )

    def _count_failure(self, scope: str, subject: str) -> tuple[int, timedelta | None]:
        policy = self._policies[scope]
        key = _key(scope, subject)
        now = utcnow()
        catalogue = self._catalogue()
        dialect = postgresql if catalogue.engine.dialect.name == "postgresql" else sqlite
        table = LoginThrottleRow.__table__
        upsert = dialect.insert(table).values(
            key=key, failures=1, last_failure_at=now, locked_until=None
        )
        upsert = upsert.on_conflict_do_update(
            index_elements=[table.c.key],
            set_={
                "failures": case(
                    (table.c.last_failure_at < now - policy.forget_after, 1),
                    else_=table.c.failures + 1,
                ),
                "last_failure_at": now,
            },
        ).returning(table.c.failures)
        with catalogue.session() as session:
            failures = int(session.execute(upsert).scalar_one())
            lock = policy.lock_after(failures)
            if lock is not None:
                session.execute(
                    update(LoginThrottleRow)
                    .where(LoginThrottleRow.key == key)
                    .values(locked_until=now + lock)
                )
        return failures, lock


def _key(scope: str, subject: str) -> str:
    if scope == "account":
        subject = canonical_username(subject).casefold()
    return f"{scope}:{subject}"[:300]


def _aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; the catalogue stores UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=utcnow().tzinfo)
