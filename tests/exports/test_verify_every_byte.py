"""Any changed byte of an export fails ``verify_export_package``, and it never raises: a byte
flipped at three hundred places across a WACZ is found unless nothing the WACZ holds changed (a
timestamp in the zip directory, a deflate stream's padding bits), and those ``expected_sha256``
finds; a byte changed at three hundred places of a CSV and a JSON Lines listing (the first and
last included), and in every file of a bag, is found from the manifests alone."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import pytest

from exports import run_export, verify_export_package
from workspace import Workspace

PLACES = 300


def exported(ws: Workspace, fmt: str, out: Path) -> Path:
    return run_export(ws, query="", filters={}, fmt=fmt, out=out, reason="test", user="compliance")


def flipped(data: bytes, at: int) -> bytes:
    changed = bytearray(data)
    changed[at] ^= 0x01
    return bytes(changed)


def contents(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as wacz:
        return {name: wacz.read(name) for name in wacz.namelist()}


@pytest.mark.timeout(300)
def test_a_byte_changed_anywhere_in_a_wacz_is_found(
    archived_workspace: Workspace, tmp_path: Path
) -> None:
    original = exported(archived_workspace, "wacz", tmp_path / "woo.wacz").read_bytes()
    held = contents(tmp_path / "woo.wacz")
    given = hashlib.sha256(original).hexdigest()
    damaged = tmp_path / "beschadigd"
    unseen = []
    for at in range(0, len(original), max(1, len(original) // PLACES)):
        damaged.write_bytes(flipped(original, at))
        if verify_export_package(damaged).ok:
            assert contents(damaged) == held, f"byte {at}: changed content passed verification"
            unseen.append(at)
            assert not verify_export_package(damaged, expected_sha256=given).ok
    assert len(unseen) < PLACES // 10, f"{len(unseen)} changes only --sha256 found: {unseen}"


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_a_byte_changed_anywhere_in_a_listing_is_found_by_its_manifest(
    archived_workspace: Workspace, tmp_path: Path, fmt: str
) -> None:
    out = exported(archived_workspace, fmt, tmp_path / f"woo.{fmt}")
    original = out.read_bytes()
    for at in [*range(0, len(original), max(1, len(original) // PLACES)), len(original) - 1]:
        out.write_bytes(flipped(original, at))
        check = verify_export_package(out)
        assert not check.ok and out.name in check.problems[0], at


@pytest.mark.timeout(300)
def test_a_byte_changed_in_any_file_of_a_bag_is_found(
    archived_workspace: Workspace, tmp_path: Path
) -> None:
    bag = exported(archived_workspace, "bag", tmp_path / "woo-bag")
    for path in sorted(p for p in bag.rglob("*") if p.is_file()):
        original = path.read_bytes()
        path.write_bytes(flipped(original, len(original) // 2))
        check = verify_export_package(bag)
        assert not check.ok, f"{path.relative_to(bag)} changed and the bag still verified"
        path.write_bytes(original)
    assert verify_export_package(bag).ok


def test_a_local_header_that_differs_from_the_zip_directory_is_found(
    archived_workspace: Workspace, tmp_path: Path
) -> None:
    out = exported(archived_workspace, "wacz", tmp_path / "woo.wacz")
    out.write_bytes(flipped(out.read_bytes(), 10))  # the first member's modification time
    check = verify_export_package(out)
    assert not check.ok
    assert "local header differs from the zip directory in its modification time" in " ".join(
        check.problems
    )


def zipped(bag: Path, target: Path) -> Path:
    """``bag`` serialised as RFC 8493 section 4 has it: its directory the zip's one top folder."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(p for p in bag.rglob("*") if p.is_file()):
            archive.write(path, (Path(bag.name) / path.relative_to(bag)).as_posix())
    return target


def test_a_bag_downloaded_as_a_zip_is_verified_and_a_change_inside_is_named(
    archived_workspace: Workspace, tmp_path: Path
) -> None:
    bag = exported(archived_workspace, "bag", tmp_path / "woo-bag")
    download = zipped(bag, tmp_path / "download")
    check = verify_export_package(download)
    assert check.kind == "zipped bag" and check.ok, check.problems

    listing = bag / "data" / "listing.csv"
    listing.write_bytes(listing.read_bytes().replace(b"Fenna", b"Fanny"))
    check = verify_export_package(zipped(bag, tmp_path / "gewijzigd.zip"))
    assert not check.ok
    assert "gewijzigd.zip, in woo-bag/: data/listing.csv: SHA-256 does not match" in " ".join(
        check.problems
    )

    damaged = tmp_path / "beschadigd.zip"
    original = download.read_bytes()
    damaged.write_bytes(flipped(original, len(original) // 2))
    check = verify_export_package(damaged)
    assert not check.ok and check.problems[0].startswith("beschadigd.zip")
