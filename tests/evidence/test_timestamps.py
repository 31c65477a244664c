"""Every closed WARC file gets a timestamp token from the configured authority (a real local
OpenSSL TSA), kept beside it; `verify` checks each one, and a changed byte in the file or a token
from an authority under another CA fails with a message naming the file. An authority that is
down never costs a capture: the next `stamp` adds the token."""

from __future__ import annotations

import json
import time
from pathlib import Path

import yaml

from demo_sources.tsa import LocalTsa
from tests.fixtures.evidence import EvidenceWorld, evidence_world


def closed_warcs(world: EvidenceWorld) -> list[Path]:
    return sorted(world.archive_dir.glob("*.warc.gz"))


def tokens_beside(warc: Path) -> list[Path]:
    return sorted(warc.parent.glob(warc.name + ".*.tsr"))


def test_every_closed_warc_gets_a_valid_token_that_verify_reports(
    tmp_path: Path, feed_url: str, local_tsa: LocalTsa
) -> None:
    world = evidence_world(tmp_path, feed_url, local_tsa)
    collected = world.run("collect")
    assert collected.returncode == 0, collected.stderr
    assert "timestamps: 1 tokens added" in collected.stdout
    (warc,) = closed_warcs(world)
    (token,) = tokens_beside(warc)
    sidecar = json.loads(Path(f"{token}.json").read_text("utf-8"))
    assert sidecar["warc_file"] == warc.name
    assert sidecar["authority_url"] == local_tsa.url
    assert sidecar["authority"] == "CN=archiveren test TSA"
    assert len(sidecar["root_sha256"]) == 64 and sidecar["tree_size"] >= 2

    verified = world.run("verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "timestamps: 1 valid tokens on 1 files" in verified.stdout

    again = world.run("stamp")
    assert again.returncode == 0 and "0 tokens added, 1 files already stamped" in again.stdout
    assert local_tsa.queries == 1


def test_a_changed_byte_in_the_warc_fails_verify_naming_the_file(
    tmp_path: Path, feed_url: str, local_tsa: LocalTsa
) -> None:
    world = evidence_world(tmp_path, feed_url, local_tsa)
    assert world.run("collect").returncode == 0
    (warc,) = closed_warcs(world)
    data = bytearray(warc.read_bytes())
    data[len(data) // 2] ^= 0x01
    warc.write_bytes(bytes(data))

    verified = world.run("verify")
    assert verified.returncode == 1
    assert "Traceback" not in verified.stderr
    problem = next(line for line in verified.stdout.splitlines() if line.startswith("! timestamp"))
    assert warc.name in problem


def test_a_token_from_an_authority_under_another_ca_fails_verify(
    tmp_path: Path, feed_url: str, local_tsa: LocalTsa, other_tsa: LocalTsa
) -> None:
    world = evidence_world(tmp_path, feed_url, other_tsa)
    assert world.run("collect").returncode == 0
    (warc,) = closed_warcs(world)
    world.use_authority(local_tsa)  # the archive trusts local_tsa's CA, not other_tsa's

    verified = world.run("verify")
    assert verified.returncode == 1
    problems = [line for line in verified.stdout.splitlines() if line.startswith("! timestamp")]
    assert len(problems) == 1, verified.stdout
    assert warc.name in problems[0]
    assert "does not verify under the trusted CA" in problems[0]
    assert "CN=archiveren test CA" in problems[0]


def test_an_authority_that_is_down_costs_no_capture_and_a_later_stamp_adds_the_token(
    tmp_path: Path, feed_url: str, local_tsa: LocalTsa
) -> None:
    world = evidence_world(tmp_path, feed_url, local_tsa)
    local_tsa.refusing = True
    collected = world.run("collect")
    assert collected.returncode == 0, collected.stdout + collected.stderr
    assert "blog" in collected.stdout and "ok" in collected.stdout
    assert "HTTP 503" in collected.stdout
    (warc,) = closed_warcs(world)
    assert tokens_beside(warc) == []
    unstamped = world.run("verify")
    assert unstamped.returncode == 1
    assert f"not timestamped: {warc.name} has no timestamp token" in unstamped.stdout

    local_tsa.refusing = False
    stamped = world.run("stamp")
    assert stamped.returncode == 0, stamped.stdout + stamped.stderr
    assert "1 tokens added" in stamped.stdout
    assert len(tokens_beside(warc)) == 1
    assert world.run("verify").returncode == 0


def test_without_authorities_an_unstamped_warc_is_a_warning_not_a_failure(
    tmp_path: Path, feed_url: str
) -> None:
    world = evidence_world(tmp_path, feed_url, None)
    assert world.run("collect").returncode == 0
    (warc,) = closed_warcs(world)
    verified = world.run("verify")
    assert verified.returncode == 0, verified.stdout
    assert f"warning: not timestamped: {warc.name}" in verified.stdout
    refused = world.run("stamp")
    assert refused.returncode == 2
    assert "evidence.tsa_urls is empty" in refused.stderr and "Traceback" not in refused.stderr


def test_the_scheduler_stamps_what_an_earlier_run_left_unstamped(
    tmp_path: Path, feed_url: str, local_tsa: LocalTsa
) -> None:
    world = evidence_world(tmp_path, feed_url, local_tsa)
    local_tsa.refusing = True
    assert world.run("collect").returncode == 0
    (warc,) = closed_warcs(world)
    local_tsa.refusing = False
    log = tmp_path / "schedule.log"
    with log.open("wb") as out:
        scheduler = world.start("schedule", output=out)
        try:
            deadline = time.monotonic() + 30
            while not tokens_beside(warc) and time.monotonic() < deadline:
                time.sleep(0.2)
        finally:
            scheduler.terminate()
            assert scheduler.wait(timeout=30) == 0, log.read_text()
    assert len(tokens_beside(warc)) == 1, log.read_text()
    assert world.run("verify").returncode == 0


def test_a_token_carrying_the_chain_out_of_der_order_is_kept_and_verifies(
    tmp_path: Path, feed_url: str
) -> None:
    """OpenSSL (like many authorities) sends TSA certificate then CA, not in DER SET OF order."""
    with LocalTsa(tmp_path / "chain-tsa", name="with chain", send_chain=True) as tsa:
        world = evidence_world(tmp_path, feed_url, tsa)
        collected = world.run("collect")
        assert "timestamps: 1 tokens added" in collected.stdout, collected.stdout
        verified = world.run("verify")
    assert verified.returncode == 0, verified.stdout
    assert "timestamps: 1 valid tokens on 1 files" in verified.stdout


def test_an_authority_url_with_a_password_is_refused_without_echoing_it(
    tmp_path: Path, feed_url: str, local_tsa: LocalTsa
) -> None:
    world = evidence_world(tmp_path, feed_url, local_tsa)
    config = yaml.safe_load(world.config_path.read_text("utf-8"))
    secret_url = local_tsa.url.replace("://", "://archief:geheim-tsa-wachtwoord@")
    config["evidence"]["tsa_urls"] = [secret_url]
    world.config_path.write_text(yaml.safe_dump(config), encoding="utf-8")
    for command in ("check", "collect", "stamp"):
        refused = world.run(command)
        assert refused.returncode == 2, refused.stdout + refused.stderr
        assert (
            "evidence" in refused.stderr
            and "must not hold a user name or password" in refused.stderr
        )
        assert "geheim-tsa-wachtwoord" not in refused.stdout + refused.stderr
    assert not world.archive_dir.exists() or not closed_warcs(world)
