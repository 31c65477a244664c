"""Run an export: select Posts by query, stream them into the chosen package, put it in place.

Every format is built in a private staging directory beside the target and published only when
complete and only if nothing is at the target yet (``exports.staging``), so an interrupted
export leaves nothing half-made at ``out`` and two exports to one path never overwrite each
other. Posts stream from the backend's ``scan``; nothing holds the whole selection in memory.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import bagit

from archive import read_record
from exports.listing import ListingWriter
from exports.mdto import bestand_xml, informatieobject_xml
from exports.report import ExportSummary, render_report
from exports.staging import Staging, check_target, sweep_stale_partials
from exports.wacz_package import WarcSubset, build_wacz
from foundation import SOFTWARE
from foundation.errors import ArchiverenError, ExportError
from foundation.post import Post
from indexer.query_model import SearchRequest

if TYPE_CHECKING:
    from catalogue.store import Catalogue
    from config.models import ArchiverenConfig
    from indexer.query_model import SearchBackend


class ExportSource(Protocol):
    """What an export needs, and all it is given: the config (the organisation's name), the
    archive directory it copies records from, the search backend that finds the Posts, the
    catalogue for the audit log, and the exports directory. The command line's ``Workspace``
    is one."""

    @property
    def archive_dir(self) -> Path: ...

    @property
    def exports_dir(self) -> Path: ...

    def config(self, *, check_secrets: bool = True) -> ArchiverenConfig: ...

    def catalogue(self) -> Catalogue: ...

    def backend(self) -> SearchBackend: ...


FORMATS = ("bag", "wacz", "csv", "jsonl")
WACZ_NAME = "archiveren-export.wacz"


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _safe_name(post_id: str, n: int) -> str:
    return f"{n:07d}-" + re.sub(r"[^A-Za-z0-9_.-]+", "_", post_id)[:120]


def run_export(
    ws: ExportSource,
    *,
    query: str,
    filters: dict[str, list[str]],
    fmt: str,
    out: Path,
    reason: str = "",
    user: str = "",
) -> Path:
    """Build the export of what ``query`` and ``filters`` find at ``out`` (which must not exist);
    the path it was written to, its directory resolved.

    The audit log gets two rows: ``export_publishing`` with the digest just before the export
    appears (so an export that exists is never unlogged, even if the process dies right after),
    then ``export`` once it is in place, or ``export_failed`` when another export took the path
    first. Staging that dead exports left beside ``out`` or in the exports dir is swept first.
    """
    if fmt not in FORMATS:
        raise ExportError(f"unknown export format {fmt!r}; expected one of {', '.join(FORMATS)}")
    if fmt == "bag" and not reason.strip():
        raise ExportError("a bag export needs a reason (--reason), e.g. 'Woo-verzoek 2026-114'")
    target = check_target(Path(out))
    sweep_stale_partials({target.parent, ws.exports_dir})
    export_id = f"export-{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}-{uuid.uuid4().hex[:8]}"
    summary = ExportSummary(
        export_id=export_id,
        user=user,
        reason=reason,
        query=query,
        filters=filters,
        fmt=fmt,
        created_at=datetime.now(UTC),
    )
    posts = ws.backend().scan(
        SearchRequest(query=query, filters=filters, facets=[], date_histogram=None, highlight=False)
    )
    with Staging(target) as staging:
        product = staging.product
        if fmt in ("csv", "jsonl"):
            _write_listing(posts, product, fmt, summary)
            checksum = sha256_file(product)
        elif fmt == "wacz":
            work = staging.dir / "work"
            work.mkdir()
            _write_wacz(ws, posts, work, product, summary, metadata_dir=None)
            checksum = sha256_file(product)
        else:
            checksum = _write_bag(ws, posts, product, summary)
        audit = {
            "export_id": export_id,
            "query": query,
            "filters": filters,
            "format": fmt,
            "posts": summary.posts,
            "records": summary.records,
            "reason": reason,
            "path": str(target),
            "sha256": checksum,
        }
        catalogue = ws.catalogue()
        catalogue.audit(user, "export_publishing", **audit)
        try:
            staging.publish()
        except ExportError as exc:
            catalogue.audit(user, "export_failed", **audit, error=str(exc))
            raise
        # the published file is the staged one (a hard link, or the renamed bag): same digest
        catalogue.audit(user, "export", **audit)
    return target


def _write_listing(posts: Iterable[Post], path: Path, fmt: str, summary: ExportSummary) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        listing = ListingWriter(
            handle if fmt == "csv" else None, handle if fmt == "jsonl" else None
        )
        for post in posts:
            listing.add(post)
            summary.count(post.platform, post.kind, post.source, post.published_at)


def _write_wacz(
    ws: ExportSource,
    posts: Iterable[Post],
    work: Path,
    wacz_path: Path,
    summary: ExportSummary,
    metadata_dir: Path | None,
    listing: ListingWriter | None = None,
) -> None:
    subset = WarcSubset(
        ws.archive_dir,
        work / "data.warc.gz",
        f"archiveren export {summary.export_id}: {summary.query}",
    )
    described: set[tuple[str, int]] = set()
    try:
        for n, post in enumerate(posts, start=1):
            summary.count(post.platform, post.kind, post.source, post.published_at)
            if listing is not None:
                listing.add(post)
            if post.capture is not None:
                subset.add(post.capture, post.title or post.text[:80])
            if metadata_dir is not None:
                _write_mdto(ws, post, metadata_dir, n, described)
    finally:
        subset.close()
    summary.records, summary.bytes = subset.records, subset.bytes
    if subset.records == 0:
        raise ExportError(
            f"the query {summary.query!r} with filters {summary.filters} found no archived captures to export"
        )
    build_wacz(subset, wacz_path, f"archiveren {summary.export_id}", work / "pages.jsonl")


def _write_mdto(
    ws: ExportSource, post: Post, metadata_dir: Path, n: int, described: set[tuple[str, int]]
) -> None:
    """The Post's informatieobject, and its capture's bestand the first time that capture
    comes by (``described`` holds the captures already written)."""
    (metadata_dir / f"{_safe_name(post.id, n)}.mdto.xml").write_bytes(informatieobject_xml(post))
    if post.capture is None:
        return
    key = (post.capture.warc_file, post.capture.offset)
    if key in described:
        return
    described.add(key)
    try:
        record = read_record(ws.archive_dir, post.capture)
        payload = record.raw_payload()
    except ArchiverenError as exc:
        raise ExportError(f"capture of {post.id} could not be read back: {exc}") from None
    content_type = next(
        (v for k, v in (record.http_headers or []) if k.lower() == "content-type"), ""
    )
    xml = bestand_xml(
        post,
        size=len(payload),
        sha256=hashlib.sha256(payload).hexdigest(),
        content_type=content_type,
        checked_at=datetime.now(UTC),
    )
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", f"{key[0]}@{key[1]}")
    (metadata_dir / f"capture-{name}.bestand.mdto.xml").write_bytes(xml)


def _write_bag(
    ws: ExportSource, posts: Iterable[Post], bag_dir: Path, summary: ExportSummary
) -> str:
    bag_dir.mkdir()
    metadata_dir = bag_dir / "metadata"
    metadata_dir.mkdir()
    work = bag_dir / ".work"
    work.mkdir()
    with (
        (bag_dir / "listing.csv").open("w", encoding="utf-8", newline="") as csv_out,
        (bag_dir / "listing.jsonl").open("w", encoding="utf-8") as jsonl_out,
    ):
        listing = ListingWriter(csv_out, jsonl_out)
        _write_wacz(ws, posts, work, bag_dir / WACZ_NAME, summary, metadata_dir, listing)
    shutil.rmtree(work)
    summary.checksums = {
        WACZ_NAME: sha256_file(bag_dir / WACZ_NAME),
        "listing.csv": sha256_file(bag_dir / "listing.csv"),
    }
    (bag_dir / "report.html").write_text(render_report(summary), encoding="utf-8")
    info = {
        "Source-Organization": ws.config(check_secrets=False).organisation or "archiveren",
        "External-Identifier": summary.export_id,
        "External-Description": summary.reason,
        "Contact-Name": summary.user or "-",
        "Bag-Software-Agent": SOFTWARE,
        "Archiveren-Query": summary.query or "(alles)",
        "Archiveren-Filters": "; ".join(f"{k}={','.join(v)}" for k, v in summary.filters.items())
        or "-",
        "Archiveren-Records": str(summary.posts),
    }
    bagit.make_bag(str(bag_dir), bag_info=info, checksums=["sha256"])
    return sha256_file(bag_dir / "tagmanifest-sha256.txt")
