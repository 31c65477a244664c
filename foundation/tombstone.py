"""Tombstone: what archiveren knows of a post that disappeared at its source. It records when
the post was last seen, when it was first found missing and how that was established (the
archived 404/410 answer at its address, kept as evidence); a post that comes back keeps the
tombstone with when and by which capture it was seen again. Only a 404 or 410 makes one: a
timeout, a 5xx, a rate limit or a login wall says nothing about the post."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from foundation.pointer import RecordPointer

GONE_STATUSES = (404, 410)
"""The answers that say a post is gone; any other answer is not a deletion."""


class Tombstone(BaseModel):
    """A post found missing at its source (and perhaps back again)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    last_seen: datetime | None = Field(
        default=None, description="the last capture that showed the post before it went missing"
    )
    missing_since: datetime = Field(description="when archiveren first found it missing")
    how: Literal["gone_response"] = Field(
        default="gone_response",
        description="gone_response: its address answered 404 or 410, and that answer is archived",
    )
    status: int = Field(description="the HTTP status of that answer")
    evidence: RecordPointer | None = Field(
        default=None, description="the archived answer that established it"
    )
    restored_at: datetime | None = Field(
        default=None, description="when a later capture showed the post again"
    )
    restored_by: RecordPointer | None = Field(default=None, description="that capture")
