"""The CDXJ index over closed WARC files (``index.cdxj`` in the archive directory), built with
cdxj-indexer and kept sorted so pywb can replay from it and a URL + time finds its capture by
binary search. Each closing file's lines are merged in under the archive lock (a streaming merge
into a temporary file, then a rename), so the index is always complete for closed files."""

from __future__ import annotations

import heapq
import io
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cdxj_indexer.main import CDXJIndexer

from archive.naming import INDEX_NAME, archive_lock, closed_warcs
from foundation.errors import ArchiveError
from foundation.pointer import RecordPointer

# metadata records share their response's target URI; indexing them would shadow the page
INDEXED_RECORDS = "response,revisit,resource"


@dataclass(frozen=True)
class CdxjEntry:
    urlkey: str
    timestamp: str
    fields: dict[str, Any]

    def pointer(self) -> RecordPointer:
        """A pointer to the indexed record (the CDXJ line does not carry the record id)."""
        return RecordPointer(
            warc_file=self.fields["filename"],
            offset=int(self.fields["offset"]),
            length=int(self.fields["length"]),
            record_id="",
            target_uri=self.fields.get("url", ""),
            payload_digest=self.fields.get("digest", ""),
        )


def cdxj_lines(warc: Path, archive_dir: Path) -> list[str]:
    """Sorted CDXJ lines for one WARC file, file names relative to the archive directory."""
    out = io.StringIO()
    try:
        CDXJIndexer(
            out, [str(warc)], records=INDEXED_RECORDS, dir_root=str(archive_dir)
        ).process_all()
    except Exception as exc:  # cdxj-indexer raises warcio's errors for unreadable files
        raise ArchiveError(f"cdxj-indexer could not index {warc}: {exc}") from exc
    return sorted(line + "\n" for line in out.getvalue().splitlines() if line)


def add_to_index(archive_dir: Path, warc: Path) -> int:
    """Merge ``warc``'s lines into the index; returns how many lines were added."""
    lines = cdxj_lines(warc, archive_dir)
    with archive_lock(archive_dir):
        _rewrite(archive_dir, lines)
    return len(lines)


def rebuild_index(archive_dir: Path) -> int:
    """Regenerate the index from every closed WARC file; returns the number of lines."""
    lines = sorted(
        line for warc in closed_warcs(archive_dir) for line in cdxj_lines(warc, archive_dir)
    )
    with archive_lock(archive_dir):
        path = archive_dir / INDEX_NAME
        if path.exists():
            path.unlink()
        _rewrite(archive_dir, lines)
    return len(lines)


def _rewrite(archive_dir: Path, new_lines: Iterable[str]) -> None:
    path = archive_dir / INDEX_NAME
    tmp = path.with_name(f".{INDEX_NAME}.{os.getpid()}.tmp")
    with open(tmp, "w", encoding="utf-8") as out:
        if path.exists():
            with open(path, encoding="utf-8") as existing:
                out.writelines(heapq.merge(existing, new_lines))
        else:
            out.writelines(new_lines)
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, path)


def url_key(url: str) -> str:
    return str(CDXJIndexer.get_url_key(None, url))


def lookup(archive_dir: Path, url: str, timestamp: str = "") -> list[CdxjEntry]:
    """Captures of ``url`` in the index, closest to ``timestamp`` (14 digits, any prefix) first;
    all captures oldest first when no timestamp is given."""
    key = url_key(url)
    entries = list(_entries_for(archive_dir / INDEX_NAME, key))
    if timestamp:
        target = int(timestamp.ljust(14, "0")[:14])
        entries.sort(key=lambda e: abs(int(e.timestamp[:14].ljust(14, "0")) - target))
    return entries


def _entries_for(path: Path, key: str) -> Iterator[CdxjEntry]:
    if not path.exists():
        return
    prefix = (key + " ").encode("utf-8")
    with open(path, "rb") as handle:
        handle.seek(_first_offset_not_before(handle, prefix))
        for raw in handle:
            if not raw.startswith(prefix):
                break
            urlkey, timestamp, blob = raw.decode("utf-8").split(" ", 2)
            yield CdxjEntry(urlkey, timestamp, json.loads(blob))


def _first_offset_not_before(handle: io.BufferedReader, prefix: bytes) -> int:
    """Binary search on a sorted line file: offset of the first line >= prefix."""
    handle.seek(0, os.SEEK_END)
    low, high = 0, handle.tell()
    while low < high:
        mid = (low + high) // 2
        line = _line_at_or_after(handle, mid)[1]
        if line and line < prefix:
            low = mid + 1
        else:
            high = mid
    return _line_at_or_after(handle, low)[0]


def _line_at_or_after(handle: io.BufferedReader, pos: int) -> tuple[int, bytes]:
    """The line starting at ``pos`` if a line starts there, else the next one (start, bytes)."""
    if pos:
        handle.seek(pos - 1)
        if handle.read(1) != b"\n":
            handle.readline()
    else:
        handle.seek(0)
    start = handle.tell()
    return start, handle.readline()
