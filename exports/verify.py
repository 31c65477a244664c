"""``archiveren verify-export``: check every digest of an export package archiveren made."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path

import bagit
from lxml import etree

from exports.mdto import NS
from exports.package import sha256_file
from exports.verify_transfer import check_transfer, is_transfer
from exports.wacz_package import validate_wacz
from foundation.errors import ExportError

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
    checked: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_export_package(path: Path, mdto_schema: Path | None = None) -> ExportCheck:
    path = Path(path)
    check = ExportCheck()
    if not path.exists():
        raise ExportError(f"{path}: no such export")
    if path.is_dir() and is_transfer(path):
        check_transfer(path, check, mdto_schema)
    elif path.is_dir():
        _check_bag(path, check, mdto_schema)
    elif path.suffix == ".wacz":
        check.problems += validate_wacz(path)
        check.checked.append(f"WACZ {path.name}")
    elif path.suffix in (".csv", ".jsonl"):
        _check_listing(path, check)
    else:
        raise ExportError(
            f"{path}: not an archiveren export (a bag directory, .wacz, .csv or .jsonl)"
        )
    return check


def _check_bag(path: Path, check: ExportCheck, mdto_schema: Path | None) -> None:
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
    data = path / "data"
    for wacz in data.glob("*.wacz"):
        check.problems += validate_wacz(wacz)
        check.checked.append(f"WACZ {wacz.name}")
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
    for line in (path / "manifest-sha256.txt").read_text(encoding="utf-8").splitlines():
        expected, _, name = line.partition(" ")
        target = path / name.strip()
        if not target.is_file():
            problems.append(f"{name.strip()}: missing from the bag")
        elif sha256_file(target) != expected:
            problems.append(
                f"{name.strip()}: SHA-256 does not match the manifest (changed after export)"
            )
    return problems


def _check_mdto(path: Path, check: ExportCheck, schema: etree.XMLSchema | None) -> None:
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


def _check_listing(path: Path, check: ExportCheck) -> None:
    rows = 0
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            if path.suffix == ".csv":
                rows = sum(1 for _ in csv.DictReader(handle))
            else:
                for line in handle:
                    rows += 1
                    json.loads(line)
    except (ValueError, csv.Error, UnicodeDecodeError) as exc:
        check.problems.append(f"{path.name}: unreadable listing at row {rows}: {exc}")
        return
    check.checked.append(f"listing {path.name}: {rows} rows")
