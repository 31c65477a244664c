"""The archived files an exported page loads (its stylesheets, what they name, its images and
scripts), so a WACZ or bag replays the page as it looked, in ReplayWeb.page or pywb, and not
bare. For each file named in the page's HTML, and in the archived stylesheets in turn, the
response closest to the page's capture time is taken from the CDXJ index; what the archive
lacks is simply not there (the replay tools show it missing, as the app's full replay does)."""

from __future__ import annotations

from pathlib import Path

from archive import original_of_revisit, read_capture
from archive.cdxj import lookup
from foundation.css_urls import css_urls
from foundation.errors import ArchiverenError
from foundation.page_resources import page_resources, resource_kind
from foundation.pointer import RecordPointer

MAX_FILES_PER_PAGE = 200
MAX_STYLESHEET_DEPTH = 3


def page_files(archive_dir: Path, page: RecordPointer) -> list[RecordPointer]:
    """The archived responses of what the page at ``page`` loads; [] for a capture that is no
    HTML page or cannot be read."""
    body, content_type = _payload(archive_dir, page)
    if "html" not in content_type:
        return []
    timestamp = "".join(c for c in page.capture_date if c.isdigit())[:14]
    queue = [(r.url, r.what, 0) for r in page_resources(body, page.target_uri)]
    seen: set[str] = set()
    found: list[RecordPointer] = []
    while queue and len(found) < MAX_FILES_PER_PAGE:
        url, what, depth = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        pointer = _closest_response(archive_dir, url, timestamp)
        if pointer is None:
            continue
        found.append(pointer)
        if what == "stylesheet" and depth < MAX_STYLESHEET_DEPTH:
            css, _ = _payload(archive_dir, pointer)
            named = css_urls(css.decode("utf-8", errors="replace"), url)
            queue[:0] = [(u, resource_kind(u), depth + 1) for u in named]
    return found


def _closest_response(archive_dir: Path, url: str, timestamp: str) -> RecordPointer | None:
    for entry in lookup(archive_dir, url, timestamp):
        if entry.fields.get("mime") != "warc/revisit" and str(
            entry.fields.get("status", "")
        ).startswith("2"):
            return entry.pointer()
    return None


def _payload(archive_dir: Path, pointer: RecordPointer) -> tuple[bytes, str]:
    try:
        capture = read_capture(archive_dir, pointer)
        if capture.record_type == "revisit":
            original = original_of_revisit(archive_dir, pointer)
            if original is None:
                return b"", ""
            capture = read_capture(archive_dir, original)
    except ArchiverenError:
        return b"", ""
    return capture.payload, capture.header("content-type").lower()
