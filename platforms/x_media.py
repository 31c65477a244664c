"""Which file of an X media object is the one to keep: a photo's own URL; for a video or GIF
the MP4 variant with the highest bit rate (X also lists an HLS playlist, which is no file)."""

from __future__ import annotations

from typing import Any


def best_mp4(media: dict[str, Any]) -> str | None:
    """The URL of the highest-bit-rate MP4 variant, or None."""
    variants = [
        variant
        for variant in media.get("variants") or []
        if isinstance(variant, dict)
        and variant.get("content_type") == "video/mp4"
        and variant.get("url")
    ]
    if not variants:
        return None
    return str(max(variants, key=lambda variant: int(variant.get("bit_rate") or 0))["url"])


def shown_files(media: dict[str, Any]) -> list[str]:
    """The files a media object shows, the main one first: a photo; or a video's (or GIF's)
    best MP4 and its poster image."""
    if media.get("type") == "photo":
        return [str(media["url"])] if media.get("url") else []
    found = [best_mp4(media), media.get("preview_image_url")]
    return [str(url) for url in found if url]
