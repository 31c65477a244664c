"""Retention: the destruction proposal lists what is past its date and not held; destruction
needs two people and two steps, and never touches a held record."""

from __future__ import annotations

import pytest

from archiveren import retention
from workspace import Workspace


def due_ids(ws: Workspace) -> set[str]:
    return {post.id for post in retention.due_for_destruction(ws)}


def test_report_lists_posts_past_their_date(archived_workspace: Workspace) -> None:
    assert len(due_ids(archived_workspace)) == 3


def test_legal_hold_takes_posts_out_of_the_proposal_until_released(
    archived_workspace: Workspace,
) -> None:
    hold_id, held = retention.place_hold(
        archived_workspace,
        name="rechtszaak",
        query="deel 0 OR deel 1",
        filters={},
        reason="rechtszaak 2026/031",
        user="beheerder",
    )
    assert held >= 2
    assert len(due_ids(archived_workspace)) == 1
    assert (
        archived_workspace.backend()
        .get(next(iter(retention.held_post_ids(archived_workspace.catalogue()))))
        .retention.legal_hold
    )
    retention.release_hold(archived_workspace, hold_id, "beheerder")
    assert len(due_ids(archived_workspace)) == 3


def test_hold_needs_a_reason(archived_workspace: Workspace) -> None:
    with pytest.raises(retention.RetentionError, match="reason"):
        retention.place_hold(
            archived_workspace, name="x", query="", filters={}, reason="", user="beheerder"
        )


def test_destruction_needs_a_second_person_and_the_code(archived_workspace: Workspace) -> None:
    plan = retention.plan_destruction(archived_workspace, "beheerder")
    assert len(plan.post_ids) == 3
    assert archived_workspace.backend().count() == 9, "planning deletes nothing"
    with pytest.raises(retention.RetentionError, match="someone other"):
        retention.confirm_destruction(archived_workspace, plan.id, plan.token, "beheerder")
    with pytest.raises(retention.RetentionError, match="does not match"):
        retention.confirm_destruction(archived_workspace, plan.id, "0000", "compliance")
    destroyed, refused = retention.confirm_destruction(
        archived_workspace, plan.id, plan.token, "compliance"
    )
    assert (destroyed, refused) == (3, [])
    assert archived_workspace.backend().count() == 6
    actions = [entry.action for entry in archived_workspace.catalogue().audit_log()]
    assert "destruction_planned" in actions and "destruction_confirmed" in actions


def test_records_held_after_planning_are_refused(archived_workspace: Workspace) -> None:
    plan = retention.plan_destruction(archived_workspace, "beheerder")
    retention.place_hold(
        archived_workspace,
        name="woo",
        query="deel 0",
        filters={},
        reason="Woo-verzoek",
        user="beheerder",
    )
    destroyed, refused = retention.confirm_destruction(
        archived_workspace, plan.id, plan.token, "compliance"
    )
    assert destroyed == 2 and len(refused) == 1
    assert archived_workspace.backend().get(refused[0]) is not None
