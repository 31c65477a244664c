"""``archiveren verify-export`` for a transfer package: the bag (BagIt 1.0, every SHA-512 and
SHA-256 digest), then every point of the conformance report computed again from the package as
it now is (WARC validity and digests, compression, sizes, request/response pairs, mandatory
fields, MDTO), and optionally every MDTO file against the XSD."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Protocol

import bagit
from lxml import etree

from exports.conformance import REPORT_JSON, mdto_points, warc_points

CHUNK = 1024 * 1024


class Check(Protocol):
    checked: list[str]
    problems: list[str]


def is_transfer(path: Path) -> bool:
    info = path / "bag-info.txt"
    return (path / "data" / REPORT_JSON).is_file() or (
        info.is_file() and "Archiveren-Package: transfer" in info.read_text(encoding="utf-8")
    )


def check_transfer(path: Path, check: Check, mdto_schema: Path | None) -> None:
    try:
        bag = bagit.Bag(str(path))
        bag.validate(processes=1)
    except bagit.BagValidationError as exc:
        details = "; ".join(str(d) for d in getattr(exc, "details", [])[:10]) or str(exc)
        check.problems.append(f"{path.name}: BagIt validation failed: {details}")
        check.problems += _changed_files(path)
        return
    except bagit.BagError as exc:
        check.problems.append(f"{path.name}: not a valid bag: {exc}")
        return
    check.checked.append(
        f"BagIt {'.'.join(map(str, bag.version_info))} {path.name}: {len(bag.payload_entries())} payload files, "
        f"{' and '.join(a.upper() for a in bag.algorithms)} manifests valid"
    )
    data = path / "data"
    points = warc_points(data / "warcs", None) + mdto_points(data / "metadata", data)
    for point in points:
        if not point.met:
            check.problems.append(
                f"{point.point}: not met: {'; '.join(point.problems) or point.detail}"
            )
    met = sum(p.met for p in points)
    check.checked.append(
        f"conformance: {met} of {len(points)} points met ({REPORT_JSON} recomputed)"
    )
    if mdto_schema is not None:
        schema = etree.XMLSchema(etree.parse(str(mdto_schema)))
        files = sorted((data / "metadata").glob("*.xml"))
        for xml_path in files:
            if not schema.validate(etree.parse(str(xml_path))):
                check.problems.append(
                    f"{xml_path.name}: MDTO schema: {schema.error_log.last_error}"
                )
        check.checked.append(f"MDTO: {len(files)} files valid against {mdto_schema.name}")


def _changed_files(path: Path) -> list[str]:
    """The payload files whose SHA-512 no longer matches the manifest."""
    problems = []
    manifest = path / "manifest-sha512.txt"
    if not manifest.is_file():
        return [f"{path.name}: manifest-sha512.txt is missing"]
    for line in manifest.read_text(encoding="utf-8").splitlines():
        expected, _, name = line.partition(" ")
        target = path / name.strip()
        if not target.is_file():
            problems.append(f"{name.strip()}: missing from the package")
            continue
        digest = hashlib.sha512()
        with target.open("rb") as handle:
            for chunk in iter(lambda: handle.read(CHUNK), b""):
                digest.update(chunk)
        if digest.hexdigest() != expected:
            problems.append(
                f"{name.strip()}: SHA-512 does not match the manifest (changed after export)"
            )
    return problems
