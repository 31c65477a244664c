"""``verify-export`` for a bag or transfer package serialised as a zip file (RFC 8493 section 4:
the bag's directory is the zip's one top folder), as the export downloads hand them out: the
zip is unpacked into a private temporary directory, read whole (every member's CRC-32), and
the bag inside is checked as a bag directory is. The unpacked copy needs as much free space as
the bag and is removed afterwards."""

from __future__ import annotations

import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from exports.verify_wacz import READ_FAILURES, open_zip

BAG_DECLARATION = "bagit.txt"


class Check(Protocol):
    checked: list[str]
    problems: list[str]


def bag_folder(path: Path) -> str:
    """The one top folder of a readable zip file that holds a bag ('' when it is not one)."""
    archive = open_zip(path)
    if isinstance(archive, str):
        return ""
    with archive:
        names = archive.namelist()
    tops = {name.split("/", 1)[0] for name in names}
    if len(tops) != 1:
        return ""
    [top] = tops
    return top if f"{top}/{BAG_DECLARATION}" in names else ""


def check_zipped_bag(
    path: Path, check: Check, check_directory: Callable[[Path, Check], None]
) -> None:
    """Unpack ``path`` and hand the bag inside to ``check_directory``; problems found there
    are named as inside ``path``."""
    folder = bag_folder(path)
    with tempfile.TemporaryDirectory(prefix="archiveren-verify-") as unpacked:
        try:
            with zipfile.ZipFile(path) as archive:
                archive.extractall(unpacked)
        except READ_FAILURES as exc:
            check.problems.append(f"{path.name}: cannot be unpacked whole ({exc}): damaged")
            return
        inner: Check = _Collected()
        check_directory(Path(unpacked) / folder, inner)
    check.checked += [f"{path.name}, unpacked: {line}" for line in inner.checked]
    check.problems += [f"{path.name}, in {folder}/: {line}" for line in inner.problems]


class _Collected:
    def __init__(self) -> None:
        self.checked: list[str] = []
        self.problems: list[str] = []
