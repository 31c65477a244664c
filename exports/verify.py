"""``archiveren verify-export``: check every digest of an export package archiveren made.

What PATH is, is told by its content, never by its name: a directory with ``bagit.txt`` is a
bag (a transfer package when its bag-info or conformance report says so), a zip file whose one
top folder holds ``bagit.txt`` a bag serialised for download, a zip file with
``datapackage.json`` a WACZ, a file with a manifest beside it, or beginning as archiveren's CSV
or JSON Lines listing, a listing (its manifest then found by the SHA-256 it names), and a
manifest is checked with the files it names. Damage is a problem in the ``ExportCheck`` (exit
code 1); what is no export at all raises ``NotAnExport`` (exit code 2). ``expected_sha256`` is
the digest the recipient was given separately (of the file; of ``tagmanifest-sha256.txt`` for a
bag, as the audit log records it) and covers bytes no manifest inside covers.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import bagit
from lxml import etree

from exports.bag_signing import check_bag_evidence
from exports.manifest import looks_like_manifest, manifest_path, read_manifest
from exports.mdto import NS
from exports.package import sha256_file
from exports.verify_listing import (
    check_listing,
    check_manifest,
    check_rows,
    find_manifest,
    listing_format,
)
from exports.verify_transfer import check_transfer, is_transfer
from exports.verify_wacz import ZIP_MAGIC, check_wacz, laid_out_as_wacz, open_zip
from exports.verify_zipped_bag import Check, bag_folder, check_zipped_bag
from exports.wacz_signing import Trust
from foundation.errors import NotAnExport

HEAD_BYTES = 64 * 1024
EXPORT_SUFFIXES = (".wacz", ".csv", ".jsonl", ".json")
"""A file named like an export whose content is not one is a damaged export, not a stranger."""

REQUIRED_MDTO = {
    "informatieobject": (
        "identificatie",
        "naam",
        "waardering",
        "archiefvormer",
        "beperkingGebruik",
    ),
    "bestand": (
        "identificatie",
        "naam",
        "omvang",
        "bestandsformaat",
        "checksum",
        "isRepresentatieVan",
    ),
}


@dataclass
class ExportCheck:
    kind: str = ""
    """what PATH was recognised as: bag, transfer, zipped bag, wacz, csv, jsonl, manifest, or
    damaged (named like an export, its content none)"""
    checked: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_export_package(
    path: Path,
    mdto_schema: Path | None = None,
    expected_sha256: str | None = None,
    trust: Trust | None = None,
) -> ExportCheck:
    """Check the export at ``path``; ``trust`` names the signing keys and time-stamping CAs
    the reader trusts, for a signed WACZ or bag (``exports.wacz_signing``, ``bag_signing``)."""
    path = Path(path)
    trust = trust or Trust()
    check = ExportCheck(kind=recognise(path))
    if expected_sha256 is not None:
        _check_whole(path, expected_sha256.lower(), check)
    try:
        _check_by_kind(path, check, mdto_schema, trust)
    except (OSError, ValueError) as exc:  # a file that vanished or that no reader could decode
        check.problems.append(f"{path.name}: could not be read whole: {exc}")
    return check


def _check_by_kind(path: Path, check: ExportCheck, mdto_schema: Path | None, trust: Trust) -> None:
    if check.kind in ("transfer", "bag"):
        _check_directory(path, check, mdto_schema, trust)
    elif check.kind == "wacz":
        check_wacz(path, check, trust)
    elif check.kind == "zipped bag":
        check_zipped_bag(
            path, check, lambda bag, inner: _check_directory(bag, inner, mdto_schema, trust)
        )
    elif check.kind == "manifest":
        check_manifest(path, check)
    elif check.kind in ("csv", "jsonl"):
        check_listing(path, find_manifest(path, check.kind), check.kind, check)
    else:
        check.problems.append(
            f"{path.name}: named like an export ({path.suffix or 'with a manifest beside it'}) "
            "but its content is not one: damaged beyond recognition, or not made by archiveren"
        )


def _check_directory(path: Path, check: Check, mdto_schema: Path | None, trust: Trust) -> None:
    """A bag or transfer package directory, whichever its bag-info says it is."""
    try:
        transfer = is_transfer(path)
    except (OSError, ValueError):
        transfer = False  # an unreadable bag-info.txt: bagit names it
    if transfer:
        check_transfer(path, check, mdto_schema)
    else:
        _check_bag(path, check, mdto_schema, trust)


def recognise(path: Path) -> str:
    """What ``path`` is by its content (``damaged`` for a file named like an export whose
    content is none); NotAnExport when it is nothing archiveren exports."""
    if path.is_dir():
        if (path / "bagit.txt").is_file():
            try:
                return "transfer" if is_transfer(path) else "bag"
            except (OSError, ValueError):
                return "bag"  # an unreadable bag-info.txt: bagit names it
        raise NotAnExport(
            f"{path}: a directory without bagit.txt, so not a bag or transfer package; "
            "give the bag's directory, or a WACZ, CSV or JSON Lines file"
        )
    if not path.exists():
        raise NotAnExport(f"{path}: no such file or directory")
    if not path.is_file():
        raise NotAnExport(f"{path}: not a regular file or directory")
    beside = manifest_path(path)
    if beside.is_file():
        try:
            fmt = read_manifest(beside).format
        except (ValueError, OSError):
            fmt = ""  # a damaged manifest: the listing is told by its content, the manifest named
        if fmt in ("csv", "jsonl"):
            return fmt
    try:
        with path.open("rb") as handle:
            head = handle.read(HEAD_BYTES)
    except OSError as exc:
        raise NotAnExport(f"{path}: cannot be read ({exc.strerror})") from None
    named = path.suffix.lower() in EXPORT_SUFFIXES
    fmt = listing_format(head)
    if fmt:
        return fmt
    if looks_like_manifest(head):
        return "manifest"
    if head.startswith(ZIP_MAGIC) or zipfile.is_zipfile(path):
        # a zip's directory is at its end: a WACZ whose first bytes changed is still one
        if bag_folder(path):
            return "zipped bag"
        if laid_out_as_wacz(path) or named or isinstance(open_zip(path), str):
            return "wacz"
        raise NotAnExport(
            f"{path}: a zip file without datapackage.json or a WACZ's folders, so not a WACZ, "
            "nor a bag (no single top folder with bagit.txt)"
        )
    if named or beside.is_file():
        return "damaged"
    if not head:
        raise NotAnExport(f"{path}: an empty file, not an export")
    raise NotAnExport(
        f"{path}: not an archiveren export (a bag directory, WACZ, CSV or JSON Lines listing, "
        f"or a manifest); it begins with {head[:24]!r}"
    )


def _check_whole(path: Path, expected: str, check: ExportCheck) -> None:
    """The whole file (a bag's ``tagmanifest-sha256.txt``) against the digest given apart."""
    whole = path / "tagmanifest-sha256.txt" if path.is_dir() else path
    if not whole.is_file():
        check.problems.append(
            f"{path.name}: {whole.name} is missing, so --sha256 cannot be checked"
        )
        return
    actual = sha256_file(whole)
    if actual != expected:
        check.problems.append(
            f"{path.name}: SHA-256 of {whole.name if path.is_dir() else 'the file'} is {actual}, "
            f"not {expected} as given (changed after export, or that digest is another export's)"
        )
    else:
        check.checked.append(f"{whole.name}: SHA-256 matches the one given")


def _check_bag(path: Path, check: Check, mdto_schema: Path | None, trust: Trust) -> None:
    try:
        bag = bagit.Bag(str(path))
        bag.validate(processes=1)
        check.checked.append(
            f"BagIt {path.name}: {len(bag.payload_entries())} payload files, SHA-256 manifests valid"
        )
    except bagit.BagValidationError as exc:
        details = "; ".join(str(d) for d in getattr(exc, "details", [])[:10]) or str(exc)
        check.problems.append(f"{path.name}: BagIt validation failed: {details}")
        check.problems += _changed_payload_files(path)
        return
    except bagit.BagError as exc:
        check.problems.append(f"{path.name}: not a valid bag: {exc}")
        return
    evidence = check_bag_evidence(path, trust)
    check.checked += evidence.lines + [f"warning: {line}" for line in evidence.warnings]
    check.problems += evidence.problems
    data = path / "data"
    for wacz in data.glob("*.wacz"):
        check_wacz(wacz, check, trust)
    schema = etree.XMLSchema(etree.parse(str(mdto_schema))) if mdto_schema else None
    count = 0
    for xml_path in sorted((data / "metadata").glob("*.xml")):
        count += 1
        _check_mdto(xml_path, check, schema)
    check.checked.append(
        f"MDTO: {count} files "
        + ("valid against the XSD" if schema else "checked for the mandatory elements")
    )
    for listing in (data / "listing.csv", data / "listing.jsonl"):
        if listing.exists():
            _check_listing(listing, check)


def _changed_payload_files(path: Path) -> list[str]:
    """Name the payload files whose SHA-256 no longer matches the manifest."""
    problems = []
    manifest = path / "manifest-sha256.txt"
    if not manifest.is_file():
        return [f"{path.name}: manifest-sha256.txt is missing"]
    for line in manifest.read_text(encoding="utf-8").splitlines():
        expected, _, name = line.partition(" ")
        target = path / name.strip()
        if not target.is_file():
            problems.append(f"{name.strip()}: missing from the bag")
        elif sha256_file(target) != expected:
            problems.append(
                f"{name.strip()}: SHA-256 does not match the manifest (changed after export)"
            )
    return problems


def _check_mdto(path: Path, check: Check, schema: etree.XMLSchema | None) -> None:
    try:
        document = etree.parse(str(path))
    except etree.XMLSyntaxError as exc:
        check.problems.append(f"{path.name}: not well-formed XML: {exc}")
        return
    if schema is not None and not schema.validate(document):
        check.problems.append(f"{path.name}: MDTO schema: {schema.error_log.last_error}")
    root = document.getroot()
    for kind, required in REQUIRED_MDTO.items():
        obj = root.find(f"{{{NS}}}{kind}")
        if obj is not None:
            missing = [name for name in required if obj.find(f"{{{NS}}}{name}") is None]
            if missing:
                check.problems.append(f"{path.name}: {kind} lacks {', '.join(missing)}")


def _check_listing(path: Path, check: Check) -> None:
    """A listing inside a bag, whose digests the bag's manifests hold: every row readable."""
    rows = check_rows(path, path.suffix.lstrip("."), check)
    if rows is not None:
        check.checked.append(f"listing {path.name}: {rows} rows")
