"""Run an export: select Posts by query, stream them into the chosen package, put it in place.

Every format is built in a private staging directory beside the target and published only when
complete and only if nothing is at the target yet (``exports.staging``), so an interrupted
export leaves nothing half-made at ``out`` and two exports to one path never overwrite each
other. Posts stream from the backend's ``scan``; nothing holds the whole selection in memory.
A CSV or JSON Lines listing is published with its manifest (``exports.manifest``) beside it.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from archive.cdxj import lookup
from evidence.signing import Signer, signer_for
from exports.bag_signing import CopiedRecord, sign_tag_manifest, write_bag_evidence
from exports.bagit_package import BagInfo, write_bag
from exports.listing import ListingWriter
from exports.manifest import (
    MANIFEST_SUFFIX,
    MEDIA_TYPES,
    DeliveredFile,
    manifest_document,
    manifest_path,
    write_manifest,
)
from exports.mdto import SOURCE, Checksum, Ref, bestand_xml, package_xml
from exports.mdto_files import MetadataDir
from exports.page_files import page_files
from exports.report import ExportSummary, render_report
from exports.staging import Staging, check_target, sweep_stale_partials
from exports.transfer import TransferTarget, write_transfer
from exports.transfer_warc import GIGABYTE
from exports.wacz_package import WarcSubset, build_wacz
from foundation import progress
from foundation.errors import ExportError
from foundation.pointer import RecordPointer
from foundation.post import Post
from indexer.query_model import SearchRequest

if TYPE_CHECKING:
    from catalogue.store import Catalogue
    from config.models import ArchiverenConfig
    from indexer.query_model import SearchBackend


class ExportSource(Protocol):
    """What an export needs, and all it is given: the config (the organisation's name, the
    signing key, relative to the config's path), the archive directory it copies records from, the search backend that finds the Posts, the
    catalogue for the audit log, and the exports directory. The command line's ``Workspace``
    is one."""

    @property
    def archive_dir(self) -> Path: ...

    @property
    def config_path(self) -> Path: ...

    @property
    def exports_dir(self) -> Path: ...

    def config(self, *, check_secrets: bool = True) -> ArchiverenConfig: ...

    def catalogue(self) -> Catalogue: ...

    def backend(self) -> SearchBackend: ...


log = logging.getLogger("archiveren.exports")

Progress = Callable[[int, int], None]
"""Told how far an export is: Posts read so far and bytes written so far."""

FORMATS = ("bag", "wacz", "csv", "jsonl", "transfer")
NEEDS_REASON = ("bag", "transfer")
LISTINGS = ("csv", "jsonl")
WACZ_NAME = "archiveren-export.wacz"


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def run_export(
    ws: ExportSource,
    *,
    query: str,
    filters: dict[str, list[str]],
    fmt: str,
    out: Path,
    reason: str = "",
    user: str = "",
    max_warc_bytes: int = GIGABYTE,
    case: str = "",
    on_progress: Progress | None = None,
    excel: bool = False,
) -> Path:
    """Build the export of what ``query`` and ``filters`` find at ``out`` (which must not exist);
    the path it was written to, its directory resolved.

    The audit log gets two rows: ``export_publishing`` with the digest just before the export
    appears (so an export that exists is never unlogged, even if the process dies right after),
    then ``export`` once it is in place, or ``export_failed`` when another export took the path
    first. Staging that dead exports left beside ``out`` or in the exports dir is swept first.
    ``max_warc_bytes`` caps each WARC file of a transfer package (1 GB, the guideline's cap).
    ``case`` names the Woo case (zaak) the export is made for, in the report and the bag-info;
    ``on_progress``, when given, is called about once a second while Posts are read (the
    terminal's progress line listens through ``foundation.progress`` instead).
    ``excel`` starts a CSV with the byte order mark Excel needs to read it as UTF-8.
    """
    if fmt not in FORMATS:
        raise ExportError(f"unknown export format {fmt!r}; expected one of {', '.join(FORMATS)}")
    if fmt in NEEDS_REASON and not reason.strip():
        raise ExportError(
            f"a {fmt} export needs a reason (--reason), e.g. 'Woo-verzoek 2026-114' or 'overdracht e-Depot 2026'"
        )
    if excel and fmt != "csv":
        raise ExportError(f"--excel is for a CSV export; a {fmt} export is not opened in Excel")
    beside = (MANIFEST_SUFFIX,) if fmt in LISTINGS else ()
    target = check_target(Path(out), beside)
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
        case=case,
    )
    request = SearchRequest(
        query=query, filters=filters, facets=[], date_histogram=None, highlight=False
    )
    progress.begin("export", ws.backend().search(request.model_copy(update={"limit": 0})).total)
    found = progress.counted(ws.backend().scan(request))
    extra: dict[str, object] = {}
    signer = (
        signer_for(ws.config(check_secrets=False).evidence, ws.config_path.parent)
        if fmt in ("wacz", "bag")
        else None
    )
    if signer is not None:
        extra["signed_by"] = signer.fingerprint
    with Staging(target) as staging:
        product = staging.product
        posts = _reporting(found, staging.dir, on_progress) if on_progress else found
        if fmt in LISTINGS:
            checksum = _write_listing(
                posts, product, staging.beside(MANIFEST_SUFFIX), summary, excel=excel
            )
            extra = {
                "manifest": str(manifest_path(target)),
                "manifest_sha256": sha256_file(staging.beside(MANIFEST_SUFFIX)),
                "excel": excel,
            }
        elif fmt == "wacz":
            work = staging.dir / "work"
            work.mkdir()
            _write_wacz(ws, posts, work, product, summary, signer=signer)
            checksum = sha256_file(product)
        elif fmt == "transfer":
            config = ws.config(check_secrets=False)
            target_info = TransferTarget(
                archive_dir=ws.archive_dir,
                organisation=config.organisation,
                contact_email=config.http.contact,
                max_warc_bytes=max_warc_bytes,
            )
            checksum = write_transfer(target_info, posts, product, summary)
        else:
            checksum = _write_bag(ws, posts, product, summary, signer)
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
            **extra,
        }
        if case:
            audit["case_number"] = case
        catalogue = ws.catalogue()
        catalogue.audit(user, "export_publishing", **audit)
        try:
            staging.publish(beside)
        except ExportError as exc:
            catalogue.audit(user, "export_failed", **audit, error=str(exc))
            raise
        # the published file is the staged one (a hard link, or the renamed bag): same digest
        catalogue.audit(user, "export", **audit)
    return target


def _reporting(posts: Iterable[Post], staging: Path, progress: Progress) -> Iterator[Post]:
    """``posts`` as they are, telling ``progress`` how many went by and how many bytes the
    staging directory holds, at most once a second (and once at the end)."""
    done, last = 0, time.monotonic()
    for post in posts:
        yield post
        done += 1
        if time.monotonic() - last >= 1.0:
            progress(done, _bytes_in(staging))
            last = time.monotonic()
    progress(done, _bytes_in(staging))


def _bytes_in(directory: Path) -> int:
    try:
        return sum(p.stat().st_size for p in directory.rglob("*") if p.is_file())
    except OSError:  # a file moved away between listing and stat: the next call counts again
        return 0


def _write_listing(
    posts: Iterable[Post],
    path: Path,
    manifest: Path,
    summary: ExportSummary,
    *,
    excel: bool,
) -> str:
    """Write the listing at ``path`` and its manifest at ``manifest``; the listing's SHA-256."""
    fmt = summary.fmt
    with path.open("w", encoding="utf-8", newline="") as handle:
        listing = ListingWriter(
            handle if fmt == "csv" else None, handle if fmt == "jsonl" else None, excel=excel
        )
        for post in posts:
            listing.add(post)
            summary.count(post.platform, post.kind, post.source, post.published_at)
    checksum = sha256_file(path)
    delivered = DeliveredFile(path.name, path.stat().st_size, checksum, MEDIA_TYPES[fmt])
    write_manifest(
        manifest,
        manifest_document(
            summary, [delivered], rows=listing.rows, neutralised=listing.neutralised, excel=excel
        ),
    )
    return checksum


def archived_media(archive_dir: Path, post: Post) -> Iterator[RecordPointer]:
    """The archived response of each file the Post shows (its media URLs), where there is one."""
    for url in post.media:
        responses = [e for e in lookup(archive_dir, url) if e.fields.get("mime") != "warc/revisit"]
        if responses:
            yield responses[0].pointer()


def page_title(post: Post) -> str:
    """The title a page gets in a WACZ's page list from a Post read from it: the Post's own
    title when it is the page (or an item of its own), never a comment's or reply's text."""
    if post.kind in ("comment", "reply"):
        return ""
    return " ".join((post.title or post.text[:80]).split())


SOCIAL = frozenset({"x", "mastodon"})
"""Platforms whose captures are API answers, not pages that load files."""


def _write_wacz(
    ws: ExportSource,
    posts: Iterable[Post],
    work: Path,
    wacz_path: Path,
    summary: ExportSummary,
    each: Callable[[Post], None] | None = None,
    *,
    signer: Signer | None = None,
) -> list[CopiedRecord]:
    """Write the WACZ; the records copied into it, with their offsets in its WARC."""
    subset = WarcSubset(
        ws.archive_dir,
        work / "data.warc.gz",
        f"archiveren export {summary.export_id}: {summary.query}",
    )
    pages_done: set[tuple[str, int]] = set()
    try:
        for post in posts:
            summary.count(post.platform, post.kind, post.source, post.published_at)
            if post.capture is not None:
                subset.add(post.capture, page_title(post))
                page = (post.capture.warc_file, post.capture.offset)
                if post.platform not in SOCIAL and page not in pages_done:
                    pages_done.add(page)  # a page's comments share its capture
                    for pointer in page_files(ws.archive_dir, post.capture):
                        subset.add_file(pointer)
            for pointer in archived_media(ws.archive_dir, post):
                subset.add_file(pointer)
            if each is not None:
                each(post)
    finally:
        subset.close()
    summary.records, summary.bytes = subset.records, subset.bytes
    if subset.records == 0:
        raise ExportError(
            f"the query {summary.query!r} with filters {summary.filters} found no archived captures to export"
        )
    build_wacz(subset, wacz_path, f"archiveren {summary.export_id}", work / "pages.jsonl", signer)
    return [CopiedRecord(pointer, offset) for pointer, offset in subset.copied]


def _write_bag(
    ws: ExportSource,
    posts: Iterable[Post],
    bag_dir: Path,
    summary: ExportSummary,
    signer: Signer | None = None,
) -> str:
    """A BagIt 1.0 bag for a Woo request or a legal hold: the WACZ, the listings, the report
    and MDTO (an informatieobject per Post, whose representation is the WACZ; the WACZ as a
    bestand of the export's own informatieobject)."""
    bag_dir.mkdir()
    data = bag_dir / "data"
    data.mkdir()
    work = bag_dir / ".work"
    work.mkdir()
    config = ws.config(check_secrets=False)
    export = Ref(f"Export {summary.export_id}", summary.export_id, SOURCE)
    wacz = Ref(WACZ_NAME, f"{summary.export_id}/{WACZ_NAME}", SOURCE)
    with (
        (data / "listing.csv").open("w", encoding="utf-8", newline="") as csv_out,
        (data / "listing.jsonl").open("w", encoding="utf-8") as jsonl_out,
        MetadataDir(data / "metadata", work / "posts.jsonl") as metadata,
    ):
        listing = ListingWriter(csv_out, jsonl_out)

        def each(post: Post) -> None:
            listing.add(post)
            metadata.add_post(post, [wacz] if post.capture is not None else [])

        copied = _write_wacz(ws, posts, work, data / WACZ_NAME, summary, each, signer=signer)
        wacz_sha256 = sha256_file(data / WACZ_NAME)
        metadata.write(
            "wacz.bestand.mdto.xml",
            bestand_xml(
                wacz,
                size=(data / WACZ_NAME).stat().st_size,
                checksums=[Checksum("SHA256", wacz_sha256)],
                content_type="application/wacz",
                url=f"../{WACZ_NAME}",
                represents=export,
                checked_at=datetime.now(UTC),
            ),
        )
        metadata.write(
            "export.mdto.xml",
            package_xml(
                export, omschrijving=summary.reason, organisation=config.organisation, files=[wacz]
            ),
        )
        metadata.finish()
    shutil.rmtree(work)
    summary.checksums = {
        WACZ_NAME: wacz_sha256,
        "listing.csv": sha256_file(data / "listing.csv"),
    }
    (data / "report.html").write_text(render_report(summary), encoding="utf-8")
    write_bag(
        bag_dir,
        BagInfo(
            source_organization=config.organisation or "archiveren",
            contact_name=summary.user or config.organisation or "archiveren",
            contact_email=config.http.contact,
            external_identifier=summary.export_id,
            external_description=summary.reason,
            extra=(
                ("Archiveren-Package", "bag"),
                ("Archiveren-Query", summary.query or "(alles)"),
                (
                    "Archiveren-Filters",
                    "; ".join(f"{k}={','.join(v)}" for k, v in summary.filters.items()) or "-",
                ),
                ("Archiveren-Records", str(summary.posts)),
                *((("Archiveren-Case", summary.case),) if summary.case else ()),
            ),
        ),
        tag_files=write_bag_evidence(bag_dir, ws.archive_dir, copied, signer),
    )
    if signer is not None:
        for reason in sign_tag_manifest(bag_dir, signer):
            log.warning("bag signature not timestamped by one authority: %s", reason)
    return sha256_file(bag_dir / "tagmanifest-sha256.txt")
