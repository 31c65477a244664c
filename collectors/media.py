"""The files a post shows (photos, the best video variant, GIFs, avatars, link-card images),
fetched politely through the shared fetcher and archived as their own response records, each
with a metadata record naming the API page that referenced it. A file archived before is not
fetched again (media URLs of X and Mastodon do not change); the writer's digest deduplication
turns a repeat under a new URL into a revisit. A file over the limit or beyond the run's
quota is counted as skipped, one that fails as failed: never silently dropped."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from collectors.http import RobotsDisallowed, StopRequested
from foundation.errors import CaptureError
from platforms.x_media import shown_files

if TYPE_CHECKING:
    from collectors.base import Collector

MEDIA_ACCEPT = (
    "image/avif, image/webp, image/png, image/jpeg, image/*;q=0.9, video/mp4;q=0.8, */*;q=0.5"
)
SEEN_KEPT = 20_000
"""How many archived media URLs a source remembers between runs."""


class MediaCapture:
    """Media of one run of one collector, up to ``per_run`` files."""

    def __init__(self, collector: Collector, *, enabled: bool, per_run: int) -> None:
        self.collector, self.enabled, self.per_run = collector, enabled, per_run
        state = collector.context.state
        self.seen: list[str] = state.setdefault("media_seen", [])
        self._seen_now = set(self.seen)

    def capture(self, media: Iterable[tuple[str, str]], referrer: str) -> None:
        """Archive each (url, what) not archived before; ``referrer`` is the API page."""
        if not self.enabled:
            return
        counts = self.collector.report.counts
        for url, what in media:
            if not url.startswith(("http://", "https://")) or url in self._seen_now:
                continue
            if counts["media"] >= self.per_run:
                counts["media_skipped_quota"] += 1
                continue
            try:
                result = self.collector.fetch(
                    url,
                    kind="media",
                    accept=MEDIA_ACCEPT,
                    extra={"page_url": referrer, "media": what},
                    want_body=False,
                )
            except RobotsDisallowed:
                counts["media_skipped_robots"] += 1
                continue
            except StopRequested:
                raise
            except CaptureError as exc:
                counts["media_failed"] += 1
                self.collector.report.error(f"{what} {url} (on {referrer}): {exc}")
                continue
            if not result.ok:
                counts["media_failed"] += 1
                self.collector.report.error(f"{what} {url} (on {referrer}): HTTP {result.status}")
                continue
            if result.truncated:
                counts["media_truncated"] += 1
            counts["media"] += 1
            self._remember(url)

    def _remember(self, url: str) -> None:
        self._seen_now.add(url)
        self.seen.append(url)
        if len(self.seen) > SEEN_KEPT:
            del self.seen[: len(self.seen) - SEEN_KEPT]


def x_media(page: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """The files an X API v2 page shows: photos at their original size, the best MP4 variant
    of a video or GIF with its poster image, and the authors' avatars."""
    found = page.get("includes")
    includes: dict[str, Any] = found if isinstance(found, dict) else {}
    for media in includes.get("media") or []:
        if not isinstance(media, dict):
            continue
        what = "photo" if media.get("type") == "photo" else str(media.get("type") or "video")
        for n, url in enumerate(shown_files(media)):
            yield url, what if n == 0 else "preview"
    for user in includes.get("users") or []:
        if isinstance(user, dict) and user.get("profile_image_url"):
            yield str(user["profile_image_url"]), "avatar"


def mastodon_media(statuses: Iterable[dict[str, Any]]) -> Iterator[tuple[str, str]]:
    """The files Mastodon statuses show: attachments, avatars and preview-card images, of the
    status and of the status it boosts."""
    for status in statuses:
        boosted = status.get("reblog")
        for shown in (status, boosted) if isinstance(boosted, dict) else (status,):
            for attachment in shown.get("media_attachments") or []:
                if isinstance(attachment, dict) and attachment.get("url"):
                    yield str(attachment["url"]), str(attachment.get("type") or "media")
            account = shown.get("account")
            if isinstance(account, dict) and account.get("avatar"):
                yield str(account["avatar"]), "avatar"
            card = shown.get("card")
            if isinstance(card, dict) and card.get("image"):
                yield str(card["image"]), "card_image"
