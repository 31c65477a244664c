"""Secrets never leave the process that uses them: a collection with an X bearer token and a
Mastodon access token set, run with -v and --log-json, then indexed and exported, leaves neither
token in the logs, the WARCs (read decompressed), the catalogue database, the index or the
exports (WACZ and bag opened up)."""

from __future__ import annotations

import gzip
import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from demo_sources import DemoSources
from tests.fixtures.cli_world import write_world

X_TOKEN = "x-secret-bearer-7f3c9a1e5d"
MASTODON_TOKEN = "masto-secret-access-4b8e2d6f0a"
MASTODON_ENV = "ARCHIVEREN_TEST_MASTODON_TOKEN"


def readable_bytes(path: Path) -> Iterator[tuple[str, bytes]]:
    """The bytes of ``path`` as a reader would see them: gzip members inflated, zip members
    opened (recursively), everything else as stored."""
    data = path.read_bytes()
    yield from _unpacked(str(path), data)


def _unpacked(name: str, data: bytes) -> Iterator[tuple[str, bytes]]:
    yield name, data
    if data[:2] == b"\x1f\x8b":
        try:
            yield from _unpacked(name + "!gunzip", gzip.decompress(data))
        except (OSError, EOFError):
            pass
    elif data[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for member in archive.namelist():
                yield from _unpacked(f"{name}!{member}", archive.read(member))


@pytest.mark.timeout(180)
def test_tokens_reach_no_log_warc_catalogue_index_or_export(
    demo_sources: DemoSources, tmp_path: Path
) -> None:
    demo_sources.x.set_bearer_token(X_TOKEN)
    world = write_world(
        demo_sources, tmp_path, sources=("x-ambtenaren", "mastodon-overheid", "blog-zoe")
    )
    config = yaml.safe_load(world.config_path.read_text("utf-8"))
    for source in config["sources"]:
        if source["type"] == "mastodon":
            source["access_token_env"] = MASTODON_ENV
    world.config_path.write_text(yaml.safe_dump(config), "utf-8")
    world.env.update({"ARCHIVEREN_DEMO_X_TOKEN": X_TOKEN, MASTODON_ENV: MASTODON_TOKEN})

    logs = []
    for args in (["-v", "-v", "--log-json", "collect"], ["-v", "--log-json", "index"]):
        done = world.run(*args)
        assert done.returncode == 0, done.stderr[-2000:]
        logs.append(done.stdout + done.stderr)
    exports = tmp_path / "exports"
    for fmt in ("bag", "wacz", "jsonl", "transfer"):
        world.ok(
            "export", "--format", fmt, "--out", str(exports / f"all.{fmt}"), "--reason", "audit"
        )

    assert "x-ambtenaren" in logs[0] and "mastodon-overheid" in logs[0], "the sources ran"
    for site, token in (("x_api", X_TOKEN), ("mastodon", MASTODON_TOKEN)):
        sent = [r for r in demo_sources.request_log[site] if token in str(r.headers)]
        assert sent, f"the {site} token was really sent"
    leaks = [
        ("log", i) for i, text in enumerate(logs) for t in (X_TOKEN, MASTODON_TOKEN) if t in text
    ]
    for root in (world.data_dir, exports):
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            for name, data in readable_bytes(path):
                leaks += [(name, t) for t in (X_TOKEN, MASTODON_TOKEN) if t.encode() in data]
    assert leaks == []
