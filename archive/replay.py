"""Replay of captured pages for the record view. Two ways, both from a RecordPointer:
pywb (full-fidelity, rewritten replay) runs as its own ``wayback`` process over the archive
directory and the CDXJ index we keep, because importing pywb's WSGI apps monkey-patches the whole
interpreter with gevent, which must not happen inside the UI; and a minimal built-in replay that
serves the record's payload with its own status and headers (hop-by-hop and cookie headers
dropped), for when no pywb process is running. ``replay_path`` gives the URL path for either."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

import yaml

from archive.cdxj import lookup
from archive.naming import INDEX_NAME
from archive.pointer import RecordPointer
from archive.reader import ArchivedRecord, read_record
from archiveren.errors import ArchiveError

COLLECTION = "archive"
_DROP_HEADERS = frozenset(
    {
        "transfer-encoding",
        "x-archive-orig-transfer-encoding",
        "connection",
        "keep-alive",
        "set-cookie",
        "content-length",
        "strict-transport-security",
        "content-security-policy",
    }
)


def warc_timestamp(capture_date: str) -> str:
    """The 14-digit timestamp pywb routes use, from a WARC-Date."""
    digits = re.sub(r"\D", "", capture_date)[:14]
    if len(digits) < 14:
        raise ArchiveError(f"capture date {capture_date!r} is not an ISO 8601 WARC-Date")
    return digits


def replay_path(pointer: RecordPointer, *, prefix: str = "/replay", raw: bool = True) -> str:
    """``{prefix}/{collection}/{timestamp}id_/{url}`` (``raw``: bytes as archived) or
    ``.../{timestamp}mp_/{url}`` (rewritten for browsing) for the capture a pointer names."""
    modifier = "id_" if raw else "mp_"
    return f"{prefix}/{COLLECTION}/{warc_timestamp(pointer.capture_date)}{modifier}/{pointer.target_uri}"


@dataclass(frozen=True)
class ReplayResponse:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


def replay_response(archive_dir: Path, pointer: RecordPointer) -> ReplayResponse:
    """The captured response as it was served: its status, its headers (minus hop-by-hop,
    cookie and security-policy headers that would act on our own site) and its stored body,
    content coding kept. A revisit is answered with the payload of the record it refers to."""
    record = read_record(archive_dir, pointer)
    payload_record = _payload_source(archive_dir, record)
    headers = [
        (name, value)
        for name, value in (record.http_headers or [])
        if name.lower() not in _DROP_HEADERS
    ]
    if record.http_headers is None:
        content_type = record.warc_header("Content-Type") or "application/octet-stream"
        headers = [("Content-Type", content_type)]
    body = payload_record.raw_payload()
    headers.append(("Content-Length", str(len(body))))
    return ReplayResponse(status=record.http_status or 200, headers=headers, body=body)


def _payload_source(archive_dir: Path, record: ArchivedRecord) -> ArchivedRecord:
    if record.rec_type != "revisit":
        return record
    uri = record.refers_to_target_uri or record.pointer.target_uri
    when = warc_timestamp(record.refers_to_date or record.pointer.capture_date)
    digest = record.pointer.payload_digest  # revisits written before issue 23 carry one
    for entry in lookup(archive_dir, uri, when):
        if entry.fields.get("mime") == "warc/revisit":
            continue
        if digest:
            if entry.fields.get("digest") == digest:
                return read_record(archive_dir, entry.pointer())
            continue
        # closest first: the original is normally the first candidate; its id must match
        original = read_record(archive_dir, entry.pointer())
        if original.pointer.record_id == record.refers_to:
            return original
    raise ArchiveError(
        f"revisit {record.pointer.record_id} refers to a capture of {uri} at {when} that is not "
        "in the CDXJ index; rebuild the index or check that the original WARC is present"
    )


def write_pywb_config(archive_dir: Path, workdir: Path) -> Path:
    """A pywb ``config.yaml`` in ``workdir`` with one collection over the archive directory and
    its CDXJ index; returns its path."""
    archive_dir = Path(archive_dir).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    config = {
        "collections": {
            COLLECTION: {
                "index_paths": str(archive_dir / INDEX_NAME),
                "archive_paths": str(archive_dir) + "/",
            }
        },
        "framed_replay": False,
    }
    path = workdir / "config.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


class PywbServer:
    """A ``wayback`` process replaying the archive directory on 127.0.0.1; a context manager.
    ``base_url`` + ``replay_path(pointer, prefix="")`` is a capture's replay URL."""

    def __init__(self, archive_dir: Path, workdir: Path, port: int | None = None) -> None:
        self.archive_dir = archive_dir
        self.workdir = workdir
        self.port = port or _free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self._process: subprocess.Popen[bytes] | None = None
        self._log: BinaryIO | None = None

    def start(self, timeout: float = 30.0) -> None:
        write_pywb_config(self.archive_dir, self.workdir)
        wayback = Path(sys.executable).with_name("wayback")
        self._log = open(self.workdir / "wayback.log", "wb")  # noqa: SIM115 - closed in stop()
        self._process = subprocess.Popen(
            [str(wayback), "-p", str(self.port), "-b", "127.0.0.1", "-t", "2"],
            cwd=self.workdir,
            stdout=subprocess.DEVNULL,
            stderr=self._log,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise ArchiveError(
                    f"pywb (wayback) exited at start; see {self.workdir / 'wayback.log'}"
                )
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise ArchiveError(f"pywb (wayback) did not listen on port {self.port} in {timeout}s")

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
            self._process = None
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> PywbServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
