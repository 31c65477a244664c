"""Accounts on the command line: names are checked, a password is never asked of a missing
terminal (it is read from standard input or refused with what to do), users are disabled,
enabled, given another role and deleted, a deleted name stays in the audit log and is never
given out again, and ``verify`` names the first audit row whose hash chain is broken."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from catalogue.store import Catalogue

CONFIG = "organisation: Gemeente Deventer\nsources: []\n"


def cli(tmp_path: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    config = tmp_path / "sources.yaml"
    config.write_text(CONFIG, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARCHIVEREN_")}
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "archiveren",
            "--config",
            str(config),
            "--data-dir",
            str(tmp_path / "data"),
            *args,
        ],
        input=stdin,
        stdin=None if stdin is not None else subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )


def test_add_without_a_terminal_says_how_to_give_the_password(tmp_path: Path) -> None:
    refused = cli(tmp_path, "users", "add", "kees")
    assert refused.returncode != 0
    assert "Traceback" not in refused.stderr and "EOFError" not in refused.stderr
    assert "--password-stdin" in refused.stderr
    added = cli(tmp_path, "users", "add", "kees", "--password-stdin", stdin="kees-wachtwoord\n")
    assert added.returncode == 0, added.stderr
    assert "user kees added" in added.stdout


def test_names_with_spaces_are_refused_before_a_password_is_read(tmp_path: Path) -> None:
    result = cli(tmp_path, "users", "add", "Piet Jansen", "--password-stdin", stdin="x" * 10)
    assert result.returncode != 0 and "SPACE" in result.stderr
    assert "Traceback" not in result.stderr


def test_admin_disables_enables_changes_role_and_deletes_users(tmp_path: Path) -> None:
    for name, role in (("beheer", "admin"), ("kees", "archivist")):
        assert (
            cli(
                tmp_path,
                "users",
                "add",
                name,
                "--role",
                role,
                "--password-stdin",
                stdin="lang-wachtwoord\n",
            ).returncode
            == 0
        )
    assert cli(tmp_path, "users", "disable", "kees").returncode == 0
    assert cli(tmp_path, "users", "enable", "kees").returncode == 0
    assert cli(tmp_path, "users", "role", "kees", "compliance").returncode == 0
    deleted = cli(tmp_path, "users", "delete", "kees")
    assert deleted.returncode == 0, deleted.stderr
    listing = cli(tmp_path, "users", "list").stdout
    assert "kees" in listing and "deleted" in listing
    again = cli(tmp_path, "users", "add", "Kees", "--password-stdin", stdin="lang-wachtwoord\n")
    assert again.returncode != 0 and "never reused" in again.stderr
    catalogue = Catalogue.open(tmp_path / "data")
    actions = [
        (row.action, row.detail.get("user") or row.detail.get("new_user"))
        for row in catalogue.audit_log()
    ]
    assert ("user_deleted", "kees") in actions and ("user_added", "kees") in actions
    row = catalogue.user("kees")
    assert row is not None and row.disabled and row.deleted_at is not None
    catalogue.close()


def test_verify_names_the_first_audit_row_changed_behind_the_apps_back(tmp_path: Path) -> None:
    assert cli(tmp_path, "init").returncode == 0
    for name in ("anna", "bert", "carla"):
        cli(tmp_path, "users", "add", name, "--password-stdin", stdin="lang-wachtwoord\n")
    intact = cli(tmp_path, "verify")
    assert intact.returncode == 0, intact.stdout + intact.stderr
    assert "audit log: 3 rows, hash chain intact" in intact.stdout
    database = sqlite3.connect(tmp_path / "data" / "catalogue.sqlite")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        database.execute("UPDATE audit_log SET username = 'mallory' WHERE id = 2")
    # someone with the file itself drops the guard and edits a row
    database.execute("DROP TRIGGER audit_log_no_update")
    database.execute("UPDATE audit_log SET username = 'mallory' WHERE id = 2")
    database.commit()
    database.close()
    result = cli(tmp_path, "verify")
    assert result.returncode != 0
    assert "BROKEN at row 2" in result.stdout and "audit row 2" in result.stdout


def test_audit_prints_the_log_with_filters_and_as_csv(tmp_path: Path) -> None:
    for name in ("anna", "bert"):
        cli(tmp_path, "users", "add", name, "--password-stdin", stdin="lang-wachtwoord\n")
    printed = cli(tmp_path, "audit", "--action", "user_added").stdout
    assert "2 audit rows" in printed and "anna" in printed
    csv_text = cli(tmp_path, "audit", "--csv").stdout
    assert csv_text.splitlines()[0] == "id,at_utc,username,action,detail,prev_sha256,sha256"
    assert len(csv_text.splitlines()) == 3
