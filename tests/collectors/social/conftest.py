"""Fixtures for the X, X-archive, Mastodon and Pleio tests: the demo emulators on 127.0.0.1, a way to
run a collector into a WARC directory, the read-back of that directory as extractor Captures and
Posts (paired the way the indexing pipeline pairs them), and the recorded real API exchanges of
tweepy and Mastodon.py (VCR cassettes of the shared corpus, found through
tests/fixtures/material.py) archived as exchanges."""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from archive import CaptureMetadata, HttpExchange, WarcWriter
from collectors.base import CollectContext, Collector, RunReport
from collectors.http import Fetcher
from config.models import ArchiverenConfig, HttpSettings
from demo_sources.compose import compose_dataset
from demo_sources.dataset import Dataset
from demo_sources.httpbase import DemoServer
from demo_sources.markup import Links
from demo_sources.mastodon import MastodonApp
from demo_sources.pleio import PleioApp
from demo_sources.x_api import XApiApp
from foundation.post import Post
from indexer.extractors import Capture
from tests.fixtures.captures import posts_from, read_captures  # noqa: F401 - used by this folder's tests

X_TOKEN = "demo-bearer-AAAAAAAAAAAAAAAAAAAAAGhJvQEAAAAA5ecret%2Ftoken"


@dataclass
class XEmulator:
    app: XApiApp
    data: Dataset
    base_url: str
    token: str


@pytest.fixture
def x_emulator() -> Iterator[XEmulator]:
    """The demo X API v2 emulator over a fresh demo dataset, on its own port."""
    data = compose_dataset()
    links = Links()
    for site in ("blog", "mastodon", "network", "wiki"):
        links.bases[site] = f"http://127.0.0.1:9/{site}/"  # profile links only; never fetched
    app = XApiApp(data, links, bearer_token=X_TOKEN)
    server = DemoServer("x_api", app)
    server.start()
    links.bases["x_api"] = server.base_url
    try:
        yield XEmulator(app, data, server.base_url.rstrip("/"), X_TOKEN)
    finally:
        server.stop()


@dataclass
class MastodonEmulator:
    app: MastodonApp
    data: Dataset
    base_url: str

    @property
    def host(self) -> str:
        return self.base_url.split("://", 1)[1]


@pytest.fixture
def mastodon_emulator() -> Iterator[MastodonEmulator]:
    """The demo Mastodon instance emulator over a fresh demo dataset, on its own port."""
    data = compose_dataset()
    links = Links()
    for site in ("blog", "x_api", "network", "wiki"):
        links.bases[site] = f"http://127.0.0.1:9/{site}/"  # profile links only; never fetched
    app = MastodonApp(data, links)
    server = DemoServer("mastodon", app)
    server.start()
    links.bases["mastodon"] = server.base_url.rstrip("/")
    try:
        yield MastodonEmulator(app, data, server.base_url.rstrip("/"))
    finally:
        server.stop()


@dataclass
class PleioEmulator:
    app: PleioApp
    server: DemoServer
    base_url: str

    @property
    def host(self) -> str:
        return self.base_url.split("://", 1)[1].rstrip("/")

    def graphql_requests(self) -> int:
        """POSTs to /graphql the emulator has answered so far."""
        return sum(
            1 for r in self.server.request_log if r.method == "POST" and r.path == "/graphql"
        )


@pytest.fixture
def pleio_emulator() -> Iterator[PleioEmulator]:
    """The demo Pleio site (its GraphQL API) over fresh demo content, on its own port."""
    data = compose_dataset()
    app = PleioApp(data, Links())
    server = DemoServer("pleio", app)
    server.start()
    try:
        yield PleioEmulator(app, server, server.base_url)
    finally:
        server.stop()


@dataclass
class Harness:
    """Runs collectors into one WARC directory, keeping each source's state between runs."""

    warc_dir: Path
    states: dict[str, dict[str, Any]]

    def run(self, collector_class: type[Collector], source: Any) -> RunReport:
        config = ArchiverenConfig(http=HttpSettings(delay_seconds=0, retries=1), sources=[source])
        state = self.states.setdefault(source.name, {})
        with (
            WarcWriter(self.warc_dir) as writer,
            Fetcher(config.http, writer, backoff_base=0.05) as fetcher,
        ):
            context = CollectContext(
                config=config,
                fetcher=fetcher,
                writer=writer,
                state=state,
                run_id=len(self.states),
                log=logging.getLogger(f"test.{source.name}"),
            )
            report = collector_class(source, context).run().settle()
        return report

    def captures(self) -> list[Capture]:
        return read_captures(self.warc_dir)

    def posts(self) -> dict[str, Post]:
        return posts_from(self.captures())


@pytest.fixture
def harness(tmp_path: Path) -> Harness:
    return Harness(tmp_path / "warcs", {})


# --- recorded real exchanges ---------------------------------------------------------------


def load_cassette(path: Path) -> list[dict[str, Any]]:
    """The interactions of a VCR cassette (YAML, or the JSON flavour of tweepy's v1.1 ones)."""
    text = path.read_text(encoding="utf-8")
    loaded = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    return list(loaded["interactions"])


def _wire_body(response: dict[str, Any]) -> bytes:
    body = response["body"]["string"]
    if isinstance(body, bytes):  # !!binary in YAML: the bytes as received (maybe gzipped)
        return body
    if isinstance(body, dict) and "base64_string" in body:
        return base64.b64decode(body["base64_string"])
    return str(body).encode("utf-8")


def _header_list(headers: dict[str, Any]) -> list[tuple[str, str]]:
    pairs = []
    for name, values in headers.items():
        for value in values if isinstance(values, list) else [values]:
            pairs.append((str(name), str(value)))
    return pairs


def archive_interaction(
    writer: WarcWriter, interaction: dict[str, Any], metadata: CaptureMetadata
) -> None:
    """Write one recorded interaction as the exchange it was (body as received)."""
    request, response = interaction["request"], interaction["response"]
    response_headers = _header_list(response["headers"])
    body = _wire_body(response)
    if body[:2] != b"\x1f\x8b":
        # the recorder kept the decoded body: the headers must describe those bytes
        response_headers = [
            (k, v)
            for k, v in response_headers
            if k.lower() not in ("content-encoding", "content-length")
        ]
        response_headers.append(("Content-Length", str(len(body))))
    writer.write_exchange(
        HttpExchange(
            url=request["uri"],
            method=request["method"],
            request_headers=_header_list(request.get("headers") or {}),
            status=int(response["status"]["code"]),
            reason=str(response["status"]["message"]),
            response_headers=[(k, v) for k, v in response_headers if k.lower() != "status"],
            body=body,
        ),
        metadata,
    )


def cassette_captures(
    tmp_path: Path, recorded: list[tuple[dict[str, Any], CaptureMetadata]]
) -> list[Capture]:
    """Archive recorded interactions into a WARC and read them back as Captures."""
    warc_dir = tmp_path / "cassette-warcs"
    with WarcWriter(warc_dir, dedup=False) as writer:
        for interaction, metadata in recorded:
            archive_interaction(writer, interaction, metadata)
    return read_captures(warc_dir)


def api_metadata(
    collector: str, platform: str, extra: dict[str, Any], source: str = "recorded"
) -> CaptureMetadata:
    return CaptureMetadata(
        source=source,
        platform=platform,
        collector=collector,
        collector_version="test",
        capture_kind="api_page",
        run_id=None,
        extra=extra,
    )
