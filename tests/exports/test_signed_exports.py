"""Signed packages (issue 29): ``archiveren keys create`` makes the organisation's signing key, a
WACZ export is signed per the WACZ signing spec (anonymous form, plus an RFC 3161 timeSignature
from a local authority) and OpenSSL verifies its signature and timestamp on its own; py-wacz's
validation accepts it; ``verify-export --signer --ca`` says who signed and when, and fails with a
message, never a traceback, when a byte changed, another key signed it or the timestamp is not
under the CA the reader trusts."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import stat
import subprocess
import sys
import threading
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from demo_sources.tsa import LocalTsa
from evidence.stamping import stamp_archive
from tests.exports.conftest import CONFIG, make_posts
from tests.fixtures.cli_world import CliWorld
from workspace import Workspace

REASON = "Woo-verzoek 2026-114"
REPO = Path(__file__).resolve().parents[2]


@dataclass
class SigningWorld:
    cli: CliWorld
    key_file: Path
    public_key: Path
    fingerprint: str
    ca: Path
    tmp: Path

    def export(self, fmt: str, name: str) -> Path:
        out = self.tmp / name
        self.cli.ok("export", "--format", fmt, "--out", str(out), "--reason", REASON)
        return out

    def verify(self, path: Path, *extra: str) -> subprocess.CompletedProcess[str]:
        done = self.cli.run("verify-export", str(path), *extra)
        assert "Traceback" not in done.stdout + done.stderr, done.stdout + done.stderr
        return done


def with_evidence(config_path: Path, tsa: LocalTsa) -> None:
    config = yaml.safe_load(config_path.read_text("utf-8"))
    config["evidence"] = {
        "tsa_urls": [tsa.url],
        "ca_files": [str(tsa.ca_file)],
        "timeout_seconds": 5,
        "signing_key_file": "sleutels/ondertekening.pem",
    }
    config_path.write_text(yaml.safe_dump(config), encoding="utf-8")


def make_signing_world(root: Path, tsa: LocalTsa) -> SigningWorld:
    """Eight archived, indexed and timestamped Posts; a config naming the local authority and a
    signing key made with `archiveren keys create`."""
    config = root / "sources.yaml"
    config.write_text(CONFIG, encoding="utf-8")
    with_evidence(config, tsa)
    ws = Workspace(config_path=config, data_dir=root / "data")
    ws.catalogue()
    ws.backend().index_posts(make_posts(ws.archive_dir, 8))
    stamp_archive(ws.archive_dir, ws.config(check_secrets=False).evidence)
    ws.close()
    cli = CliWorld(config, ws.data_dir)
    made = cli.ok("keys", "create")
    public = root / "organisatie.pub.pem"
    public.write_text(made[made.index("-----BEGIN PUBLIC KEY-----") :], encoding="ascii")
    fingerprint = made.split("fingerprint (SHA-256 of the public key): ")[1].split()[0]
    return SigningWorld(
        cli, root / "sleutels/ondertekening.pem", public, fingerprint, tsa.ca_file, root
    )


@pytest.fixture
def signing_world(tmp_path: Path, local_tsa: LocalTsa) -> SigningWorld:
    """A world of its own, for tests that change its key or config."""
    return make_signing_world(tmp_path, local_tsa)


@dataclass
class SignedExports:
    world: SigningWorld
    wacz: Path
    bag: Path


@pytest.fixture(scope="module")
def signed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SignedExports]:
    """One signed WACZ and one signed bag, shared by the tests that only read them (or copies)."""
    root = tmp_path_factory.mktemp("signed")
    with LocalTsa(root / "tsa") as tsa:
        world = make_signing_world(root, tsa)
        yield SignedExports(world, world.export("wacz", "woo.wacz"), world.export("bag", "woo-bag"))


def copy_of(path: Path, tmp_path: Path) -> Path:
    target = tmp_path / path.name
    if path.is_dir():
        shutil.copytree(path, target)
    else:
        shutil.copyfile(path, target)
    return target


def signed_data(wacz: Path) -> tuple[dict[str, object], dict[str, object], bytes]:
    with zipfile.ZipFile(wacz) as package:
        digest = json.loads(package.read("datapackage-digest.json"))
        datapackage = package.read("datapackage.json")
    return digest, json.loads(datapackage), datapackage


def openssl(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["openssl", *args], capture_output=True, text=True, cwd=cwd)


def test_keys_create_writes_a_key_only_its_owner_reads_and_show_prints_the_public_key(
    signing_world: SigningWorld,
) -> None:
    key = signing_world.key_file
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    shown = signing_world.cli.ok("keys", "show")
    assert signing_world.fingerprint in shown and "BEGIN PUBLIC KEY" in shown
    assert "PRIVATE" not in shown
    again = signing_world.cli.run("keys", "create")
    assert again.returncode != 0 and "Traceback" not in again.stdout + again.stderr
    assert "never overwritten" in again.stdout + again.stderr
    os.chmod(key, 0o644)
    loose = signing_world.cli.run("keys", "show")
    assert loose.returncode != 0 and "chmod 600" in loose.stdout + loose.stderr


def test_a_signed_wacz_has_the_spec_fields_and_openssl_verifies_signature_and_timestamp(
    signed: SignedExports, tmp_path: Path
) -> None:
    signing_world, wacz = signed.world, signed.wacz
    digest, package, datapackage = signed_data(wacz)
    signed = digest["signedData"]
    assert isinstance(signed, dict)
    assert signed["hash"] == digest["hash"] == "sha256:" + hashlib.sha256(datapackage).hexdigest()
    assert signed["created"] == package["created"]
    assert {"signature", "publicKey", "software", "timeSignature", "timestampCert"} <= set(signed)
    work = tmp_path / "openssl"
    work.mkdir()
    (work / "pub.der").write_bytes(base64.b64decode(str(signed["publicKey"])))
    raw = base64.b64decode(str(signed["signature"]))
    assert len(raw) == 96  # r || s on P-384, as WebCrypto writes it
    r, s = int.from_bytes(raw[:48], "big"), int.from_bytes(raw[48:], "big")
    (work / "sig.der").write_bytes(encode_dss_signature(r, s))
    (work / "hash.txt").write_text(str(signed["hash"]), encoding="ascii")
    as_pem = openssl(
        "pkey", "-pubin", "-inform", "DER", "-in", "pub.der", "-out", "pub.pem", cwd=work
    )
    assert as_pem.returncode == 0, as_pem.stderr
    assert (work / "pub.pem").read_text("ascii") == signing_world.public_key.read_text("ascii")
    checked = openssl(
        "dgst", "-sha256", "-verify", "pub.pem", "-signature", "sig.der", "hash.txt", cwd=work
    )
    assert checked.stdout.strip() == "Verified OK", checked.stdout + checked.stderr
    (work / "time.tsr").write_bytes(base64.b64decode(str(signed["timeSignature"])))
    (work / "signature.txt").write_text(str(signed["signature"]), encoding="ascii")
    timed = openssl(
        "ts", "-verify", "-data", "signature.txt", "-in", "time.tsr", "-CAfile",
        str(signing_world.ca), cwd=work,
    )  # fmt: skip
    assert "Verification: OK" in timed.stdout, timed.stdout + timed.stderr
    validated = subprocess.run(
        [sys.executable, "-m", "wacz", "validate", "-f", str(wacz)], capture_output=True, text=True
    )
    assert validated.returncode == 0, validated.stdout + validated.stderr


def test_verify_export_says_who_signed_and_when(signed: SignedExports) -> None:
    signing_world, wacz = signed.world, signed.wacz
    done = signing_world.verify(
        wacz, "--signer", str(signing_world.public_key), "--ca", str(signing_world.ca)
    )
    assert done.returncode == 0, done.stdout
    assert f"signed by key {signing_world.fingerprint}" in done.stdout
    assert "the signing key is the one you trust" in done.stdout
    assert "the signature existed at 20" in done.stdout and "RFC 3161" in done.stdout


def rewrite_digest(wacz: Path, out: Path, change: object) -> Path:
    """A copy of ``wacz`` whose datapackage.json and datapackage-digest.json ``change`` made."""
    with zipfile.ZipFile(wacz) as source, zipfile.ZipFile(out, "w") as target:
        package = json.loads(source.read("datapackage.json"))
        digest = json.loads(source.read("datapackage-digest.json"))
        assert callable(change)
        change(package, digest)
        data = json.dumps(package).encode()
        if digest["hash"] != "keep":
            digest["hash"] = "sha256:" + hashlib.sha256(data).hexdigest()
        for info in source.infolist():
            if info.filename == "datapackage.json":
                target.writestr(info, data)
            elif info.filename == "datapackage-digest.json":
                target.writestr(info, json.dumps(digest))
            else:
                target.writestr(info, source.read(info))
    return out


def test_a_changed_datapackage_with_a_fresh_digest_fails_on_the_signature(
    signed: SignedExports, tmp_path: Path
) -> None:
    signing_world, wacz = signed.world, signed.wacz

    def retitle(package: dict[str, object], digest: dict[str, object]) -> None:
        package["title"] = "een andere titel"

    changed = signing_world.verify(rewrite_digest(wacz, tmp_path / "a.wacz", retitle))
    assert changed.returncode == 1
    assert "the package changed after it was signed" in changed.stdout

    def resign_hash(package: dict[str, object], digest: dict[str, object]) -> None:
        package["title"] = "een andere titel"
        data = json.dumps(package).encode()
        signed = digest["signedData"]
        assert isinstance(signed, dict)
        signed["hash"] = "sha256:" + hashlib.sha256(data).hexdigest()

    forged = signing_world.verify(rewrite_digest(wacz, tmp_path / "b.wacz", resign_hash))
    assert forged.returncode == 1
    assert "the signature does not verify with the public key beside it" in forged.stdout


def test_one_changed_byte_of_a_signed_wacz_fails(signed: SignedExports, tmp_path: Path) -> None:
    signing_world, wacz = signed.world, copy_of(signed.wacz, tmp_path)
    data = bytearray(wacz.read_bytes())
    data[len(data) // 3] ^= 0x01
    wacz.write_bytes(bytes(data))
    done = signing_world.verify(wacz, "--signer", str(signing_world.public_key))
    assert done.returncode == 1 and "export FAILED" in done.stdout


@pytest.mark.slow  # two exports and four commands: about 50 s on a loaded 2-core machine
def test_a_wacz_signed_with_another_key_is_refused_when_the_signer_is_named(
    signing_world: SigningWorld, tmp_path: Path
) -> None:
    wacz = signing_world.export("wacz", "woo.wacz")
    signing_world.key_file.rename(tmp_path / "oud.pem")
    signing_world.cli.ok("keys", "create")
    other = signing_world.export("wacz", "ander.wacz")
    assert signing_world.verify(other).returncode == 0
    done = signing_world.verify(other, "--signer", str(signing_world.public_key))
    assert done.returncode == 1
    assert "which is not the signer you named" in done.stdout
    assert signing_world.verify(wacz, "--signer", str(signing_world.public_key)).returncode == 0


def test_a_time_signature_not_under_the_trusted_ca_fails(
    signed: SignedExports, other_tsa: LocalTsa
) -> None:
    signing_world, wacz = signed.world, signed.wacz
    done = signing_world.verify(wacz, "--ca", str(other_tsa.ca_file))
    assert done.returncode == 1
    assert "timeSignature" in done.stdout and "another authority or changed" in done.stdout


def test_an_unsigned_wacz_is_refused_when_a_signer_is_named(signing_world: SigningWorld) -> None:
    config_path = signing_world.cli.config_path
    config = yaml.safe_load(config_path.read_text("utf-8"))
    del config["evidence"]["signing_key_file"]
    config_path.write_text(yaml.safe_dump(config), encoding="utf-8")
    wacz = signing_world.export("wacz", "ongetekend.wacz")
    plain = signing_world.verify(wacz)
    assert plain.returncode == 0 and "not signed" in plain.stdout
    done = signing_world.verify(wacz, "--signer", str(signing_world.public_key))
    assert done.returncode == 1 and "not signed" in done.stdout


def retag(bag: Path) -> None:
    """Recompute both tag manifests over the files they list, as someone who changed a tag file
    and wanted bagit to pass would."""
    for algorithm in ("sha512", "sha256"):
        manifest = bag / f"tagmanifest-{algorithm}.txt"
        lines = []
        for line in manifest.read_text("utf-8").splitlines():
            name = line.split(maxsplit=1)[1]
            digest = hashlib.new(algorithm, (bag / name).read_bytes()).hexdigest()
            lines.append(f"{digest}  {name}\n")
        manifest.write_text("".join(lines), encoding="utf-8")


def test_a_signed_bag_carries_the_warc_timestamps_and_a_signature_openssl_verifies(
    signed: SignedExports,
) -> None:
    signing_world, bag = signed.world, signed.bag
    listed = (bag / "tagmanifest-sha512.txt").read_text("utf-8")
    assert "timestamps/records.jsonl" in listed and "signature/signer-public-key.pem" in listed
    assert "tagmanifest-sha512.txt.sig" not in listed
    tokens = sorted((bag / "timestamps").glob("*.warc.gz.*.tsr"))
    assert tokens
    records = (bag / "timestamps/records.jsonl").read_text("utf-8").splitlines()
    assert len(records) == 8
    checked = openssl(
        "dgst", "-sha256", "-verify", "signature/signer-public-key.pem", "-signature",
        "signature/tagmanifest-sha512.txt.sig", "tagmanifest-sha512.txt", cwd=bag,
    )  # fmt: skip
    assert checked.stdout.strip() == "Verified OK", checked.stdout + checked.stderr
    timed = openssl(
        "ts", "-verify", "-data", "signature/tagmanifest-sha512.txt.sig", "-in",
        "signature/tagmanifest-sha512.txt.sig.tsr", "-CAfile", str(signing_world.ca), cwd=bag,
    )  # fmt: skip
    assert "Verification: OK" in timed.stdout, timed.stdout + timed.stderr
    root = json.loads(records[0])["root_sha256"]
    stamped = openssl(
        "ts", "-verify", "-digest", root, "-in", str(tokens[0]), "-CAfile", str(signing_world.ca),
        cwd=bag,
    )  # fmt: skip
    assert "Verification: OK" in stamped.stdout, stamped.stdout + stamped.stderr
    done = signing_world.verify(
        bag, "--signer", str(signing_world.public_key), "--ca", str(signing_world.ca)
    )
    assert done.returncode == 0, done.stdout
    assert f"signed by key {signing_world.fingerprint}" in done.stdout
    assert "8 records lead to their archive file's root; 1 tokens valid" in done.stdout
    assert "its records were in the archive at 20" in done.stdout
    if shutil.which("java") and shutil.which("javac"):
        java = subprocess.run(
            [sys.executable, REPO / "scripts" / "bagit-check", bag],
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert java.returncode == 0 and "VALID " in java.stdout, java.stdout + java.stderr
    private = signing_world.key_file.read_bytes()
    body = b"".join(private.splitlines()[1:-1])
    for path in [p for p in bag.rglob("*") if p.is_file()] + [signed.wacz]:
        content = path.read_bytes()
        assert b"PRIVATE KEY" not in content and body[:40] not in content, path


def test_a_changed_tag_file_of_a_signed_bag_fails_on_the_signature(
    signed: SignedExports, tmp_path: Path
) -> None:
    signing_world, bag = signed.world, copy_of(signed.bag, tmp_path)
    with (bag / "bag-info.txt").open("a", encoding="utf-8") as info:
        info.write("Internal-Sender-Description: achteraf toegevoegd\n")
    retag(bag)
    done = signing_world.verify(bag, "--ca", str(signing_world.ca))
    assert done.returncode == 1
    assert "were changed after it was signed" in done.stdout


def test_a_changed_inclusion_path_in_a_bag_fails_naming_the_record(
    signed: SignedExports, tmp_path: Path
) -> None:
    signing_world, bag = signed.world, copy_of(signed.bag, tmp_path)
    records = bag / "timestamps/records.jsonl"
    lines = records.read_text("utf-8").splitlines()
    first = json.loads(lines[0])
    node = first["inclusion_path"][0]
    first["inclusion_path"][0] = ("1" if node[0] != "1" else "2") + node[1:]
    records.write_text("\n".join([json.dumps(first), *lines[1:]]) + "\n", encoding="utf-8")
    retag(bag)
    done = signing_world.verify(bag, "--ca", str(signing_world.ca))
    assert done.returncode == 1
    assert f"record {first['record_id']} in the WACZ does not lead" in done.stdout


WEBCRYPTO_VERIFY = """async ([publicKey, signature, hash]) => {
  const bytes = (b64) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const key = await crypto.subtle.importKey(
    "spki", bytes(publicKey), {name: "ECDSA", namedCurve: "P-384"}, false, ["verify"]);
  return await crypto.subtle.verify(
    {name: "ECDSA", hash: "SHA-256"}, key, bytes(signature), new TextEncoder().encode(hash));
}"""
"""How a browser checks the anonymous form (WebCrypto, as ArchiveWeb.page signs with it)."""


@pytest.mark.browser
def test_headless_chromium_verifies_the_wacz_signature_with_webcrypto(
    signed: SignedExports, chromium: Any, tmp_path: Path
) -> None:
    digest, _, _ = signed_data(signed.wacz)
    signed_part = digest["signedData"]
    assert isinstance(signed_part, dict)
    (tmp_path / "index.html").write_text("<title>webcrypto</title>", encoding="utf-8")
    server = ThreadingHTTPServer(
        ("127.0.0.1", 0), partial(SimpleHTTPRequestHandler, directory=str(tmp_path))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    context = chromium.new_context()
    try:
        page = context.new_page()
        # WebCrypto needs a secure context: a page from 127.0.0.1 is one
        page.goto(f"http://127.0.0.1:{server.server_address[1]}/index.html")
        args = [signed_part["publicKey"], signed_part["signature"], signed_part["hash"]]
        assert page.evaluate(WEBCRYPTO_VERIFY, args) is True
        changed = [*args[:2], str(args[2]).replace("sha256:", "sha256:0", 1)[:-1]]
        assert page.evaluate(WEBCRYPTO_VERIFY, changed) is False
    finally:
        context.close()
        server.shutdown()
        server.server_close()
