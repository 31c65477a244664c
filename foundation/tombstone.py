"""Tombstone: what archiveren knows of a post that disappeared at its source. It records when
the post was last seen, when it was first found missing and how that was established, with the
archived evidence: a 404 or 410 at its address (a toot, a blog post's permalink), a platform
API's answer that it knows no such item (X's ``resource-not-found`` for a tweet id), or a page
recaptured whole that no longer shows it (a comment on a network-site page). A post that comes
back keeps the tombstone with when and by which capture it was seen again. A timeout, a 5xx, a
rate limit, a login wall or a page only partly loaded says nothing about the post and makes
none."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from foundation.pointer import RecordPointer

TombstoneHow = Literal["gone_response", "not_found_error", "missing_from_page"]

GONE_STATUSES = (404, 410)
"""The answers that say a post is gone; any other answer is not a deletion."""


class Tombstone(BaseModel):
    """A post found missing at its source (and perhaps back again)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    last_seen: datetime | None = Field(
        default=None, description="the last capture that showed the post before it went missing"
    )
    missing_since: datetime = Field(description="when archiveren first found it missing")
    how: TombstoneHow = Field(
        default="gone_response",
        description=(
            "gone_response: its address answered 404 or 410; not_found_error: the platform's "
            "API answered that it knows no such item; missing_from_page: the page that showed "
            "it was recaptured whole without it. The evidence is that answer or page, archived"
        ),
    )
    status: int = Field(description="the HTTP status of the answer or page that is the evidence")
    evidence: RecordPointer | None = Field(
        default=None, description="the archived answer that established it"
    )
    restored_at: datetime | None = Field(
        default=None, description="when a later capture showed the post again"
    )
    restored_by: RecordPointer | None = Field(default=None, description="that capture")
