"""A token the server echoes back is scrubbed everywhere: a fake X API and a fake Mastodon
instance (real HTTP servers on 127.0.0.1) answer with the Authorization header they were sent,
in a 401 body and in a response header, and one Mastodon timeline quotes it in a status. After
``collect -vv --log-json``, ``index`` and exports, neither token is in the logs, the catalogue,
the WARCs (gunzipped), the index or the exports; the archived records carry the marker
instead, say they were redacted, and still pass ``verify`` and the WARC rules."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml
from warcio.archiveiterator import ArchiveIterator

from archive.naming import closed_warcs
from archive.records import _COPY_CHUNK, spool_payload
from foundation.scrub import register_secrets
from tests.fixtures.cli_world import CliWorld
from tests.fixtures.warc_rules import warc_problems
from tests.security.test_secrets_stay_out import readable_bytes

X_ENV, X_TOKEN = "ARCHIVEREN_TEST_ECHO_X_TOKEN", "x-echoed-bearer-91d2c7e0aa"
MASTODON_ENV, MASTODON_TOKEN = (
    "ARCHIVEREN_TEST_ECHO_MASTODON_TOKEN",
    "masto-echoed-access-5e61b0f3cc",
)


def echoed_status(authorization: str) -> dict[str, object]:
    return {
        "id": "1001",
        "created_at": "2026-11-30T10:00:00.000Z",
        "url": "http://127.0.0.1/@griffier/1001",
        "content": f"<p>Jullie stuurden: {authorization} #woo</p>",
        "language": "nl",
        "account": {
            "id": "7",
            "acct": "griffier",
            "username": "griffier",
            "display_name": "Griffier",
            "url": "http://127.0.0.1/@griffier",
        },
        "tags": [{"name": "woo"}],
    }


class EchoingApi(BaseHTTPRequestHandler):
    """Answers every API call with the Authorization header it was sent: a 401 whose body and
    X-Echo-Authorization header quote it, except the Mastodon #woo timeline, which answers 200
    with a status quoting it."""

    received: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        authorization = self.headers.get("Authorization", "")
        self.received.append(authorization)
        if self.path.startswith("/robots.txt"):
            self._answer(404, b"", authorization)
        elif self.path.startswith("/api/v1/timelines/tag/woo"):
            self._answer(200, json.dumps([echoed_status(authorization)]).encode(), authorization)
        else:
            body = {
                "title": "Unauthorized",
                "detail": f"token not accepted: {authorization}",
                "status": 401,
            }
            self._answer(401, json.dumps(body).encode(), authorization)

    def _answer(self, status: int, body: bytes, authorization: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("X-Echo-Authorization", authorization)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - http.server's name
        return


@pytest.fixture
def echoing_api() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), EchoingApi)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def echo_world(root: Path, base: str) -> CliWorld:
    config = {
        "organisation": "Gemeente Deventer",
        "http": {"timeout_seconds": 5, "retries": 0, "delay_seconds": 0},
        "sources": [
            {
                "name": "x-echo",
                "type": "x",
                "api_base": base,
                "accounts": ["griffier"],
                "bearer_token_env": X_ENV,
            },
            {
                "name": "mastodon-echo",
                "type": "mastodon",
                "instance": base,
                "accounts": ["griffier"],
                "hashtags": ["woo"],
                "access_token_env": MASTODON_ENV,
                "include_replies": True,
            },
        ],
    }
    root.mkdir(parents=True, exist_ok=True)
    (root / "sources.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    return CliWorld(
        root / "sources.yaml", root / "data", {X_ENV: X_TOKEN, MASTODON_ENV: MASTODON_TOKEN}
    )


@pytest.mark.timeout(180)
def test_tokens_the_server_echoes_are_scrubbed_from_logs_catalogue_warcs_index_and_exports(
    echoing_api: str, tmp_path: Path
) -> None:
    world = echo_world(tmp_path, echoing_api)
    outputs = [world.run("-vv", "--log-json", "collect")]
    outputs.append(world.run("-vv", "--log-json", "index"))
    found = world.run("search", "woo", "--json")
    outputs.append(found)
    exports = tmp_path / "exports"
    for fmt in ("bag", "wacz", "jsonl", "transfer"):
        outputs.append(
            world.run(
                "-vv",
                "--log-json",
                "export",
                "--format",
                fmt,
                "--out",
                str(exports / f"alles.{fmt}"),
                "--reason",
                "Woo-verzoek echo",
            )
        )
    verified = world.run("verify")

    assert (
        f"Bearer {X_TOKEN}" in EchoingApi.received
        and f"Bearer {MASTODON_TOKEN}" in EchoingApi.received
    ), "both tokens were really sent"
    assert "the X API refused the bearer token" in outputs[0].stdout, outputs[0].stdout
    assert all(done.returncode in (0, 1) for done in outputs) and "Traceback" not in "".join(
        d.stderr for d in outputs
    )
    assert verified.returncode == 0, verified.stdout + verified.stderr
    leaks = [
        (f"output of command {i}", token)
        for i, done in enumerate(outputs)
        for token in (X_TOKEN, MASTODON_TOKEN)
        if token in done.stdout + done.stderr
    ]
    for root in (world.data_dir, exports):
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            for name, data in readable_bytes(path):
                leaks += [
                    (name, token) for token in (X_TOKEN, MASTODON_TOKEN) if token.encode() in data
                ]
    assert leaks == []
    [hit] = json.loads(found.stdout)["hits"]
    assert f"[REDACTED:{MASTODON_ENV}]" in hit["text"], "the indexed Post holds the marker"
    assert (exports / "alles.bag").is_dir() and (exports / "alles.wacz").is_file()


@pytest.mark.timeout(120)
def test_redacted_records_say_so_and_keep_consistent_digests(
    echoing_api: str, tmp_path: Path
) -> None:
    world = echo_world(tmp_path, echoing_api)
    world.run("collect")
    warcs = closed_warcs(world.archive_dir)
    # the X client finds no peer address on this HTTP/1.0 server's connection (not a digest rule)
    problems = [p for path in warcs for p in warc_problems(path) if "WARC-IP-Address" not in p]
    assert warcs and problems == []
    marked = []
    for path in warcs:
        with path.open("rb") as stream:
            for record in ArchiveIterator(stream, check_digests=True):
                redacted = record.rec_headers.get_header("WARC-Archiveren-Redacted")
                body = record.content_stream().read()
                if record.rec_type == "response" and redacted:
                    declared = record.http_headers.get_header("Content-Length")
                    assert declared == str(len(body)), "Content-Length follows the scrubbed body"
                    marked.append(
                        (redacted, record.http_headers.get_header("X-Echo-Authorization"))
                    )
                    assert b"[REDACTED:" in body
                assert record.digest_checker.passed is not False, (
                    f"{path.name}: {record.rec_headers.get_header('WARC-Record-ID')}"
                )
    assert (X_ENV, f"Bearer [REDACTED:{X_ENV}]") in marked
    assert (MASTODON_ENV, f"Bearer [REDACTED:{MASTODON_ENV}]") in marked


def test_a_secret_split_across_read_chunks_is_still_scrubbed_and_the_digest_is_of_the_stored_bytes() -> (
    None
):
    register_secrets({X_ENV: X_TOKEN})
    body = b"a" * (_COPY_CHUNK - 10) + X_TOKEN.encode() + b" einde"
    payload = spool_payload(io.BytesIO(body))
    stored = payload.stream.read()
    assert stored == b"a" * (_COPY_CHUNK - 10) + f"[REDACTED:{X_ENV}] einde".encode()
    assert payload.length == len(stored) and payload.redacted == {X_ENV}
    assert payload.digest == "sha1:" + base64.b32encode(hashlib.sha1(stored).digest()).decode()
