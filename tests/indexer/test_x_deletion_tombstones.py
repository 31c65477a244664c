"""Tombstones from X deletion probes: a tweet lookup by ids (``GET /2/tweets?ids=``) that the X
API answers with a ``resource-not-found`` error for a tweet makes a tombstone of that tweet's
Post (``how="not_found_error"``, the archived answer as evidence); an authorization error, a
not-found user, a 503 or a 429 make none; a tweet the answer still lists is an ordinary capture
of it. The answers are real WARC records, read back the way the indexer reads them."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from archive import CaptureMetadata, HttpExchange, WarcWriter
from foundation.post import Post
from indexer.merge import merge_capture_history
from tests.fixtures.captures import posts_from, read_captures

API = "https://api.x.com"
GONE_ID = "1760000000000000001"
THERE_ID = "1760000000000000002"
PROTECTED_ID = "1760000000000000003"
PROBLEMS = "https://api.twitter.com/2/problems"


def error(kind: str, value: str, resource: str = "tweet") -> dict[str, Any]:
    return {
        "value": value,
        "detail": f"Could not find {resource} with ids: [{value}].",
        "title": "Not Found Error" if kind == "resource-not-found" else "Authorization Error",
        "resource_type": resource,
        "parameter": "ids",
        "resource_id": value,
        "type": f"{PROBLEMS}/{kind}",
    }


def archived_probe(
    tmp_path: Path, answer: dict[str, Any], status: int = 200, endpoint: str = "deletion_probe"
) -> dict[str, Post]:
    """The Posts the indexer makes of a tweet lookup the X API answered with ``answer``."""
    ids = [GONE_ID, THERE_ID, PROTECTED_ID]
    with WarcWriter(tmp_path, prefix="probe") as writer:
        writer.write_exchange(
            HttpExchange(
                url=f"{API}/2/tweets?ids={','.join(ids)}",
                status=status,
                reason="OK" if status == 200 else "Error",
                response_headers=[("Content-Type", "application/json; charset=utf-8")],
                body=json.dumps(answer).encode(),
            ),
            CaptureMetadata(
                source="x-demo",
                platform="x",
                collector="x",
                collector_version="test",
                capture_kind="api_page",
                extra={"endpoint": endpoint, "ids": ids},
            ),
        )
    return posts_from(read_captures(tmp_path))


def tweet(day: int) -> Post:
    return Post(
        id=f"x:{GONE_ID}",
        platform="x",
        source="x-demo",
        text="Vanavond de inspraakavond over het omgevingsplan.",
        author="Zoë",
        collected_at=datetime(2026, 3, day, 12, tzinfo=UTC),
    )


MIXED = {
    "data": [
        {
            "id": THERE_ID,
            "text": "Nog steeds hier.",
            "author_id": "42",
            "edit_history_tweet_ids": [THERE_ID],
        }
    ],
    "includes": {"users": [{"id": "42", "name": "Zoë", "username": "zoevdmeulen"}]},
    "errors": [
        error("resource-not-found", GONE_ID),
        error("not-authorized-for-resource", PROTECTED_ID),
    ],
}


def test_a_resource_not_found_answer_makes_a_tombstone_with_the_answer_as_evidence(
    tmp_path: Path,
) -> None:
    posts = archived_probe(tmp_path, MIXED)

    gone = posts[f"x:{GONE_ID}"]
    assert gone.versions_only and not gone.text and gone.platform == "x"
    assert gone.source == "x-demo" and gone.organisation
    assert gone.tombstone is not None and gone.tombstone.how == "not_found_error"
    assert gone.tombstone.status == 200 and gone.tombstone.evidence == gone.capture
    assert gone.tombstone.missing_since == gone.collected_at
    merged = merge_capture_history(tweet(1), gone)
    assert merged.deleted and merged.text == tweet(1).text and not merged.versions_only
    assert merged.tombstone is not None
    assert merged.tombstone.last_seen == datetime(2026, 3, 1, 12, tzinfo=UTC)
    back = tweet(2).model_copy(update={"collected_at": datetime(2099, 1, 1, tzinfo=UTC)})
    restored = merge_capture_history(merged, back)
    assert not restored.deleted and restored.tombstone is not None
    assert restored.tombstone.restored_at == datetime(2099, 1, 1, tzinfo=UTC)
    assert restored.tombstone.missing_since == gone.tombstone.missing_since


def test_a_tweet_still_there_is_an_ordinary_capture_and_a_protected_one_gives_nothing(
    tmp_path: Path,
) -> None:
    posts = archived_probe(tmp_path, MIXED)

    there = posts[f"x:{THERE_ID}"]
    assert there.text == "Nog steeds hier." and there.tombstone is None
    assert not there.versions_only and there.author_handle == "@zoevdmeulen"
    assert f"x:{PROTECTED_ID}" not in posts


@pytest.mark.parametrize(
    ("answer", "status"),
    [
        ({"errors": [error("not-authorized-for-resource", GONE_ID)]}, 200),
        ({"errors": [error("resource-not-found", GONE_ID, resource="user")]}, 200),
        ({"title": "Service Unavailable", "status": 503}, 503),
        ({"title": "Too Many Requests", "status": 429}, 429),
    ],
)
def test_an_authorization_error_a_5xx_or_a_rate_limit_is_no_deletion(
    tmp_path: Path, answer: dict[str, Any], status: int
) -> None:
    assert archived_probe(tmp_path, answer, status) == {}


def test_a_not_found_error_outside_a_deletion_probe_makes_no_tombstone(tmp_path: Path) -> None:
    # an earlier version looked up for an edit chain may be gone; that is no deletion of the Post
    posts = archived_probe(
        tmp_path, {"errors": [error("resource-not-found", GONE_ID)]}, endpoint="edit_history"
    )
    assert posts == {}
