"""``verify-export`` for a CSV or JSON Lines listing: its size and SHA-256 against the manifest
that came with it, then every row read back (and counted against the manifest). A listing
that was renamed is matched to its manifest by the SHA-256 the manifest names."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Protocol

from exports.listing import CSV_COLUMNS, CSV_COLUMNS_BEFORE_VERSIONS, EXCEL_BOM
from exports.manifest import (
    MANIFEST_SUFFIX,
    DeliveredFile,
    ListingManifest,
    ManifestUnreadable,
    looks_like_manifest,
    manifest_path,
    read_manifest,
)
from exports.package import sha256_file

CSV_HEADERS = tuple(
    ",".join(columns).encode() for columns in (CSV_COLUMNS, CSV_COLUMNS_BEFORE_VERSIONS)
)
"""The header rows archiveren has written, newest first: older listings stay verifiable."""
JSONL_START = b'{"id": '
MANIFEST_HEAD = 4096
MANIFEST_MAX_BYTES = 1024 * 1024
"""Files larger than this in a listing's directory are not read as possible manifests."""


class Check(Protocol):
    checked: list[str]
    problems: list[str]


def listing_format(head: bytes) -> str:
    """``csv`` or ``jsonl`` when a file beginning with ``head`` is a listing archiveren wrote,
    '' otherwise."""
    head = head.removeprefix(EXCEL_BOM.encode())
    if any(head.startswith(header + b"\r\n") for header in CSV_HEADERS):
        return "csv"
    if head.startswith(JSONL_START) and b'"platform": ' in head.split(b"\n", 1)[0]:
        return "jsonl"
    return ""


def find_manifest(listing: Path, fmt: str) -> Path | None:
    """The manifest of ``listing``: the one beside it by name; else the one in its directory
    that names its SHA-256 (it was renamed); else the only one there of its format whose file
    is gone (it was renamed and changed)."""
    beside = manifest_path(listing)
    if beside.is_file():
        return beside
    digest = sha256_file(listing)
    orphans: list[Path] = []
    for candidate in _manifests_in(listing.parent):
        try:
            manifest = read_manifest(candidate)
        except (ManifestUnreadable, OSError):
            continue
        if any(f.sha256 == digest for f in manifest.files):
            return candidate
        if manifest.format == fmt and not any(
            (candidate.parent / f.name).exists() for f in manifest.files
        ):
            orphans.append(candidate)
    return orphans[0] if len(orphans) == 1 else None


def _manifests_in(directory: Path) -> list[Path]:
    found = []
    for path in sorted(directory.iterdir()):
        try:
            if not path.is_file() or path.stat().st_size > MANIFEST_MAX_BYTES:
                continue
            with path.open("rb") as handle:
                if path.name.endswith(MANIFEST_SUFFIX) or looks_like_manifest(
                    handle.read(MANIFEST_HEAD)
                ):
                    found.append(path)
        except OSError:
            continue
    return found


def check_listing(listing: Path, manifest_file: Path | None, fmt: str, check: Check) -> None:
    """Check ``listing`` against ``manifest_file`` (None: no manifest was found for it)."""
    if manifest_file is None:
        check.problems.append(
            f"{listing.name}: no manifest beside it ({manifest_path(listing).name}) and none in "
            f"{listing.parent.resolve()} names its SHA-256: its manifest was not kept with it, or the file was changed"
        )
        return
    try:
        manifest = read_manifest(manifest_file)
    except ManifestUnreadable as exc:
        check.problems.append(f"{manifest_file.name}: {exc}")
        return
    entry = _entry_for(listing, manifest)
    if entry is None:
        check.problems.append(
            f"{manifest_file.name}: names no file, so {listing.name} cannot be checked"
        )
        return
    as_named = "" if entry.name == listing.name else f" (exported as {entry.name})"
    size = listing.stat().st_size
    problems_before = len(check.problems)
    if size != entry.bytes:
        check.problems.append(
            f"{listing.name}{as_named}: {size} bytes where {manifest_file.name} says {entry.bytes} (changed after export)"
        )
    elif sha256_file(listing) != entry.sha256:
        check.problems.append(
            f"{listing.name}{as_named}: SHA-256 does not match {manifest_file.name} (changed after export)"
        )
    rows = check_rows(listing, manifest.format or fmt, check)
    if rows is not None and manifest.rows is not None and rows != manifest.rows:
        check.problems.append(
            f"{listing.name}{as_named}: {rows} rows where {manifest_file.name} says {manifest.rows}"
        )
    if len(check.problems) == problems_before:
        check.checked.append(
            f"{manifest.format.upper()} listing {listing.name}{as_named}: {rows} rows, size and "
            f"SHA-256 match {manifest_file.name} (export {manifest.export_id})"
        )


def check_manifest(manifest_file: Path, check: Check) -> None:
    """Check every file ``manifest_file`` names, found beside it."""
    try:
        manifest = read_manifest(manifest_file)
    except ManifestUnreadable as exc:
        check.problems.append(f"{manifest_file.name}: {exc}")
        return
    for entry in manifest.files:
        listing = manifest_file.parent / entry.name
        if not listing.is_file():
            check.problems.append(
                f"{entry.name}: named by {manifest_file.name} but not beside it (missing or renamed)"
            )
            continue
        check_listing(listing, manifest_file, manifest.format, check)


def _entry_for(listing: Path, manifest: ListingManifest) -> DeliveredFile | None:
    by_name = [f for f in manifest.files if f.name == listing.name]
    if by_name:
        return by_name[0]
    if len(manifest.files) == 1:
        return manifest.files[0]
    digest = sha256_file(listing)
    return next((f for f in manifest.files if f.sha256 == digest), None)


def check_rows(listing: Path, fmt: str, check: Check) -> int | None:
    """Read every row of the listing; how many, or None (with the problem) when one is
    unreadable."""
    rows = 0
    try:
        with listing.open(encoding="utf-8-sig", newline="") as handle:
            if fmt == "csv":
                reader = csv.reader(handle, strict=True)
                header = next(reader, None)
                if header not in (list(CSV_COLUMNS), list(CSV_COLUMNS_BEFORE_VERSIONS)):
                    check.problems.append(f"{listing.name}: the header row is not archiveren's")
                    return None
                for row in reader:
                    rows += 1
                    if len(row) != len(header):
                        raise ValueError(f"{len(row)} cells where the header has {len(header)}")
            else:
                for line in handle:
                    rows += 1
                    if not isinstance(json.loads(line), dict):
                        raise ValueError("not a JSON object")
    except (ValueError, csv.Error, UnicodeDecodeError) as exc:
        check.problems.append(f"{listing.name}: unreadable at row {rows}: {exc}")
        return None
    return rows
