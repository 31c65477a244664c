"""How a comment on a network-site page is named, the same for the collector and the indexer.

The indexer makes one ``comment`` Post per comment a site profile reads, with the id
``network:<page key>#comment-<comment key>``; the network collector keeps the keys of the
comments each page showed, to notice a comment that a page recaptured whole no longer shows.
Both name a comment with ``comment_key`` and skip the same empty comments (``shown_comments``),
so a comment the collector finds missing is the Post the indexer made.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

from platforms.rules import ReadComment


def comment_key(comment: ReadComment) -> str:
    """The comment's native id made safe for an id, or a digest of who said what when."""
    if comment.native_id:
        return re.sub(r"[^A-Za-z0-9:_.-]+", "-", comment.native_id)
    # no native id: who said what when is stable across re-crawls, a position on the page is not
    when = comment.date.value.isoformat() if comment.date and not comment.date.approximate else ""
    digest = hashlib.sha1(f"{comment.author}\n{when}\n{comment.text}".encode()).hexdigest()
    return digest[:16]


def shown_comments(comments: Iterable[ReadComment]) -> list[tuple[str, ReadComment]]:
    """The comments that become Posts (those with a text or an author), each with its key."""
    return [(comment_key(c), c) for c in comments if c.text or c.author]


def comment_post_id(page_key: str, key: str) -> str:
    """The id of the comment Post with ``key`` on the page (thread) ``page_key``."""
    return f"network:{page_key}#comment-{key}"
