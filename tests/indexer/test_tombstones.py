"""Tombstones: a status the collector probed and found answering 404 or 410 is marked gone at
its source, with when it was last seen, when it was first found missing and the archived answer
as evidence; a 503, a 429 rate limit, a 401 login wall or a 500 are no deletion; a status that
comes back is restored with both facts kept. The probes are real WARC records, read back the
way the indexer reads them."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from archive import CaptureMetadata, HttpExchange, WarcWriter
from foundation.post import Post
from indexer.merge import merge_capture_history
from tests.fixtures.captures import posts_from, read_captures

INSTANCE = "https://social.example"
STATUS_ID = "109463111073792001"
POST_ID = f"mastodon:social.example:{STATUS_ID}"


def archived_probe(tmp_path: Path, status: int, reason: str) -> Post | None:
    """The Post the indexer makes of a deletion probe answered ``status``, if any."""
    with WarcWriter(tmp_path, prefix="probe") as writer:
        writer.write_exchange(
            HttpExchange(
                url=f"{INSTANCE}/api/v1/statuses/{STATUS_ID}",
                status=status,
                reason=reason,
                response_headers=[("Content-Type", "application/json")],
                body=b'{"error": "Record not found"}' if status in (404, 410) else b"{}",
            ),
            CaptureMetadata(
                source="mastodon-demo",
                platform="mastodon",
                collector="mastodon",
                collector_version="test",
                capture_kind="api_page",
                extra={
                    "instance": INSTANCE,
                    "endpoint": "deletion_probe",
                    "status_id": STATUS_ID,
                },
            ),
        )
    return posts_from(read_captures(tmp_path)).get(POST_ID)


def status(day: int, text: str = "Het spreekuur begint om negen uur.") -> Post:
    return Post(
        id=POST_ID,
        platform="mastodon",
        source="mastodon-demo",
        text=text,
        author="Zoë",
        thread_id=POST_ID,
        collected_at=datetime(2026, 3, day, 12, tzinfo=UTC),
    )


@pytest.mark.parametrize(("code", "reason"), [(404, "Not Found"), (410, "Gone")])
def test_a_404_or_410_at_its_address_makes_a_tombstone_with_the_answer_as_evidence(
    tmp_path: Path, code: int, reason: str
) -> None:
    probe = archived_probe(tmp_path, code, reason)
    assert probe is not None and probe.tombstone is not None
    assert probe.tombstone.status == code and probe.tombstone.how == "gone_response"
    assert probe.tombstone.evidence is not None and probe.tombstone.evidence == probe.capture
    merged = merge_capture_history(status(1), probe)
    assert merged.deleted and merged.text == status(1).text and merged.thread_id == POST_ID
    assert merged.tombstone is not None
    assert merged.tombstone.last_seen == datetime(2026, 3, 1, 12, tzinfo=UTC)
    assert merged.tombstone.missing_since == probe.collected_at
    assert merged.versions == [], "a tombstone is no version"


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        (503, "Service Unavailable"),
        (429, "Too Many Requests"),
        (401, "Unauthorized"),
        (500, "Internal Server Error"),
    ],
)
def test_an_error_rate_limit_or_login_wall_is_no_deletion(
    tmp_path: Path, code: int, reason: str
) -> None:
    assert archived_probe(tmp_path, code, reason) is None


def test_a_status_that_comes_back_is_restored_with_both_facts_kept(tmp_path: Path) -> None:
    probe = archived_probe(tmp_path, 404, "Not Found")
    assert probe is not None and probe.collected_at is not None
    gone = merge_capture_history(status(1), probe)
    back = status(28).model_copy(update={"collected_at": datetime(2099, 1, 1, tzinfo=UTC)})
    restored = merge_capture_history(gone, back)
    assert not restored.deleted
    assert restored.tombstone is not None
    assert restored.tombstone.missing_since == probe.collected_at
    assert restored.tombstone.last_seen == datetime(2026, 3, 1, 12, tzinfo=UTC)
    assert restored.tombstone.restored_at == datetime(2099, 1, 1, tzinfo=UTC)


def test_captures_merged_in_either_order_give_the_same_tombstone(tmp_path: Path) -> None:
    probe = archived_probe(tmp_path, 410, "Gone")
    assert probe is not None
    one = merge_capture_history(status(1), probe)
    other = merge_capture_history(probe, status(1))
    assert one.tombstone == other.tombstone and one.text == other.text
