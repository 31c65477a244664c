"""Post: one searchable document. Its field names are the contract between the indexer, the
search backends, the UI and the exports (see DESIGN.md, "Records and documents")."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from foundation.pointer import RecordPointer
from foundation.post_version import PostVersion
from foundation.tombstone import Tombstone

Platform = Literal["blog", "x", "mastodon", "network", "wiki", "web", "pleio"]
Kind = Literal["post", "comment", "reply", "repost", "page"]


class Retention(BaseModel):
    """Where a Post stands in the organisation's selectielijst. Frozen, so Posts can share one:
    a change is a ``model_copy(update=...)`` given to the Post."""

    model_config = ConfigDict(frozen=True)

    category: str = Field(default="", description="records category from the selectielijst")
    keep_until: date | None = Field(
        default=None, description="date after which it may be destroyed"
    )
    legal_hold: bool = Field(default=False, description="on hold: never destroyed while set")


class Post(BaseModel):
    """One post, comment, reply, repost or page, as indexed and shown."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(description="stable: '{platform}:{native id}'; re-collecting never duplicates")
    platform: Platform
    source: str = Field(description="name of the source in the config")
    organisation: str = ""
    kind: Kind = "post"
    url: str = ""
    title: str = ""
    text: str = ""
    lang: str = ""
    author: str = ""
    author_handle: str = ""
    author_url: str = ""
    published_at: datetime | None = None
    collected_at: datetime | None = None
    updated_at: datetime | None = None
    date_approximate: bool = Field(
        default=False, description="published_at was resolved from a relative date"
    )
    parent_id: str = ""
    thread_id: str = ""
    hashtags: list[str] = Field(default_factory=list)
    mentions: list[str] = Field(default_factory=list)
    links: list[str] = Field(default_factory=list)
    media: list[str] = Field(default_factory=list)
    capture: RecordPointer | None = None
    earlier_captures: list[RecordPointer] = Field(default_factory=list)
    versions: list[PostVersion] = Field(
        default_factory=list,
        description="earlier wordings, oldest first, each from the capture that first showed it; "
        "empty while the content never changed",
    )
    current_since: PostVersion | None = Field(
        default=None,
        description="when and by which capture the current wording was first seen, without "
        "the wording itself; None: ``capture`` first showed it",
    )
    versions_only: bool = Field(
        default=False,
        description="this capture holds only a platform's edit history (earlier versions of a "
        "tweet, a toot's history): merged into the Post of its id it adds versions and changes "
        "nothing else",
    )
    tombstone: Tombstone | None = Field(
        default=None, description="found missing at the source: when, and how that was established"
    )
    retention: Retention = Retention()

    @property
    def deleted(self) -> bool:
        """Whether the post is gone at its source (found missing, not seen again since)."""
        return self.tombstone is not None and self.tombstone.restored_at is None

    @property
    def deleted_at(self) -> datetime | None:
        """Since when the post is gone at its source (None while it is there)."""
        return self.tombstone.missing_since if self.tombstone and self.deleted else None

    def current_version(self) -> PostVersion:
        """The wording this Post shows now, with the capture that first showed it."""
        since = self.current_since or PostVersion(
            captured_at=self.collected_at, capture=self.capture
        )
        return since.model_copy(
            update={
                "title": self.title,
                "text": self.text,
                "links": list(self.links),
                "media": list(self.media),
            }
        )

    @property
    def changed(self) -> bool:
        """Whether the content differs between captures (an earlier version is kept)."""
        return bool(self.versions)
