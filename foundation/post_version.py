"""PostVersion: one wording of a Post as a capture found it, and what counts as a change.

A Post is captured again and again; a capture whose title, text, links or media differ from the
one before is a new version. Differences that are markup noise (runs of whitespace, Unicode
composition, a link's fragment or trailing slash, the order of links and media, a media key
the page did not resolve to a file) are not a change, so a re-rendered page does not count as edited. A version keeps its capture's pointer
and time: the evidence of that wording."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from urllib.parse import urldefrag

from pydantic import BaseModel, ConfigDict, Field

from foundation.pointer import RecordPointer

_SPACE = re.compile(r"\s+")


class PostVersion(BaseModel):
    """A wording of a Post: its content and the capture that first showed it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    title: str = ""
    text: str = ""
    links: list[str] = Field(default_factory=list)
    media: list[str] = Field(default_factory=list)
    captured_at: datetime | None = Field(
        default=None, description="when the capture that first showed this wording was made"
    )
    edited_at: datetime | None = Field(
        default=None,
        description="when the platform says this wording was made (an X edit, an entry of "
        "Mastodon's edit history); None where only the capture dates it",
    )
    capture: RecordPointer | None = Field(
        default=None, description="the WARC record of that capture: the evidence"
    )

    def content_key(self) -> tuple[str, str, tuple[str, ...], tuple[str, ...]]:
        """What two versions must share to be the same wording (markup noise left out)."""
        return (
            normalised_words(self.title),
            normalised_words(self.text),
            tuple(sorted({normalised_link(link) for link in self.links} - {""})),
            tuple(sorted({normalised_link(item) for item in self.media} - {""})),
        )

    def same_content(self, other: PostVersion) -> bool:
        mine, theirs = self.content_key(), other.content_key()
        if self.media_unresolved() or other.media_unresolved():
            # a page that could not resolve a media key to its file (an X page without the
            # media in its includes) says nothing about which files the post shows
            return mine[:3] == theirs[:3]
        return mine == theirs

    def media_unresolved(self) -> bool:
        return any("://" not in item for item in self.media)

    def dated(self) -> datetime | None:
        """When this wording appeared: the platform's word for it, else its first capture."""
        return self.edited_at or self.captured_at

    def without_content(self) -> PostVersion:
        """This version's dates and capture only (a Post keeps those of its current wording
        without repeating the wording)."""
        return self.model_copy(update={"title": "", "text": "", "links": [], "media": []})


def normalised_words(text: str) -> str:
    """``text`` in Unicode NFC with every run of whitespace one space, trimmed."""
    return _SPACE.sub(" ", unicodedata.normalize("NFC", text)).strip()


def normalised_link(url: str) -> str:
    """``url`` without its fragment, surrounding space or trailing slash."""
    return urldefrag(url.strip())[0].rstrip("/")
