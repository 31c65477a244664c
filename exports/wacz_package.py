"""Build a WACZ (Webrecorder WACZ 1.1.1) from the captures of selected Posts.

The captures' WARC records are copied byte for byte (each is its own gzip member, so the copy
keeps every digest) into one WARC, then py-wacz indexes it and writes the CDXJ index,
pages.jsonl and datapackage.json with SHA-256 digests. Memory stays flat: records stream from
disk to disk and only the set of copied pointers is kept.
"""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

from warcio.warcwriter import WARCWriter

from archive.naming import resolve_inside
from foundation import SOFTWARE
from foundation.errors import ExportError
from foundation.pointer import RecordPointer

COPY_CHUNK = 1024 * 1024


def safe_warc_path(archive_dir: Path, pointer: RecordPointer) -> Path:
    """The WARC file a pointer names, refusing anything outside the archive directory."""
    name = pointer.warc_file
    path = resolve_inside(archive_dir, name)
    if not path.is_file():
        raise ExportError(
            f"WARC file {name} named by record {pointer.record_id} is missing from {archive_dir}"
        )
    return path


def copy_record(archive_dir: Path, pointer: RecordPointer, out: io.BufferedWriter) -> int:
    path = safe_warc_path(archive_dir, pointer)
    with path.open("rb") as source:
        source.seek(pointer.offset)
        remaining = pointer.length
        while remaining > 0:
            chunk = source.read(min(COPY_CHUNK, remaining))
            if not chunk:
                raise ExportError(
                    f"{path.name} ends before record {pointer.record_id} (offset {pointer.offset}, length {pointer.length}): the file is truncated; run `archiveren verify`"
                )
            out.write(chunk)
            remaining -= len(chunk)
    return pointer.length


class WarcSubset:
    """Collects the records of selected Posts into one WARC file, each record once."""

    def __init__(self, archive_dir: Path, path: Path, description: str) -> None:
        self.archive_dir = archive_dir
        self.path = path
        self._out = path.open("wb")
        self._seen: set[tuple[str, int]] = set()
        self.pages: dict[str, tuple[str, str]] = {}
        self.records = 0
        self.bytes = 0
        writer = WARCWriter(self._out, gzip=True)
        info = writer.create_warcinfo_record(
            path.name,
            {
                "software": SOFTWARE,
                "format": "WARC File Format 1.1",
                "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
                "description": description,
            },
        )
        writer.write_record(info)

    def add(self, pointer: RecordPointer, title: str) -> None:
        key = (pointer.warc_file, pointer.offset)
        if key in self._seen:
            return
        self._seen.add(key)
        self.bytes += copy_record(self.archive_dir, pointer, self._out)
        self.records += 1
        if pointer.target_uri and pointer.target_uri not in self.pages:
            self.pages[pointer.target_uri] = (pointer.capture_date, title)

    def close(self) -> None:
        self._out.close()


def build_wacz(subset: WarcSubset, out: Path, title: str, pages_path: Path) -> None:
    """Write ``out`` (a .wacz) from the subset's WARC with a page list of the exported Posts."""
    from wacz.main import main as wacz_main

    with pages_path.open("w", encoding="utf-8") as pages:
        pages.write(json.dumps({"format": "json-pages-1.0", "id": "pages", "title": title}) + "\n")
        for url, (captured, page_title) in subset.pages.items():
            pages.write(
                json.dumps({"url": url, "ts": captured, "title": page_title}, ensure_ascii=False)
                + "\n"
            )
    args = [
        "create",
        "-o",
        str(out),
        "--hash-type",
        "sha256",
        "--title",
        title,
        "-p",
        str(pages_path),
        str(subset.path),
    ]
    chatter = io.StringIO()
    with contextlib.redirect_stdout(chatter):
        code = wacz_main(args)
    if code not in (0, None) or not out.is_file():
        raise ExportError(
            f"WACZ could not be built from {subset.path.name}: {chatter.getvalue()[-500:]}"
        )


def validate_wacz(path: Path) -> list[str]:
    """py-wacz's own validation; returns problems (empty when valid)."""
    from wacz.main import main as wacz_main

    chatter = io.StringIO()
    with contextlib.redirect_stdout(chatter):
        code = wacz_main(["validate", "-f", str(path)])
    return (
        []
        if code in (0, None)
        else [f"{path.name}: WACZ validation failed: {chatter.getvalue().strip()[-500:]}"]
    )
