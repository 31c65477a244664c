"""``archiveren verify-export`` tells an export by its content and finds any changed byte: one
byte changed in a CSV, JSON Lines or WACZ export is named with the file and exit code 1, never a
traceback; a renamed export is verified all the same; what is no export at all (a missing path,
an empty or foreign file, a directory, a zip without datapackage.json) exits 2 with a clear
message; ``--sha256`` also covers the zip bytes no digest inside a WACZ covers."""

from __future__ import annotations

import json
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.fixtures.cli_world import CliWorld

REASON = "Woo-verzoek 2026-114"
LISTING = {"csv": "woo.csv", "jsonl": "woo.jsonl", "wacz": "woo.wacz", "bag": "woo-bag"}


def export(world: CliWorld, fmt: str, out: Path, *extra: str) -> Path:
    world.ok("export", "--format", fmt, "--out", str(out), "--reason", REASON, *extra)
    return out


def verify(world: CliWorld, path: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    done = world.run("verify-export", str(path), *extra)
    assert "Traceback" not in done.stdout + done.stderr, done.stdout + done.stderr
    return done


def flip_byte(path: Path, at: int) -> None:
    data = bytearray(path.read_bytes())
    data[at] ^= 0x01
    path.write_bytes(bytes(data))


def wacz_member_middle(path: Path, member: str) -> int:
    """The offset in the file of a byte in the middle of ``member``'s stored data."""
    with zipfile.ZipFile(path) as wacz:
        info = wacz.getinfo(member)
    with path.open("rb") as handle:
        handle.seek(info.header_offset + 26)
        name_length = int.from_bytes(handle.read(2), "little")
        extra_length = int.from_bytes(handle.read(2), "little")
    return info.header_offset + 30 + name_length + extra_length + info.compress_size // 2


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "wacz"])
def test_one_changed_byte_is_named_with_the_file_and_exit_code_1(
    export_world: CliWorld, tmp_path: Path, fmt: str
) -> None:
    out = export(export_world, fmt, tmp_path / LISTING[fmt])
    assert verify(export_world, out).returncode == 0
    at = (
        wacz_member_middle(out, "archive/data.warc.gz")
        if fmt == "wacz"
        else out.stat().st_size // 2
    )
    flip_byte(out, at)
    done = verify(export_world, out)
    assert done.returncode == 1, done.stdout
    assert out.name in done.stdout and "export FAILED" in done.stdout


def test_a_changed_datapackage_json_is_found(export_world: CliWorld, tmp_path: Path) -> None:
    out = export(export_world, "wacz", tmp_path / "woo.wacz")
    flip_byte(out, wacz_member_middle(out, "datapackage.json"))
    done = verify(export_world, out)
    assert done.returncode == 1 and "datapackage.json" in done.stdout, done.stdout


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "wacz", "bag"])
def test_a_renamed_export_is_verified_by_its_content(
    export_world: CliWorld, tmp_path: Path, fmt: str
) -> None:
    out = export(export_world, fmt, tmp_path / LISTING[fmt])
    renamed = out.rename(tmp_path / "ontvangen")
    done = verify(export_world, renamed)
    assert done.returncode == 0 and "export OK" in done.stdout, done.stdout
    if fmt in ("csv", "jsonl"):
        assert f"exported as {out.name}" in done.stdout


def test_a_renamed_and_changed_listing_is_found_damaged(
    export_world: CliWorld, tmp_path: Path
) -> None:
    out = export(export_world, "csv", tmp_path / "woo.csv")
    renamed = out.rename(tmp_path / "ontvangen")
    renamed.write_bytes(renamed.read_bytes().replace(b"Fenna", b"Fanny"))
    done = verify(export_world, renamed)
    assert done.returncode == 1 and "ontvangen (exported as woo.csv)" in done.stdout, done.stdout


def test_the_manifest_names_what_was_delivered_as_sha256sum_sees_it(
    export_world: CliWorld, tmp_path: Path
) -> None:
    out = export(export_world, "jsonl", tmp_path / "woo.jsonl", "--filter", "platform=blog")
    manifest = json.loads((tmp_path / "woo.jsonl.manifest.json").read_text(encoding="utf-8"))
    [delivered] = manifest["files"]
    sha256sum = subprocess.run(
        ["sha256sum", str(out)], capture_output=True, text=True, check=True
    ).stdout.split()[0]
    assert delivered == {
        "name": "woo.jsonl",
        "bytes": out.stat().st_size,
        "sha256": sha256sum,
        "media_type": "application/jsonl; charset=utf-8",
    }
    assert manifest["reason"] == REASON and manifest["actor"] == "cli"
    assert manifest["filters"] == {"platform": ["blog"]} and manifest["format"] == "jsonl"
    assert manifest["counts"]["rows"] == 10 and manifest["software"].startswith("archiveren/")
    assert "geheim-token-123" not in json.dumps(manifest)


def test_a_listing_without_its_manifest_is_damaged(export_world: CliWorld, tmp_path: Path) -> None:
    out = export(export_world, "csv", tmp_path / "woo.csv")
    (tmp_path / "woo.csv.manifest.json").unlink()
    done = verify(export_world, out)
    assert done.returncode == 1 and "woo.csv: no manifest" in done.stdout, done.stdout


def test_a_manifest_is_verified_with_the_file_it_names(
    export_world: CliWorld, tmp_path: Path
) -> None:
    out = export(export_world, "csv", tmp_path / "woo.csv")
    manifest = tmp_path / "woo.csv.manifest.json"
    assert verify(export_world, manifest).returncode == 0
    out.unlink()
    done = verify(export_world, manifest)
    assert done.returncode == 1 and "woo.csv: named by" in done.stdout, done.stdout


def test_a_truncated_wacz_is_damaged_not_a_traceback(
    export_world: CliWorld, tmp_path: Path
) -> None:
    out = export(export_world, "wacz", tmp_path / "woo.wacz")
    out.write_bytes(out.read_bytes()[: out.stat().st_size // 2])
    renamed = out.rename(tmp_path / "half")
    done = verify(export_world, renamed)
    assert done.returncode == 1 and "half: not a readable zip file" in done.stdout, done.stdout


@pytest.mark.parametrize(
    ("name", "make", "said"),
    [
        ("leeg", lambda p: p.write_bytes(b""), "an empty file"),
        ("rommel", lambda p: p.write_bytes(b"\x00\xffgeen export"), "not an archiveren export"),
        ("map", lambda p: p.mkdir(), "a directory without bagit.txt"),
        ("weg", lambda p: None, "no such file or directory"),
        (
            "ander.zip",
            lambda p: zipfile.ZipFile(p, "w").writestr("brief.txt", "hallo"),
            "a zip file without datapackage.json",
        ),
    ],
)
def test_what_is_no_export_exits_2_with_a_clear_message(
    export_world: CliWorld, tmp_path: Path, name: str, make: Callable[[Path], object], said: str
) -> None:
    path = tmp_path / name
    make(path)
    done = verify(export_world, path)
    assert done.returncode == 2, done
    assert said in done.stderr and name in done.stderr, done.stderr


def test_sha256_covers_the_zip_bytes_no_digest_inside_covers(
    export_world: CliWorld, tmp_path: Path
) -> None:
    out = export(export_world, "wacz", tmp_path / "woo.wacz")
    given = subprocess.run(
        ["sha256sum", str(out)], capture_output=True, text=True, check=True
    ).stdout.split()[0]
    assert verify(export_world, out, "--sha256", given.upper()).returncode == 0
    with zipfile.ZipFile(out) as wacz:
        directory_start = wacz.start_dir
    flip_byte(out, directory_start + 4)  # the "version made by" of a member in the zip directory
    assert verify(export_world, out).returncode == 0, "no digest inside covers that byte"
    done = verify(export_world, out, "--sha256", given)
    assert done.returncode == 1 and f"not {given} as given" in done.stdout, done.stdout
    refused = export_world.run("verify-export", str(out), "--sha256", "abc")
    assert refused.returncode == 2 and "64 hexadecimal digits" in refused.stderr
