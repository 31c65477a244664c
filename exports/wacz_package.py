"""Build a WACZ (Webrecorder WACZ 1.1.1) from the captures of selected Posts.

The captures' WARC records are copied byte for byte (each is its own gzip member, so the copy
keeps every digest) into one WARC, then py-wacz indexes it and writes the CDXJ index,
pages.jsonl and datapackage.json with SHA-256 digests. The warcinfo written first is WARC/1.1
like the copied records; a page's title is the page's own (its Post's, or its HTML <title>
when only a comment on it is exported), never a comment's text; datapackage.json names
archiveren as the software and, when the export is one page, that page as ``mainPageUrl``.
Memory stays flat: records stream from disk to disk and only the copied pointers and the page
list are kept.
"""

from __future__ import annotations

import contextlib
import hashlib
import html
import io
import json
import logging
import re
import shutil
import zipfile
from datetime import UTC, datetime
from pathlib import Path

from warcio.warcwriter import WARCWriter

from archive import read_record
from archive.naming import resolve_inside
from archive.store import open_warc, warc_exists
from evidence.signing import Signer
from exports.wacz_signing import signed_data
from foundation import SOFTWARE
from foundation.errors import ArchiverenError, ExportError
from foundation.pointer import RecordPointer

COPY_CHUNK = 1024 * 1024
TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
TITLE_BYTES = 256 * 1024
log = logging.getLogger("archiveren.exports")


def safe_warc_path(archive_dir: Path, pointer: RecordPointer) -> Path:
    """The WARC file a pointer names, refusing anything outside the archive directory."""
    name = pointer.warc_file
    path = resolve_inside(archive_dir, name)
    if not warc_exists(path):
        raise ExportError(
            f"WARC file {name} named by record {pointer.record_id} is missing from {archive_dir}"
        )
    return path


def copy_record(archive_dir: Path, pointer: RecordPointer, out: io.BufferedWriter) -> int:
    path = safe_warc_path(archive_dir, pointer)
    with open_warc(path) as source:
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
        self.copied: list[tuple[RecordPointer, int]] = []
        """Each record copied and its offset in this WARC (a bag's timestamps/ lists them)."""
        self.pages: dict[str, tuple[str, str]] = {}
        """url -> (capture date, title); the title is a page's own, never a comment's text"""
        self.records = 0
        self.bytes = 0
        # the copied records are WARC/1.1 (archive.records): the warcinfo is too
        writer = WARCWriter(self._out, gzip=True, warc_version="1.1")
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
        """Copy the record once; ``title`` is the page's title when the Post is the page (or
        an item of its own), '' for a comment or reply found on it."""
        key = (pointer.warc_file, pointer.offset)
        if key not in self._seen:
            self._copy(key, pointer)
        url = pointer.target_uri
        if url and (url not in self.pages or (title and not self.pages[url][1])):
            self.pages[url] = (pointer.capture_date, title or self._own_title(pointer))

    def add_file(self, pointer: RecordPointer) -> None:
        """Copy a record a Post shows (a photo, a video, an avatar) once, without listing it
        as a page of the package."""
        key = (pointer.warc_file, pointer.offset)
        if key not in self._seen:
            self._copy(key, pointer)

    def _copy(self, key: tuple[str, int], pointer: RecordPointer) -> None:
        self._seen.add(key)
        self.copied.append((pointer, self._out.tell()))
        self.bytes += copy_record(self.archive_dir, pointer, self._out)
        self.records += 1

    def _own_title(self, pointer: RecordPointer) -> str:
        """The <title> of an archived HTML page ('' for anything else): the page's title when
        only a comment on it was exported."""
        try:
            record = read_record(self.archive_dir, pointer)
        except ArchiverenError:
            return ""
        if "html" not in (record.http_header("Content-Type") or "").lower():
            return ""
        found = TITLE.search(record.payload(TITLE_BYTES).decode("utf-8", "replace"))
        return " ".join(html.unescape(found.group(1)).split()) if found else ""

    def close(self) -> None:
        self._out.close()


def build_wacz(
    subset: WarcSubset, out: Path, title: str, pages_path: Path, signer: Signer | None = None
) -> None:
    """Write ``out`` (a .wacz) from the subset's WARC with a page list of the exported Posts;
    when they are all on one page, that page is the WACZ's main page. With a ``signer`` the
    package is signed (``exports.wacz_signing``)."""
    from wacz.main import main as wacz_main

    with pages_path.open("w", encoding="utf-8") as pages:
        pages.write(json.dumps({"format": "json-pages-1.0", "id": "pages", "title": title}) + "\n")
        for url, (captured, page_title) in subset.pages.items():
            pages.write(
                json.dumps(
                    {"url": url, "ts": captured, "title": page_title or url}, ensure_ascii=False
                )
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
    main_page = next(iter(subset.pages.items())) if len(subset.pages) == 1 else None
    _restate_datapackage(
        out, main_page[0] if main_page else "", main_page[1][0] if main_page else "", signer
    )


def _restate_datapackage(
    wacz: Path, main_url: str, main_date: str, signer: Signer | None = None
) -> None:
    """py-wacz names itself as the software and spells the main page ``mainPageURL``; WACZ
    1.1.1 has ``mainPageUrl`` and ``mainPageDate``, and the software that made the package is
    archiveren. datapackage.json and its digest (signed, with a ``signer``) are rewritten; every
    other entry is copied as it is (the WARC stays stored, not deflated)."""
    rewritten = wacz.with_name(wacz.name + ".tmp")
    with zipfile.ZipFile(wacz) as source, zipfile.ZipFile(rewritten, "w") as target:
        package = json.loads(source.read("datapackage.json"))
        package["software"] = (
            f"{SOFTWARE} (py-wacz {package.get('software', '').removeprefix('py-wacz ')})"
        )
        package.pop("mainPageURL", None)
        if main_url:
            package["mainPageUrl"] = main_url
            package["mainPageDate"] = main_date
        data = json.dumps(package, indent=2).encode("utf-8")
        for info in source.infolist():
            if info.filename in ("datapackage.json", "datapackage-digest.json"):
                continue
            with source.open(info) as reading, target.open(info, "w") as writing:
                shutil.copyfileobj(reading, writing, COPY_CHUNK)
        target.writestr(zipfile.ZipInfo("datapackage.json", _now()), data, zipfile.ZIP_DEFLATED)
        digest = json.loads(source.read("datapackage-digest.json"))
        digest["hash"] = "sha256:" + hashlib.sha256(data).hexdigest()
        if signer is not None:
            digest["signedData"], unstamped = signed_data(
                signer, digest["hash"], str(package.get("created", ""))
            )
            for reason in unstamped:
                log.warning("WACZ signature not timestamped by one authority: %s", reason)
        target.writestr(
            zipfile.ZipInfo("datapackage-digest.json", _now()),
            json.dumps(digest, indent=2),
            zipfile.ZIP_DEFLATED,
        )
    rewritten.replace(wacz)


def _now() -> tuple[int, int, int, int, int, int]:
    now = datetime.now(UTC)
    return (now.year, now.month, now.day, now.hour, now.minute, now.second)
