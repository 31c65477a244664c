"""What an extractor receives and returns: one capture in, Posts out.

The indexing pipeline pairs each `response`/`resource` record with its `metadata` record, and
hands the pair to the extractor registered for the metadata's ``collector`` name. A `revisit`
says the payload did not change, so it gives no new Posts: the record it refers to already gave
them. Extractors are pure: bytes and context in, Posts out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from foundation.pointer import RecordPointer
from foundation.post import Platform, Post
from foundation.tombstone import Tombstone, TombstoneHow


@dataclass(frozen=True)
class Capture:
    """One captured response or resource with everything an extractor needs to read it."""

    pointer: RecordPointer
    """Where the bytes are; Posts made from this capture carry it as their ``capture``."""
    url: str
    captured_at: datetime
    content_type: str
    http_status: int | None
    http_headers: list[tuple[str, str]]
    body: bytes
    """The payload, content-decoded (gzip removed) and bounded."""
    metadata: dict[str, Any]
    """The JSON of the concurrent `metadata` record: source, platform, collector, capture_kind, extra."""
    organisation: str = ""
    source_settings: dict[str, Any] = field(default_factory=dict)
    """The source's current config (e.g. a network site's profile), if the source still exists."""
    claimed_sites: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """The site every configured feed source speaks for, by source name (platforms.ownership):
    an entry may not claim a page of another source's site as its own."""

    @property
    def source(self) -> str:
        return str(self.metadata.get("source", ""))

    @property
    def capture_kind(self) -> str:
        return str(self.metadata.get("capture_kind", ""))


Extractor = Callable[[Capture], Iterable[Post]]


def gone_post(
    post_id: str,
    platform: Platform,
    capture: Capture,
    how: TombstoneHow,
    *,
    missing_since: datetime | None = None,
    evidence: RecordPointer | None = None,
    status: int | None = None,
) -> Post:
    """What ``capture`` (a deletion probe's answer, or a crawl's record of comments missing)
    says of the Post ``post_id``: a ``versions_only`` Post that adds a tombstone to it and
    nothing else (indexer.merge). Missing since the capture, with the capture as evidence,
    unless the evidence is another record (the recaptured page without the comment), and
    with the capture's HTTP status unless ``status`` says that of the evidence."""
    return Post(
        id=post_id,
        platform=platform,
        source=capture.source,
        organisation=capture.organisation,
        collected_at=capture.captured_at,
        capture=capture.pointer,
        versions_only=True,
        tombstone=Tombstone(
            missing_since=missing_since or capture.captured_at,
            how=how,
            status=status if status is not None else capture.http_status or 0,
            evidence=evidence or capture.pointer,
        ),
    )
