"""A WordPress site's comments through its REST API (``/wp-json/wp/v2/comments?post=ID``),
when the permalink page says the site offers it: the page's ``<link rel="https://api.w.org/">``
names the API root, its shortlink (``?p=ID``) or body class (``postid-ID``) the post. Every
answer page is archived (kind ``comments_api``, with the feed entry it belongs to), so the
indexer reads the comments from the API's own fields (author, GMT date, parent, type) beside
what the page's markup shows; both give a comment the same Post id."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from collectors.http import FetchError, RobotsDisallowed, StopRequested
from foundation.errors import CaptureError
from foundation.urls import join_url

if TYPE_CHECKING:
    from collectors.base import Collector
    from collectors.http import FetchResult

API_LINK = re.compile(rb"""<link[^>]+rel=["']https://api\.w\.org/["'][^>]*>""", re.I)
HREF = re.compile(rb"""href=["']([^"']+)["']""", re.I)
SHORTLINK = re.compile(rb"""<link[^>]+rel=["']shortlink["'][^>]+href=["'][^"']*[?&]p=(\d+)""", re.I)
POST_CLASS = re.compile(rb"""<body[^>]+class=["'][^"']*\bpostid-(\d+)""", re.I)
PER_PAGE = 100
MAX_PAGES = 20


def api_and_post(page: FetchResult) -> tuple[str, str] | None:
    """(API root, post id) when the page offers the REST API and names its post, else None."""
    link = API_LINK.search(page.body)
    href = HREF.search(link.group(0)) if link else None
    post = SHORTLINK.search(page.body) or POST_CLASS.search(page.body)
    if not href or not post:
        return None
    root = join_url(page.url, href.group(1).decode("utf-8", "replace"))
    return (root if root.endswith("/") else root + "/"), post.group(1).decode("ascii")


def capture_comments(collector: Collector, page: FetchResult, extra: dict[str, Any]) -> None:
    """Archive every page of the post's comments from the REST API; a failure is a run error
    (the page's own markup still gives the comments it shows)."""
    found = api_and_post(page)
    if found is None:
        return
    root, post_id = found
    counts = collector.report.counts
    for number in range(1, MAX_PAGES + 1):
        query = urlencode({"post": post_id, "per_page": PER_PAGE, "page": number})
        url = f"{root}wp/v2/comments?{query}"
        try:
            answer = collector.fetch(
                url,
                kind="comments_api",
                accept="application/json",
                extra={**extra, "wp_post_id": post_id, "page": number},
            )
        except RobotsDisallowed:
            counts["skipped_robots"] += 1
            return
        except StopRequested:
            raise
        except (FetchError, CaptureError) as exc:
            collector.report.error(f"comments of {page.url} through {root}: {exc}")
            return
        if not answer.ok:
            if answer.status not in (400, 401, 403, 404):  # closed or hidden API: the page will do
                collector.report.error(
                    f"comments of {page.url}: {url} answered HTTP {answer.status}"
                )
            return
        counts["comment_api_pages"] += 1
        pages = answer.header("x-wp-totalpages") or "1"
        if not pages.isdigit() or number >= int(pages):
            return
