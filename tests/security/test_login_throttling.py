"""Login throttling over real HTTP: past a few free failures an account, and an address, is
locked for a growing time; attempts during a lock answer 429 with Retry-After and the right
password does not get in; guessing in parallel gains nothing; failed logins and locks are
audited with the client address; the lock ends by itself. (Issue 21, item 3.)"""

from __future__ import annotations

import math
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import httpx
from sqlalchemy import select

from catalogue.schema import LoginThrottleRow
from catalogue.store import Catalogue
from search_ui.auth import PASSWORD_CHECKS, SESSION_COOKIE
from search_ui.login_throttle import ACCOUNT_POLICY, ADDRESS_POLICY, LoginThrottle, ThrottlePolicy
from tests.fixtures.ui import ACCOUNTS
from tests.security.conftest import AccountSite, serve_accounts


def test_the_41st_guess_is_throttled_and_the_right_password_does_not_get_in(
    account_site: AccountSite,
) -> None:
    statuses = [account_site.log_in("admin", f"fout-{n}").status_code for n in range(40)]
    assert statuses[: ACCOUNT_POLICY.free_failures] == [401] * ACCOUNT_POLICY.free_failures
    assert statuses.count(429) >= 30, statuses
    right = account_site.log_in("admin")
    assert right.status_code == 429
    assert int(right.headers["retry-after"]) > 1
    assert SESSION_COOKIE not in right.cookies
    assert "too many failed logins" in right.json()["detail"]


def test_the_login_form_says_in_dutch_how_long_to_wait(account_site: AccountSite) -> None:
    username, _ = ACCOUNTS["archivist"]
    for n in range(ACCOUNT_POLICY.free_failures):
        account_site.log_in("archivist", f"fout-{n}")
    answer = httpx.post(
        account_site.base_url + "/login", data={"username": username, "password": "fout"}
    )
    assert answer.status_code == 429
    assert answer.headers["retry-after"].isdigit()
    assert "Te veel mislukte pogingen" in answer.text


def test_the_lock_ends_by_itself_and_a_success_starts_the_account_afresh(
    tmp_path: Path,
) -> None:
    brief = ThrottlePolicy(
        free_failures=ACCOUNT_POLICY.free_failures, first_lock=timedelta(seconds=1)
    )
    with serve_accounts(tmp_path, account_policy=brief) as site:
        for n in range(brief.free_failures):
            assert site.log_in("compliance", f"fout-{n}").status_code == 401
        locked = site.log_in("compliance")
        assert locked.status_code == 429
        assert locked.headers["retry-after"] == "1"
        time.sleep(1.2)
        assert site.log_in("compliance").status_code == 200
        assert site.log_in("compliance", "fout").status_code == 401, "the count was not reset"


def test_parallel_guessers_get_no_more_tries_than_one(account_site: AccountSite) -> None:
    def guess(n: int) -> int:
        return account_site.log_in("admin", f"fout-{n}").status_code

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(guess, range(40)))
    elapsed = time.monotonic() - started
    # locks double from the first: in `elapsed` seconds at most log2(elapsed / first + 1) ran out
    first = ACCOUNT_POLICY.first_lock.total_seconds()
    expired_locks = math.floor(math.log2(elapsed / first + 1))
    allowed = ACCOUNT_POLICY.free_failures + PASSWORD_CHECKS - 1 + expired_locks
    assert statuses.count(401) <= allowed, (elapsed, statuses)
    assert statuses.count(429) >= 40 - allowed


def test_one_address_guessing_at_many_accounts_is_locked(account_site: AccountSite) -> None:
    for n in range(ADDRESS_POLICY.free_failures):
        answer = httpx.post(
            account_site.base_url + "/login", json={"username": f"gok{n}", "password": "fout"}
        )
        assert answer.status_code == 401, n
    answer = account_site.log_in("archivist")
    assert answer.status_code == 429, "an address past its free failures was not locked"
    assert int(answer.headers["retry-after"]) >= 1


def test_failed_logins_and_locks_are_audited_with_the_client_address(
    account_site: AccountSite,
) -> None:
    username, _ = ACCOUNTS["admin"]
    for n in range(ACCOUNT_POLICY.free_failures):
        account_site.log_in("admin", f"fout-{n}")
    catalogue = account_site.ws.catalogue()
    failed = catalogue.audit_log(action="login_failed", limit=50)
    assert len(failed) == ACCOUNT_POLICY.free_failures
    assert {(row.username, row.detail["address"]) for row in failed} == {(username, "127.0.0.1")}
    (locked,) = catalogue.audit_log(action="login_locked")
    assert (locked.username, locked.detail["address"], locked.detail["scope"]) == (
        username,
        "127.0.0.1",
        "account",
    )
    assert locked.detail["seconds"] >= 1
    assert all("fout" not in str(row.detail) for row in [*failed, locked]), "a password was logged"


def test_counts_that_ran_out_are_forgotten(tmp_path: Path) -> None:
    catalogue = Catalogue.open(tmp_path)
    brief = ThrottlePolicy(free_failures=5, forget_after=timedelta(milliseconds=100))
    throttle = LoginThrottle(lambda: catalogue, account_policy=brief, address_policy=brief)
    throttle.failed("gok1", "192.0.2.7")
    time.sleep(0.2)
    throttle.failed("gok2", "192.0.2.7")
    with catalogue.session() as session:
        keys = set(session.scalars(select(LoginThrottleRow.key)))
    assert keys == {"account:gok2", "address:192.0.2.7"}
    with catalogue.session() as session:
        assert session.get(LoginThrottleRow, "address:192.0.2.7").failures == 1
