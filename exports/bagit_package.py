"""Close a directory whose ``data/`` holds a package's payload into a BagIt 1.0 bag (RFC 8493):
SHA-512 and SHA-256 payload manifests and tag manifests, and a bag-info.txt with the
reserved elements an e-Depot reads (Source-Organization, Contact-Name, Contact-Email,
External-Identifier, Bagging-Date, Payload-Oxum, Bag-Software-Agent).

bagit.py's ``make_bag`` writes BagIt 0.97 and changes the process's working directory while it
works (unsafe beside the web server's threads), so the bag is written here, each payload file
read once for both digests; bagit.py and bagit-java validate it in the tests and bagit.py in
``archiveren verify-export``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from foundation import SOFTWARE

ALGORITHMS = ("sha512", "sha256")
BAGIT_TXT = "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"
CHUNK = 1024 * 1024


@dataclass(frozen=True)
class BagInfo:
    """Who made the bag and why; Bagging-Date, Payload-Oxum and Bag-Software-Agent are added."""

    source_organization: str
    contact_name: str
    contact_email: str
    external_identifier: str
    external_description: str = ""
    extra: tuple[tuple[str, str], ...] = ()


def _encode(path: str) -> str:
    """RFC 8493 section 2.1.3: CR, LF and % in a manifest's file names are percent-encoded."""
    return path.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _digests(path: Path) -> dict[str, str]:
    hashes = {name: hashlib.new(name) for name in ALGORITHMS}
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            for digest in hashes.values():
                digest.update(chunk)
    return {name: digest.hexdigest() for name, digest in hashes.items()}


def _write_manifests(bag: Path, prefix: str, files: list[Path]) -> None:
    lines: dict[str, list[str]] = {name: [] for name in ALGORITHMS}
    for path in files:
        relative = _encode(path.relative_to(bag).as_posix())
        for name, value in _digests(path).items():
            lines[name].append(f"{value}  {relative}\n")
    for name in ALGORITHMS:
        (bag / f"{prefix}-{name}.txt").write_text("".join(lines[name]), encoding="utf-8")


def _clean(value: str) -> str:
    """A bag-info value on one line (RFC 8493 allows folding; one line is read by every tool)."""
    return " ".join(value.split()) or "-"


def write_bag(bag: Path, info: BagInfo, tag_files: Sequence[Path] = ()) -> None:
    """Turn ``bag`` (with its payload already in ``bag/data``) into a bag; ``tag_files``, tag
    files already written into it (evidence), are listed in the tag manifests too."""
    payload = sorted(p for p in (bag / "data").rglob("*") if p.is_file())
    _write_manifests(bag, "manifest", payload)
    octets = sum(p.stat().st_size for p in payload)
    fields = [
        ("Source-Organization", info.source_organization),
        ("Contact-Name", info.contact_name),
        ("Contact-Email", info.contact_email),
        ("External-Identifier", info.external_identifier),
        ("External-Description", info.external_description),
        ("Bagging-Date", datetime.now(UTC).date().isoformat()),
        ("Payload-Oxum", f"{octets}.{len(payload)}"),
        ("Bag-Software-Agent", SOFTWARE),
        *info.extra,
    ]
    (bag / "bagit.txt").write_text(BAGIT_TXT, encoding="utf-8")
    (bag / "bag-info.txt").write_text(
        "".join(f"{key}: {_clean(value)}\n" for key, value in fields if value), encoding="utf-8"
    )
    tags = [bag / "bagit.txt", bag / "bag-info.txt"]
    tags += [bag / f"manifest-{name}.txt" for name in ALGORITHMS]
    tags += sorted(tag_files)
    _write_manifests(bag, "tagmanifest", tags)
