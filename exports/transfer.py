"""The transfer package for an e-Depot (``archiveren export --format transfer``): a BagIt 1.0 bag
whose payload is

- ``warcs/``: the original records of every capture of the selected Posts (earlier captures
  included) in uncompressed WARC/1.1 files of at most 1 GB (``exports.transfer_warc``);
- ``metadata/``: MDTO for every Post (informatieobject), for every captured payload and every
  WARC file (bestand, pointing at those bytes with a URL relative to the MDTO file), and for
  the package itself;
- ``conformance.json`` / ``conformance.html``: the guideline's and MDTO's mandatory points, met
  or not, computed by reading the package back (``exports.conformance``);
- ``report.html``: what was exported, by whom and why.

Posts stream from the search; only record and Post ids are kept in memory.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from archive.capture_records import RawRecord
from exports.bagit_package import BagInfo, write_bag
from exports.conformance import mdto_points, warc_points, write_report
from exports.mdto import (
    RECORD_SOURCE,
    SOURCE,
    Checksum,
    Ref,
    bestand_xml,
    package_xml,
    post_name,
    post_ref,
)
from exports.mdto_files import MetadataDir, safe_name
from exports.report import ExportSummary, render_report
from exports.transfer_warc import GIGABYTE, Placed, TransferWarcs
from foundation.errors import ArchiverenError, ExportError
from foundation.pointer import RecordPointer
from foundation.post import Post

CHUNK = 1024 * 1024


@dataclass(frozen=True)
class TransferTarget:
    """What a transfer package needs besides the Posts: where the records are, who makes it."""

    archive_dir: Path
    organisation: str
    contact_email: str
    max_warc_bytes: int = GIGABYTE


def all_captures(post: Post) -> list[RecordPointer]:
    """Every capture of a Post, the newest first: a transfer keeps its whole history (the
    versions of an edited post, and another source's capture of it)."""
    return ([post.capture] if post.capture else []) + list(post.earlier_captures)


def http_payload(record: RawRecord) -> tuple[bytes, str]:
    """The HTTP payload of a record as stored (the block after the HTTP head; content and
    transfer codings kept) and its Content-Type; a record without HTTP is its whole block."""
    block = record.block
    if "application/http" not in record.header("Content-Type"):
        return block, record.header("Content-Type")
    end = block.find(b"\r\n\r\n")
    head = block[: max(end, 0)].decode("latin-1").split("\r\n")[1:]
    content_type = next(
        (
            v.strip()
            for k, _, v in (line.partition(":") for line in head)
            if k.strip().lower() == "content-type"
        ),
        "",
    )
    return (block[end + 4 :] if end >= 0 else b""), content_type


def _checksums(data: bytes) -> list[Checksum]:
    return [
        Checksum("SHA256", hashlib.sha256(data).hexdigest()),
        Checksum("SHA512", hashlib.sha512(data).hexdigest()),
    ]


def _file_checksums(path: Path) -> list[Checksum]:
    sha256, sha512 = hashlib.sha256(), hashlib.sha512()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            sha256.update(chunk)
            sha512.update(chunk)
    return [Checksum("SHA256", sha256.hexdigest()), Checksum("SHA512", sha512.hexdigest())]


def write_transfer(
    target: TransferTarget, posts: Iterable[Post], bag_dir: Path, summary: ExportSummary
) -> str:
    """Build the package in ``bag_dir`` (which must not exist); the SHA-256 of its tag
    manifest, which the audit log records."""
    bag_dir.mkdir()
    data = bag_dir / "data"
    data.mkdir()
    work = bag_dir / ".work"
    work.mkdir()
    package = Ref(f"Overdracht {summary.export_id}", summary.export_id, SOURCE)
    warcs = TransferWarcs(
        target.archive_dir,
        data / "warcs",
        prefix=summary.export_id,
        description=f"archiveren {summary.export_id}: {summary.reason}",
        max_bytes=target.max_warc_bytes,
    )
    checked_at = datetime.now(UTC)
    captures = 0
    with MetadataDir(data / "metadata", work / "posts.jsonl") as metadata:
        described: set[str] = set()
        try:
            for post in posts:
                summary.count(post.platform, post.kind, post.source, post.published_at)
                refs: list[Ref] = []
                for pointer in all_captures(post):
                    captures += 1
                    try:
                        placed = warcs.payload_record(warcs.add(pointer))
                    except ArchiverenError as exc:
                        raise ExportError(
                            f"capture {pointer.record_id} of {post.id} could not be copied: {exc}"
                        ) from None
                    ref = _payload_ref(placed)
                    if ref not in refs:
                        refs.append(ref)
                    if ref.kenmerk not in described:
                        described.add(ref.kenmerk)
                        record = warcs.read(placed)
                        _describe_payload(metadata, placed, record, ref, post, checked_at)
                metadata.add_post(post, refs)
        finally:
            warcs.close()
        if captures == 0:
            raise ExportError(
                f"the query {summary.query!r} with filters {summary.filters} found no archived captures to transfer"
            )
        files = []
        for stats in warcs.stats.files:
            path = data / "warcs" / stats.name
            file_ref = Ref(f"warcs/{stats.name}", f"{summary.export_id}/warcs/{stats.name}", SOURCE)
            files.append(file_ref)
            checksums = _file_checksums(path)
            summary.checksums[f"warcs/{stats.name}"] = checksums[0].value
            metadata.write(
                f"warc-{safe_name(stats.name)}.bestand.mdto.xml",
                bestand_xml(
                    file_ref,
                    size=stats.size,
                    checksums=checksums,
                    content_type="application/warc",
                    url=f"../warcs/{stats.name}",
                    represents=package,
                    checked_at=checked_at,
                ),
            )
        metadata.write(
            "pakket.mdto.xml",
            package_xml(
                package,
                omschrijving=summary.reason,
                organisation=target.organisation,
                files=files,
            ),
        )
        metadata.finish()
    shutil.rmtree(work)
    summary.records = sum(f.records for f in warcs.stats.files)
    summary.bytes = sum(f.size for f in warcs.stats.files)
    (data / "report.html").write_text(render_report(summary), encoding="utf-8")
    points = warc_points(data / "warcs", captures) + mdto_points(data / "metadata", data)
    write_report(data, summary.export_id, points)
    write_bag(
        bag_dir,
        BagInfo(
            source_organization=target.organisation or "archiveren",
            contact_name=summary.user or target.organisation or "archiveren",
            contact_email=target.contact_email,
            external_identifier=summary.export_id,
            external_description=summary.reason,
            extra=(
                ("Archiveren-Package", "transfer"),
                ("Archiveren-Query", summary.query or "(alles)"),
                ("Archiveren-Records", str(summary.posts)),
                *((("Archiveren-Case", summary.case),) if summary.case else ()),
                (
                    "Archiveren-Conformance",
                    "voldaan" if all(p.met for p in points) else "niet voldaan",
                ),
            ),
        ),
    )
    return hashlib.sha256((bag_dir / "tagmanifest-sha256.txt").read_bytes()).hexdigest()


def _payload_ref(placed: Placed) -> Ref:
    return Ref(
        f"warcs/{placed.file}, record {placed.record_id} (HTTP-payload)",
        placed.record_id,
        RECORD_SOURCE,
    )


def _describe_payload(
    metadata: MetadataDir,
    placed: Placed,
    record: RawRecord,
    ref: Ref,
    post: Post,
    checked_at: datetime,
) -> None:
    payload, content_type = http_payload(record)
    metadata.write(
        f"payload-{safe_name(placed.file)}-{placed.offset}.bestand.mdto.xml",
        bestand_xml(
            ref,
            size=len(payload),
            checksums=_checksums(payload),
            content_type=content_type,
            url=f"../warcs/{placed.file}#offset={placed.offset}",
            represents=post_ref(post.id, post_name(post)),
            checked_at=checked_at,
        ),
    )
