"""``verify-export`` for a WACZ: every zip member read whole (so zip's CRC-32 and the deflate
stream are checked) and its local header compared with the zip directory's entry (method,
flags, time, CRC-32, sizes: the copy a streaming unzip reads), every resource's SHA-256 and size
against ``datapackage.json``, that file's own digest against ``datapackage-digest.json``, no
member the package does not list; then py-wacz's validation of the structure. The few bytes no
digest covers (the directory's file attributes and "made by" version, the zip comment, padding
bits at a deflate stream's end) are checked only by ``--sha256``.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from exports.wacz_signing import Trust, check_signed_data

CHUNK = 1024 * 1024
DATAPACKAGE = "datapackage.json"
DATAPACKAGE_DIGEST = "datapackage-digest.json"
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
"""A zip file with members, and an empty one."""
READ_FAILURES = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    OSError,
    NotImplementedError,
    RuntimeError,
    ValueError,
)
"""What reading a damaged zip raises: a bad CRC-32 or header, a broken deflate stream, a member
that ends early, an unknown compression method, a flag saying it is encrypted."""


LOCAL_HEADER = struct.Struct("<4s5H3L2H")
DATA_DESCRIPTOR_FLAG = 0x08
"""Set when CRC-32 and sizes follow the data instead of being in the local header."""


class Check(Protocol):
    checked: list[str]
    problems: list[str]


@dataclass
class Members:
    """What reading every member gave: each one's SHA-256 and size, and the two datapackage
    files' bytes."""

    digests: dict[str, tuple[str, int]] = field(default_factory=dict)
    kept: dict[str, bytes] = field(default_factory=dict)


def open_zip(path: Path) -> zipfile.ZipFile | str:
    """The zip file at ``path``, or why it cannot be read as one."""
    try:
        return zipfile.ZipFile(path)
    except READ_FAILURES as exc:
        return f"{path.name}: not a readable zip file ({exc}): truncated or damaged"


WACZ_FOLDERS = ("archive/", "indexes/", "pages/")


def laid_out_as_wacz(path: Path) -> bool:
    """Whether ``path`` is a readable zip file that holds a ``datapackage.json`` or the folders
    of a WACZ (its datapackage.json may be what was damaged)."""
    archive = open_zip(path)
    if isinstance(archive, str):
        return False
    with archive:
        names = archive.namelist()
    return DATAPACKAGE in names or any(name.startswith(WACZ_FOLDERS) for name in names)


def check_wacz(path: Path, check: Check, trust: Trust | None = None) -> None:
    """Check the WACZ at ``path``; its signature too when it has one (and when ``trust`` names
    signers, a WACZ without one is a problem)."""
    trust = trust or Trust()
    archive = open_zip(path)
    if isinstance(archive, str):
        check.problems.append(archive)
        return
    with archive:
        problems, members = _read_members(path, archive)
    if not problems:
        problems = _check_datapackage(path, members)
    if not problems:
        problems = _py_wacz_validation(path)
    check.problems += problems
    if not problems:
        check.checked.append(
            f"WACZ {path.name}: {len(members.digests) - 2} resources, SHA-256 and size of each match "
            f"{DATAPACKAGE}, its digest matches {DATAPACKAGE_DIGEST}, py-wacz validation passed"
        )
        _check_signature(path, members, trust, check)


def _check_signature(path: Path, members: Members, trust: Trust, check: Check) -> None:
    digest = json.loads(members.kept[DATAPACKAGE_DIGEST])
    if "signedData" not in digest:
        if trust.signers:
            check.problems.append(
                f"{path.name}: not signed, but you asked who signed it (--signer)"
            )
        else:
            check.checked.append(f"warning: {path.name}: not signed (no signedData)")
        return
    package = json.loads(members.kept[DATAPACKAGE])
    found = check_signed_data(
        path.name, digest["signedData"], digest["hash"], package.get("created"), trust
    )
    check.checked += found.lines + [f"warning: {line}" for line in found.warnings]
    check.problems += found.problems


def _read_members(path: Path, archive: zipfile.ZipFile) -> tuple[list[str], Members]:
    """Read every member whole: its SHA-256 and size, and the datapackage files' bytes."""
    problems: list[str] = []
    members = Members()
    names = [info.filename for info in archive.infolist()]
    for twice in sorted({name for name in names if names.count(name) > 1}):
        problems.append(f"{path.name}: the member {twice} is in the zip more than once")
    for info in archive.infolist():
        disagreement = _local_header_disagreement(archive, info)
        if disagreement:
            problems.append(
                f"{path.name}: member {info.filename}'s local header differs from the zip directory in its {disagreement}"
            )
        digest = hashlib.sha256()
        size = 0
        kept = io.BytesIO()
        keep = info.filename in (DATAPACKAGE, DATAPACKAGE_DIGEST)
        try:
            with archive.open(info) as member:
                for chunk in iter(lambda: member.read(CHUNK), b""):
                    digest.update(chunk)
                    size += len(chunk)
                    if keep:
                        kept.write(chunk)
        except READ_FAILURES as exc:
            problems.append(f"{path.name}: member {info.filename} is damaged ({exc})")
            continue
        members.digests[info.filename] = (digest.hexdigest(), size)
        if keep:
            members.kept[info.filename] = kept.getvalue()
    return problems, members


def _local_header_disagreement(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> str:
    """What of ``info``'s local header differs from its entry in the zip directory ('' when
    nothing does); a damaged header itself raises when the member is read."""
    handle = archive.fp
    if handle is None:
        return ""
    handle.seek(info.header_offset)
    raw = handle.read(LOCAL_HEADER.size)
    if len(raw) < LOCAL_HEADER.size:
        return ""  # reading the member reports the truncation
    _, version, flags, method, time, date, crc, packed, size, _, _ = LOCAL_HEADER.unpack(raw)
    year, month, day, hour, minute, second = info.date_time
    expected_date = (year - 1980) << 9 | month << 5 | day
    expected_time = hour << 11 | minute << 5 | second // 2
    fields = [
        ("version needed", version, info.extract_version),
        ("flags", flags, info.flag_bits),
        ("compression method", method, info.compress_type),
        ("modification time", (date, time), (expected_date, expected_time)),
    ]
    if not flags & DATA_DESCRIPTOR_FLAG and packed != 0xFFFFFFFF:
        fields += [
            ("CRC-32", crc, info.CRC),
            ("compressed size", packed, info.compress_size),
            ("size", size, info.file_size),
        ]
    return ", ".join(name for name, local, central in fields if local != central)


def _check_datapackage(path: Path, members: Members) -> list[str]:
    for needed in (DATAPACKAGE, DATAPACKAGE_DIGEST):
        if needed not in members.kept:
            return [f"{path.name}: {needed} is missing, so nothing in the WACZ can be checked"]
    package_bytes = members.kept[DATAPACKAGE]
    problems: list[str] = []
    try:
        package = json.loads(package_bytes)
        recorded = json.loads(members.kept[DATAPACKAGE_DIGEST])["hash"]
        resources = [
            (str(r["path"]), str(r["hash"]), int(r["bytes"])) for r in package["resources"]
        ]
    except (ValueError, KeyError, TypeError) as exc:
        return [f"{path.name}: {DATAPACKAGE} or {DATAPACKAGE_DIGEST} is unreadable ({exc!r})"]
    if recorded != "sha256:" + hashlib.sha256(package_bytes).hexdigest():
        problems.append(
            f"{path.name}: {DATAPACKAGE} does not match the SHA-256 in {DATAPACKAGE_DIGEST} (changed after export)"
        )
    listed = set()
    for name, expected, size in resources:
        listed.add(name)
        if name not in members.digests:
            problems.append(f"{path.name}: {name} is listed in {DATAPACKAGE} but missing")
            continue
        digest, actual_size = members.digests[name]
        if expected.lower() != f"sha256:{digest}" or size != actual_size:
            problems.append(
                f"{path.name}: {name} does not match its SHA-256 and size in {DATAPACKAGE} (changed after export)"
            )
    for name in sorted(set(members.digests) - listed - {DATAPACKAGE, DATAPACKAGE_DIGEST}):
        problems.append(f"{path.name}: {name} is in the zip but not listed in {DATAPACKAGE}")
    return problems


def _py_wacz_validation(path: Path) -> list[str]:
    """py-wacz's own validation (structure, indexes, pages); problems, empty when valid."""
    from wacz.main import main as wacz_main

    chatter = io.StringIO()
    try:
        with contextlib.redirect_stdout(chatter):
            code = wacz_main(["validate", "-f", str(path)])
    except Exception as exc:  # py-wacz may raise anything on a package it cannot read
        return [f"{path.name}: py-wacz could not validate it ({type(exc).__name__}: {exc})"]
    if code in (0, None):
        return []
    return [f"{path.name}: WACZ validation failed: {chatter.getvalue().strip()[-500:]}"]
