"""``archiveren retention report``: the Posts past their keep-until date and on no legal hold,
as a table with column headers or (``--json``) as one JSON document."""

from __future__ import annotations

import json
from collections.abc import Iterable

from foundation.post import Post

COLUMNS = f"{'keep until':<11} {'category':<8} {'source':<20} {'id':<40} title / text"


def print_due(posts: Iterable[Post], *, as_json: bool = False) -> None:
    """Print the Posts due for destruction; the count last (or as ``count`` in the JSON)."""
    if as_json:
        due = [
            {
                "id": post.id,
                "keep_until": post.retention.keep_until.isoformat()
                if post.retention.keep_until
                else None,
                "category": post.retention.category,
                "source": post.source,
                "published_at": post.published_at.isoformat() if post.published_at else None,
                "title": (post.title or post.text)[:200],
            }
            for post in posts
        ]
        print(json.dumps({"count": len(due), "due": due}, ensure_ascii=False, indent=2))
        return
    count = 0
    for post in posts:
        if not count:
            print(COLUMNS)
        count += 1
        headline = (post.title or post.text).replace("\n", " ").strip()[:60]
        print(
            f"{post.retention.keep_until!s:<11} {post.retention.category or '-':<8} "
            f"{post.source[:20]:<20} {post.id:<40} {headline}"
        )
    print(f"{count} records past their retention date and not on legal hold")
