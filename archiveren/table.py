"""A readable table of search hits for the terminal."""

from __future__ import annotations

import shutil

from foundation.local_time import local
from indexer.query_model import SearchResult


def print_hits(result: SearchResult, timezone: str) -> None:
    """The hits with their publication day in ``timezone``."""
    width = shutil.get_terminal_size((120, 20)).columns
    print(f"{result.total} results")
    if not result.hits:
        return
    print(f"{'published':<11} {'platform':<9} {'kind':<8} {'author':<22} title / text")
    for hit in result.hits:
        post = hit.post
        when = f"{local(post.published_at, timezone):%Y-%m-%d}" if post.published_at else "-"
        headline = (post.title or post.text).replace("\n", " ").strip()
        room = max(20, width - 54)
        print(
            f"{when:<11} {post.platform:<9} {post.kind:<8} {post.author[:22]:<22} {headline[:room]}"
        )
        print(f"{'':<11} {post.id}")
    for name, buckets in result.facets.items():
        if buckets:
            shown = ", ".join(f"{b.value} ({b.count})" for b in buckets[:8])
            print(f"{name}: {shown}")
