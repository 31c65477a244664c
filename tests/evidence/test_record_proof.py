"""`archiveren proof POST_ID` writes a self-contained file that `verify-proof` accepts on a
machine without the archive (an empty directory, no config), and rejects, with a message and exit
status 1 and never a traceback, once any byte of the record or of its inclusion path changed, or
when the token's authority is not under the CA the reader trusts."""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from demo_sources import DemoSources
from demo_sources.tsa import LocalTsa
from tests.fixtures.evidence import EvidenceWorld, demo_x_world


@dataclass
class MadeProof:
    world: EvidenceWorld
    proof: Path
    ca: Path
    other_ca: Path


@pytest.fixture(scope="module")
def made_proof(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MadeProof]:
    """A proof for one demo tweet, collected from the X emulator and stamped by a local TSA."""
    tmp = tmp_path_factory.mktemp("proof")
    with (
        DemoSources() as demo,
        LocalTsa(tmp / "tsa") as tsa,
        LocalTsa(tmp / "other", name="someone else") as other,
    ):
        world = demo_x_world(tmp, demo, tsa)
        for command in (("collect",), ("index",)):
            done = world.run(*command)
            assert done.returncode == 0, done.stdout + done.stderr
        found = json.loads(world.run("search", "--json", "--filter", "kind=post").stdout)
        post_id = found["hits"][0]["id"]
        made = world.run("proof", post_id, "--out", str(tmp / "bewijs.json"))
        assert made.returncode == 0, made.stdout + made.stderr
        yield MadeProof(world, tmp / "bewijs.json", tsa.ca_file, other.ca_file)


def verify_elsewhere(proof: Path, tmp_path: Path, *ca: Path) -> subprocess.CompletedProcess[str]:
    """verify-proof in an empty directory, with a config and a data dir that do not exist."""
    empty = tmp_path / "elders"
    empty.mkdir(exist_ok=True)
    copy = empty / proof.name
    shutil.copy(proof, copy)
    for n, cert in enumerate(ca):
        shutil.copy(cert, empty / f"ca{n}.pem")
    world = EvidenceWorld(empty / "no-config.yaml", empty / "no-data")
    args = [arg for n in range(len(ca)) for arg in ("--ca", f"ca{n}.pem")]
    return world.run("verify-proof", copy.name, *args, cwd=empty)


def changed(proof: Path, tmp_path: Path, change: str, position: int) -> Path:
    data = json.loads(proof.read_text("utf-8"))
    if change == "record":
        record = bytearray(base64.b64decode(data["record"]["bytes_base64"]))
        record[position % len(record)] ^= 0x01
        data["record"]["bytes_base64"] = base64.b64encode(bytes(record)).decode()
    else:
        path = data["tree"]["inclusion_path"]
        node = path[position % len(path)]
        path[position % len(path)] = ("1" if node[0] != "1" else "2") + node[1:]
    out = tmp_path / f"bewijs-{change}-{position}.json"
    out.write_text(json.dumps(data), encoding="utf-8")
    return out


def test_the_proof_is_small_and_carries_record_path_root_and_token(made_proof: MadeProof) -> None:
    proof = json.loads(made_proof.proof.read_text("utf-8"))
    assert made_proof.proof.stat().st_size < 64 * 1024
    assert proof["record"]["warc_file"].endswith(".warc.gz")
    assert len(base64.b64decode(proof["record"]["bytes_base64"])) == proof["record"]["length"]
    assert 0 <= proof["tree"]["leaf_index"] < proof["tree"]["tree_size"]
    assert len(proof["timestamps"]) == 1 and proof["timestamps"][0]["certificates_pem"]


def test_verify_proof_accepts_the_file_in_an_empty_directory(
    made_proof: MadeProof, tmp_path: Path
) -> None:
    checked = verify_elsewhere(made_proof.proof, tmp_path, made_proof.ca)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "proof OK" in checked.stdout
    assert "by CN=archiveren demo TSA" in checked.stdout
    assert "warning" not in checked.stdout

    without_ca = verify_elsewhere(made_proof.proof, tmp_path)
    assert without_ca.returncode == 0
    assert "warning: checked against the CA certificate inside the proof" in without_ca.stdout


@pytest.mark.parametrize("position", [0, 7, 500, -1])
def test_a_changed_byte_of_the_record_is_rejected(
    made_proof: MadeProof, tmp_path: Path, position: int
) -> None:
    checked = verify_elsewhere(
        changed(made_proof.proof, tmp_path, "record", position), tmp_path, made_proof.ca
    )
    assert checked.returncode == 1
    assert "proof REJECTED" in checked.stdout and "do not lead to the root" in checked.stdout
    assert "Traceback" not in checked.stderr


@pytest.mark.parametrize("position", [0, 1, 2])
def test_a_changed_byte_of_the_inclusion_path_is_rejected(
    made_proof: MadeProof, tmp_path: Path, position: int
) -> None:
    checked = verify_elsewhere(
        changed(made_proof.proof, tmp_path, "path", position), tmp_path, made_proof.ca
    )
    assert checked.returncode == 1
    assert "proof REJECTED" in checked.stdout and "do not lead to the root" in checked.stdout


def test_a_token_not_under_the_trusted_ca_is_rejected(
    made_proof: MadeProof, tmp_path: Path
) -> None:
    checked = verify_elsewhere(made_proof.proof, tmp_path, made_proof.other_ca)
    assert checked.returncode == 1
    assert "does not verify under the trusted CA" in checked.stdout


def test_a_file_that_is_not_a_proof_is_refused_with_a_message(tmp_path: Path) -> None:
    broken = tmp_path / "bewijs.json"
    broken.write_text('{"format": "archiveren-record-proof", "version": 1, "record": ', "utf-8")
    checked = EvidenceWorld(tmp_path / "none.yaml", tmp_path / "none").run(
        "verify-proof", str(broken)
    )
    assert checked.returncode == 1
    assert f"{broken}: not a record proof (not JSON" in checked.stdout
    assert "Traceback" not in checked.stderr
