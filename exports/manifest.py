"""The manifest beside a CSV or JSON Lines export: ``NAME.manifest.json``.

A listing has no room for its own digest, so it travels with a small JSON file that says what
was delivered (each file's name, size in bytes, SHA-256 and media type), what was asked (query,
filters, format, options), what came out (counts, CSV cells neutralised) and who made it, when
and why (actor, reason, export id, archiveren version). ``archiveren verify-export`` reads it
back; the audit log keeps the manifest's own SHA-256 beside the listing's.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from exports.report import ExportSummary
from foundation import SOFTWARE

MANIFEST_SUFFIX = ".manifest.json"
MANIFEST_KIND = "archiveren-export-manifest"
MANIFEST_VERSION = 1
MEDIA_TYPES = {"csv": "text/csv; charset=utf-8", "jsonl": "application/jsonl; charset=utf-8"}


def manifest_path(listing: Path) -> Path:
    """Where the manifest of ``listing`` is: beside it, its name plus ``.manifest.json``."""
    return listing.with_name(listing.name + MANIFEST_SUFFIX)


@dataclass(frozen=True)
class DeliveredFile:
    """One file an export delivered, as its manifest names it."""

    name: str
    bytes: int
    sha256: str
    media_type: str


@dataclass(frozen=True)
class ListingManifest:
    """What ``verify-export`` needs from a manifest: the format, the files and the row count."""

    path: Path
    format: str
    files: tuple[DeliveredFile, ...]
    rows: int | None
    export_id: str


class ManifestUnreadable(ValueError):
    """The manifest is not JSON or lacks what a manifest holds; the message says which."""


def manifest_document(
    summary: ExportSummary,
    files: list[DeliveredFile],
    *,
    rows: int,
    neutralised: int,
    excel: bool,
) -> dict[str, Any]:
    return {
        "manifest": MANIFEST_KIND,
        "manifest_version": MANIFEST_VERSION,
        "software": SOFTWARE,
        "export_id": summary.export_id,
        "created_at": summary.created_at.isoformat(),
        "actor": summary.user,
        "reason": summary.reason,
        "query": summary.query,
        "filters": summary.filters,
        "format": summary.fmt,
        "options": {"excel": excel},
        "counts": {
            "posts": summary.posts,
            "rows": rows,
            "csv_cells_neutralised": neutralised,
            "platforms": dict(summary.platforms.most_common()),
            "kinds": dict(summary.kinds.most_common()),
            "sources": dict(summary.sources.most_common()),
            "first_published": summary.first or None,
            "last_published": summary.last or None,
        },
        "files": [
            {"name": f.name, "bytes": f.bytes, "sha256": f.sha256, "media_type": f.media_type}
            for f in files
        ],
    }


def write_manifest(path: Path, document: dict[str, Any]) -> None:
    path.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def looks_like_manifest(head: bytes) -> bool:
    """Whether a file that begins with ``head`` is a manifest archiveren wrote."""
    return head.lstrip().startswith(b"{") and f'"manifest": "{MANIFEST_KIND}"'.encode() in head


def read_manifest(path: Path) -> ListingManifest:
    """The manifest at ``path``; ManifestUnreadable names what is wrong with it."""
    try:
        document = json.loads(path.read_bytes().decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ManifestUnreadable(f"not valid JSON ({exc})") from None
    if not isinstance(document, dict) or document.get("manifest") != MANIFEST_KIND:
        raise ManifestUnreadable(
            f'not an archiveren export manifest (no "manifest": "{MANIFEST_KIND}")'
        )
    try:
        files = tuple(
            DeliveredFile(
                name=str(entry["name"]),
                bytes=int(entry["bytes"]),
                sha256=str(entry["sha256"]).lower(),
                media_type=str(entry.get("media_type", "")),
            )
            for entry in document["files"]
        )
        counts = document.get("counts") or {}
        rows = counts.get("rows")
        return ListingManifest(
            path=path,
            format=str(document["format"]),
            files=files,
            rows=int(rows) if rows is not None else None,
            export_id=str(document.get("export_id", "")),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ManifestUnreadable(f"a field is missing or invalid: {exc}") from None
