"""Retention on the command line acts for an account whose password is given, never for a name
typed after --user: a hold needs the account's password, and a destruction is approved only by
another account than the proposer's, with that account's password."""

from __future__ import annotations

import os
import subprocess
import sys

from search_ui.auth import hash_password
from workspace import Workspace, destruction

PASSWORDS = {"carla": "compliance-carla-1", "ad": "beheer-ad-wachtwoord"}


def cli(ws: Workspace, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARCHIVEREN_")}
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "archiveren",
            "--config",
            str(ws.config_path),
            "--data-dir",
            str(ws.data_dir),
            "retention",
            *args,
        ],
        input=stdin,
        stdin=None if stdin is not None else subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def with_accounts(ws: Workspace) -> Workspace:
    catalogue = ws.catalogue()
    catalogue.add_user("carla", hash_password(PASSWORDS["carla"]), "compliance")
    catalogue.add_user("ad", hash_password(PASSWORDS["ad"]), "admin")
    ws.backend().close()  # the fixture's writer; the command line must be able to write
    return ws


def test_a_hold_needs_the_password_of_the_account_it_is_placed_for(
    archived_workspace: Workspace,
) -> None:
    ws = with_accounts(archived_workspace)
    hold = ["hold", "deel 0", "--name", "woo", "--reason", "Woo-verzoek", "--case", "W-1"]
    free_text = cli(ws, *hold, "--user", "tweede_persoon", "--password-stdin", stdin="raden\n")
    assert free_text.returncode != 0 and "no enabled account" in free_text.stderr
    wrong = cli(ws, *hold, "--user", "carla", "--password-stdin", stdin="fout-wachtwoord\n")
    assert wrong.returncode != 0
    placed = cli(ws, *hold, "--user", "carla", "--password-stdin", stdin=PASSWORDS["carla"] + "\n")
    assert placed.returncode == 0, placed.stderr
    assert "legal hold 1: 1 records held" in placed.stdout
    listed = cli(ws, "holds").stdout
    assert "woo" in listed and "case W-1" in listed
    failed = [row.username for row in ws.catalogue().audit_log("login_failed")]
    assert failed == ["carla", "tweede_persoon"]


def test_destruction_is_refused_to_the_proposer_and_without_a_password(
    archived_workspace: Workspace,
) -> None:
    ws = with_accounts(archived_workspace)
    proposed = cli(
        ws,
        "plan-destruction",
        "--reason",
        "termijn verstreken",
        "--basis",
        "Selectielijst 2020, 1.1",
        "--user",
        "carla",
        "--password-stdin",
        stdin=PASSWORDS["carla"] + "\n",
    )
    assert proposed.returncode == 0, proposed.stderr
    [plan] = destruction.plans(ws)
    same = cli(
        ws,
        "destroy",
        "--plan",
        str(plan.id),
        "--user",
        "carla",
        "--password-stdin",
        stdin=PASSWORDS["carla"] + "\n",
    )
    assert same.returncode != 0 and "approved by someone else" in same.stderr
    no_password = cli(ws, "destroy", "--plan", str(plan.id), "--user", "ad")
    assert no_password.returncode != 0 and "no terminal" in no_password.stderr
    assert "Traceback" not in no_password.stderr
    assert destruction.plan(ws, plan.id).confirmed_at is None
    assert ws.backend().count() == 9
    done = cli(
        ws,
        "destroy",
        "--plan",
        str(plan.id),
        "--user",
        "ad",
        "--password-stdin",
        stdin=PASSWORDS["ad"] + "\n",
    )
    assert done.returncode == 0, done.stderr
    assert "destroyed 3 records" in done.stdout
    assert destruction.plan(ws, plan.id).confirmed_by == "ad"
