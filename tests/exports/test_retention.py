"""Retention: the destruction proposal lists what is past its date and not held; a legal hold is
recorded once and marked in the index, also when another process holds the index writer;
destruction needs a second person and never touches a held record."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest

from catalogue.retention import held_post_ids
from indexer.index_marks import apply_pending_holds, pending_destructions, pending_holds
from workspace import Workspace, destruction, holds
from workspace.index_sync import apply_now

WRITER = """
import sys, time, tantivy
from indexer.backends.tantivy_backend import TantivyBackend
backend = TantivyBackend(sys.argv[1])
backend._get_writer()
print("holding", flush=True)
sys.stdin.readline()
"""


@pytest.fixture(autouse=True)
def reading_only(archived_workspace: Workspace) -> None:
    """The fixture wrote the index through the workspace's backend, which keeps tantivy's writer
    until closed (close keeps it readable); the UI and the command line only read through it."""
    archived_workspace.backend().close()


def marked(ws: Workspace, post_ids: set[str], on_hold: bool = True) -> bool:
    """Whether the index marks every one of ``post_ids`` so; another backend instance (holds are
    marked with one of their own) commits, and this one's reader follows within its watcher's
    delay, so look for up to five seconds."""
    deadline = time.monotonic() + 5
    while True:
        found = [ws.backend().get(post_id) for post_id in post_ids]
        if all(post is not None and post.retention.legal_hold == on_hold for post in found):
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)


def eventually(check: Callable[[], bool]) -> bool:
    deadline = time.monotonic() + 5
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def due_ids(ws: Workspace) -> set[str]:
    return {post.id for post in destruction.due_for_destruction(ws)}


@contextmanager
def another_process_writing(ws: Workspace) -> Iterator[None]:
    """A separate process that holds the tantivy index writer until the block ends."""
    child = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(ws.data_dir / "index")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "holding"
        yield
    finally:
        assert child.stdin is not None
        child.stdin.close()
        child.wait(timeout=30)


def hold(ws: Workspace, query: str = "deel 0 OR deel 1", **extra: str) -> holds.HoldOutcome:
    values = {"name": "rechtszaak", "reason": "rechtszaak 2026/031", "user": "carla"} | extra
    return holds.place_hold(ws, query=query, filters={}, **values)


def test_report_lists_posts_past_their_date(archived_workspace: Workspace) -> None:
    assert len(due_ids(archived_workspace)) == 3


def test_legal_hold_takes_posts_out_of_the_proposal_until_released(
    archived_workspace: Workspace,
) -> None:
    placed = hold(archived_workspace, case_number="ZAAK-2026-031")
    assert placed.posts >= 2 and not placed.pending
    assert len(due_ids(archived_workspace)) == 1
    held = held_post_ids(archived_workspace.catalogue())
    assert marked(archived_workspace, held)
    [summary] = holds.holds(archived_workspace)
    assert (summary.posts, summary.case_number, summary.active) == (
        placed.posts,
        "ZAAK-2026-031",
        True,
    )
    holds.release_hold(archived_workspace, placed.hold_id, user="carla", reason="zaak gesloten")
    assert marked(archived_workspace, held, on_hold=False)
    assert len(due_ids(archived_workspace)) == 3
    assert holds.hold(archived_workspace, placed.hold_id).release_reason == "zaak gesloten"


def test_hold_and_release_need_a_reason(archived_workspace: Workspace) -> None:
    with pytest.raises(holds.HoldError, match="reason"):
        hold(archived_workspace, reason=" ")
    placed = hold(archived_workspace)
    with pytest.raises(holds.HoldError, match="reason"):
        holds.release_hold(archived_workspace, placed.hold_id, user="carla", reason="")


def test_placing_the_same_hold_again_adds_nothing(archived_workspace: Workspace) -> None:
    first = hold(archived_workspace)
    again = hold(archived_workspace)
    assert again.already_placed and again.hold_id == first.hold_id
    by_token = hold(archived_workspace, name="andere naam", token="formulier-1")
    assert hold(archived_workspace, name="nog een naam", token="formulier-1").hold_id == (
        by_token.hold_id
    )
    assert len(holds.holds(archived_workspace)) == 2
    assert [row.action for row in archived_workspace.catalogue().audit_log("legal_hold")] == [
        "legal_hold",
        "legal_hold",
    ]


def test_a_hold_placed_while_another_process_writes_the_index_is_recorded_once_and_applied_later(
    archived_workspace: Workspace,
) -> None:
    ws = archived_workspace
    with another_process_writing(ws):
        placed = hold(ws)
        retried = hold(ws)
        assert placed.pending and retried.already_placed and retried.hold_id == placed.hold_id
        assert pending_holds(ws.catalogue()) == [placed.hold_id]
        assert len(holds.holds(ws)) == 1
        held = held_post_ids(ws.catalogue())
        assert len(held) == placed.posts >= 2
        assert not any(ws.backend().get(post_id).retention.legal_hold for post_id in held)  # type: ignore[union-attr]
        assert due_ids(ws).isdisjoint(held), "the catalogue keeps them out of destruction already"
    started = time.monotonic()
    assert apply_now(ws)
    assert time.monotonic() - started < 10
    assert pending_holds(ws.catalogue()) == []
    assert marked(ws, held)
    assert apply_pending_holds(ws.catalogue(), ws.backend()) == 0


def test_the_next_index_run_applies_pending_holds(archived_workspace: Workspace) -> None:
    from indexer.pipeline import index_new_records

    ws = archived_workspace
    with another_process_writing(ws):
        placed = hold(ws)
    assert placed.pending
    report = index_new_records(ws)
    assert report.counts["pending_applied"] == 1
    assert marked(ws, held_post_ids(ws.catalogue()))


def test_destruction_needs_a_second_person(archived_workspace: Workspace) -> None:
    ws = archived_workspace
    plan = destruction.propose(
        ws, user="carla", reason="termijn verstreken", basis="Selectielijst 2020, 1.1"
    )
    assert len(plan.post_ids) == 3
    assert ws.backend().count() == 9, "proposing deletes nothing"
    with pytest.raises(destruction.DestructionError, match="someone else"):
        destruction.approve(ws, plan.id, user="carla")
    assert ws.backend().count() == 9
    done = destruction.approve(ws, plan.id, user="ad")
    assert (len(done.destroyed), done.refused, done.confirmed_by) == (3, [], "ad")
    assert eventually(lambda: ws.backend().count() == 6)
    with pytest.raises(destruction.DestructionError, match="already carried out"):
        destruction.approve(ws, plan.id, user="anna")
    gone = destruction.destroyed_record(ws, done.destroyed[0])
    assert gone is not None and gone.basis == "Selectielijst 2020, 1.1"
    text = destruction.certificate(done, "Gemeente Deventer")
    assert "Voorgesteld door:   carla" in text and "Goedgekeurd door:   ad" in text
    assert all(post_id in text for post_id in done.destroyed)
    actions = [entry.action for entry in ws.catalogue().audit_log()]
    assert "destruction_planned" in actions and "destruction_confirmed" in actions


def test_records_held_after_the_proposal_are_refused(archived_workspace: Workspace) -> None:
    ws = archived_workspace
    plan = destruction.propose(ws, user="carla", reason="termijn", basis="Selectielijst 2020")
    hold(ws, query="deel 0", name="woo", reason="Woo-verzoek")
    done = destruction.approve(ws, plan.id, user="ad")
    assert len(done.destroyed) == 2 and len(done.refused) == 1
    assert ws.backend().get(done.refused[0]) is not None
    assert "Niet vernietigd wegens legal hold" in destruction.certificate(done, "")


def test_a_destruction_approved_while_another_process_writes_the_index_leaves_it_later(
    archived_workspace: Workspace,
) -> None:
    ws = archived_workspace
    plan = destruction.propose(ws, user="carla", reason="termijn", basis="Selectielijst 2020")
    with another_process_writing(ws):
        done = destruction.approve(ws, plan.id, user="ad")
        assert done.pending and len(done.destroyed) == 3
        assert pending_destructions(ws.catalogue()) == [plan.id]
        assert ws.backend().count() == 9, "still in the index"
        assert destruction.destroyed_record(ws, done.destroyed[0]) is not None
        with pytest.raises(destruction.DestructionError, match="already carried out"):
            destruction.approve(ws, plan.id, user="anna")
    assert apply_now(ws)
    assert pending_destructions(ws.catalogue()) == []
    assert not destruction.plan(ws, plan.id).pending
    assert eventually(lambda: ws.backend().count() == 6)
