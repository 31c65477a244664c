"""PreparedPost: a Post already turned into one search backend's document.

Building a document (normalised keywords, date buckets, the stored JSON) costs about as much as
extracting the Post, so the indexing pipeline has it done in its extraction workers, next to the
extractor, and sends the backend only what it writes. The Post itself is decoded again from
``stored`` only when it has to change: merged with an earlier capture, or put on hold.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from foundation.post import Post


@dataclass(frozen=True, slots=True)
class PreparedPost:
    id: str
    stored: bytes
    """The Post as JSON, as the backend stores it."""
    document: Any
    """What the backend writes, in a form that crosses a process boundary cheaply (both backends
    make it a JSON string)."""

    def post(self) -> Post:
        return Post.model_validate_json(self.stored)


DocumentPreparer = Callable[[Post], PreparedPost]
"""A backend's ``prepare``: a module-level function, so that worker processes can run it."""
