"""The WARC writer collectors use: one per process, thread-safe, a context manager. Each capture
becomes a group of gzip-per-record WARC/1.1 records (response or revisit, request, metadata) in
the current ``.open`` file; files roll over at a configured size or age and on close are fsynced,
renamed, listed in the fixity manifest and merged into the CDXJ index. Several processes can
write into one archive directory: names are claimed exclusively, and each live ``.open`` file is
flock-ed so recovery in another process never touches it."""

from __future__ import annotations

import atexit
import errno
import fcntl
import hashlib
import logging
import os
import threading
import time
import weakref
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

from warcio.recordloader import ArcWarcRecord
from warcio.warcwriter import WARCWriter

from archive.capture import CaptureMetadata, HttpExchange
from archive.closing import ClosedWarc, close_warc
from archive.dedup import DedupStore, LastCapture
from archive.manifest import file_sha256
from archive.naming import (
    DEDUP_NAME,
    OPEN_SUFFIX,
    archive_lock,
    host_label,
    warc_name,
)
from archive.records import (
    NO_PAYLOAD_DIGEST_TYPES,
    CaptureRecords,
    new_record_id,
    spool_payload,
    warc_date,
)
from archive.recovery import RecoveryOutcome, recover_open_files
from archive.redact import redact_url
from foundation import SOFTWARE, progress
from foundation.errors import ArchiveError, StorageFull
from foundation.pointer import RecordPointer
from foundation.scrub import scrub_text

log = logging.getLogger(__name__)

__all__ = ["ClosedWarc", "WarcWriter", "WriteResult"]

GZIP_LEVEL = 6
CONFORMS_TO = "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/"
DEFAULT_DESCRIPTION = (
    "Public online work of civil servants (blogs, X, Mastodon, network sites), kept as "
    "government records by archiveren: each capture is a request, a response or revisit, and "
    "an application/warc-fields metadata record naming source, platform and collector"
)


NO_SPACE = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})


def storage_error(exc: OSError, doing: str) -> ArchiveError:
    """The error for a failed write: ``StorageFull`` (the run must stop) when the disk, quota or
    file size limit is reached, a plain ``ArchiveError`` otherwise."""
    if exc.errno in NO_SPACE:
        return StorageFull(
            f"{doing}: {exc.strerror}; the archive is valid up to the last complete capture (an "
            "unfinished file stays .open and is closed by the next run); free space, then "
            "collect again"
        )
    return ArchiveError(f"{doing} failed ({exc}); check permissions and the disk")


@dataclass(frozen=True)
class WriteResult:
    """Where the capture's main record (response, revisit or resource) went."""

    pointer: RecordPointer
    revisit: bool
    payload_digest: str


class _HashingFile:
    """The open WARC file, hashing and counting bytes as they are written so closing a 1 GB
    file does not have to read it back. It buffers by itself rather than through ``io``: after a
    failed write (disk full) the unwritten bytes must be dropped, not retried on close."""

    BUFFER_BYTES = 1024 * 1024

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.buffer = bytearray()
        self.sha256 = hashlib.sha256()
        self.size = 0
        self.hash_valid = True

    def write(self, data: bytes) -> int:
        self.buffer += data
        self.sha256.update(data)
        self.size += len(data)
        if len(self.buffer) >= self.BUFFER_BYTES:
            self.flush()
        return len(data)

    def tell(self) -> int:
        return self.size

    def flush(self) -> None:
        view = memoryview(self.buffer)
        try:
            while view:
                view = view[os.write(self.fd, view) :]
        finally:
            written = len(self.buffer) - len(view)
            view.release()
            del self.buffer[:written]

    def cut_back(self, size: int) -> None:
        """Drop a partly written record group after a failure, so the file stays valid."""
        self.buffer.clear()
        os.ftruncate(self.fd, size)
        os.lseek(self.fd, size, os.SEEK_SET)
        self.size = size
        self.hash_valid = False

    def close(self) -> None:
        os.close(self.fd)


class _RecordWriter(WARCWriter):  # type: ignore[misc]  # warcio is untyped (Any)
    """warcio's writer, adding no payload digest to the types that must not carry one."""

    NO_PAYLOAD_DIGEST_TYPES = NO_PAYLOAD_DIGEST_TYPES


class _GzipMember:
    """Makes each record its own gzip member, at GZIP_LEVEL: warcio's own gzip wrapper always
    uses level 9, which costs about twice the time of level 6 for a few per cent of size."""

    def __init__(self, out: _HashingFile) -> None:
        self.out = out
        self.compressor = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, zlib.MAX_WBITS + 16)

    def write(self, data: bytes) -> int:
        self.out.write(self.compressor.compress(data))
        return len(data)

    def flush(self) -> None:
        """warcio flushes after each record; the member is finished by ``end`` instead."""

    def end(self) -> None:
        self.out.write(self.compressor.flush())
        self.reset()

    def reset(self) -> None:
        """Start a fresh member (also after a failed record, whose compressor state is lost)."""
        self.compressor = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, zlib.MAX_WBITS + 16)


@dataclass
class _OpenWarc:
    name: str
    open_path: Path
    final_path: Path
    out: _HashingFile
    member: _GzipMember
    warc: WARCWriter
    records: int = 0
    warcinfo_id: str = ""
    opened_at: float = field(default_factory=time.monotonic)

    def write(self, record: ArcWarcRecord) -> tuple[int, int]:
        """Append one record (each record after the warcinfo names it by WARC-Warcinfo-ID)."""
        if self.warcinfo_id and record.rec_type != "warcinfo":
            record.rec_headers.replace_header("WARC-Warcinfo-ID", self.warcinfo_id)
        start = self.out.tell()
        self.warc.write_record(record)
        self.member.end()
        self.records += 1
        return start, self.out.tell() - start


class WarcWriter:
    """Writes captures into rolling ``*.warc.gz`` files in ``directory``. ``operator``,
    ``user_agent`` (the collectors' User-Agent), ``contact`` (the operator's address, in the
    User-Agent and sent as From), ``robots`` (the robots.txt policy) and ``description`` go into
    each file's warcinfo as the IIPC fields operator, http-header-user-agent, http-header-from,
    robots and description; empty ones are left out."""

    def __init__(
        self,
        directory: Path,
        *,
        prefix: str = "archiveren",
        rollover_bytes: int = 1_000_000_000,
        rollover_seconds: float | None = None,
        operator: str = "",
        software: str = SOFTWARE,
        user_agent: str = "",
        contact: str = "",
        robots: str = "obey",
        description: str = DEFAULT_DESCRIPTION,
        on_file_closed: Callable[[ClosedWarc], None] | None = None,
        dedup: bool = True,
        recover: bool = True,
    ) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.prefix = prefix
        self.rollover_bytes = rollover_bytes
        self.rollover_seconds = rollover_seconds
        self.operator = operator
        self.software = software
        self.user_agent = user_agent
        self.contact = contact
        self.robots = robots
        self.description = description
        self.on_file_closed = on_file_closed
        self._lock = threading.RLock()
        self._records = CaptureRecords()
        self._dedup = DedupStore(self.directory / DEDUP_NAME) if dedup else None
        self._host = host_label()
        self._serial = 0
        self._current: _OpenWarc | None = None
        self.recovered: list[RecoveryOutcome] = []
        if recover:
            self.recovered = recover_open_files(
                self.directory, on_file_closed=on_file_closed, dedup_store=self._dedup
            )
        closer = weakref.WeakMethod(self.close)
        self._atexit = lambda: (method := closer()) and method()
        atexit.register(self._atexit)

    def __enter__(self) -> WarcWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
        atexit.unregister(self._atexit)  # one writer per run: the exit list must not grow

    @property
    def current_file(self) -> Path | None:
        """The ``.open`` file being written, if any."""
        return self._current.open_path if self._current else None

    def write_exchange(self, exchange: HttpExchange, metadata: CaptureMetadata) -> WriteResult:
        """Write request + response (or a revisit when the URL's payload is unchanged since the
        source's last capture of it) + metadata; returns where the response/revisit record is."""
        target = scrub_text(redact_url(exchange.url))
        encoding = next(
            (v for k, v in exchange.response_headers if k.lower() == "content-encoding"), ""
        )
        payload = spool_payload(exchange.body, encoding)
        try:
            with self._lock:
                date = warc_date()
                record_id = new_record_id()
                dedupable = (
                    self._dedup is not None and payload.length > 0 and not exchange.truncated
                )
                last = (
                    self._dedup.last(target, metadata.source) if self._dedup and dedupable else None
                )
                revisit = last is not None and last.payload_digest == payload.digest
                if last is not None and revisit:
                    main = self._records.revisit(
                        exchange,
                        target,
                        date,
                        record_id,
                        (last.record_id, last.uri, last.warc_date),
                    )
                else:
                    main = self._records.response(exchange, target, date, record_id, payload)
                current, offset, length = self._write_group(
                    [
                        lambda: main,
                        lambda: self._records.request(exchange, target, date, record_id),
                        lambda: self._records.metadata(target, date, record_id, metadata),
                    ]
                )
                pointer = RecordPointer(
                    warc_file=current.name,
                    offset=offset,
                    length=length,
                    record_id=record_id,
                    target_uri=target,
                    payload_digest=payload.digest,
                    capture_date=date,
                )
                if self._dedup is not None and dedupable and not revisit:
                    self._dedup.remember(
                        LastCapture(
                            target,
                            payload.digest,
                            record_id,
                            date,
                            current.name,
                            offset,
                            metadata.source,
                        )
                    )
                self._roll_over_if_full()
        finally:
            payload.stream.close()
        progress.advance(1, payload.length)
        return WriteResult(pointer=pointer, revisit=revisit, payload_digest=payload.digest)

    def write_resource(
        self, uri: str, content_type: str, data: bytes | BinaryIO, metadata: CaptureMetadata
    ) -> WriteResult:
        """Write a `resource` record (e.g. a downloaded archive file) + its metadata record."""
        target = scrub_text(redact_url(uri))
        payload = spool_payload(data)
        try:
            with self._lock:
                date = warc_date()
                record_id = new_record_id()
                current, offset, length = self._write_group(
                    [
                        lambda: self._records.resource(
                            target, content_type, date, record_id, payload
                        ),
                        lambda: self._records.metadata(target, date, record_id, metadata),
                    ]
                )
                pointer = RecordPointer(
                    warc_file=current.name,
                    offset=offset,
                    length=length,
                    record_id=record_id,
                    target_uri=target,
                    payload_digest=payload.digest,
                    capture_date=date,
                )
                self._roll_over_if_full()
        finally:
            payload.stream.close()
        progress.advance(1, payload.length)
        return WriteResult(pointer=pointer, revisit=False, payload_digest=payload.digest)

    def close(self) -> None:
        """Close the current file: flush, fsync, rename ``.open`` to its final name (while still
        holding its lock, so no other process can mistake it for abandoned), then add it to the
        manifest and index and tell ``on_file_closed``. Writing again opens a new file."""
        with self._lock:
            current, self._current = self._current, None
            if current is None:
                return
            out = current.out
            try:
                out.flush()
                os.fsync(out.fd)
                sha256, size = (
                    (out.sha256.hexdigest(), out.size)
                    if out.hash_valid
                    else file_sha256(current.open_path)
                )
                closed = ClosedWarc(
                    path=current.final_path,
                    name=current.name,
                    size=size,
                    sha256=sha256,
                    records=current.records,
                )
                # closed while the flock is held, so no other process takes it for abandoned
                close_warc(current.open_path, closed, self.directory, self.on_file_closed)
            except OSError as exc:
                raise storage_error(exc, f"closing {current.open_path}") from exc
            finally:
                out.close()
            log.info("closed %s (%d records, %d bytes)", current.name, current.records, size)

    def _write_group(
        self, builders: list[Callable[[], ArcWarcRecord]]
    ) -> tuple[_OpenWarc, int, int]:
        """Write the records of one capture; on failure cut the file back to where the group
        began, so a half-written capture never stays in the file."""
        current = self._ensure_open()
        group_start = current.out.tell()
        try:
            offset, length = current.write(builders[0]())
            for build in builders[1:]:
                current.write(build())
            current.out.flush()
        except Exception as exc:
            current.out.cut_back(group_start)
            current.member.reset()
            if isinstance(exc, OSError):
                raise storage_error(exc, f"writing a capture to {current.open_path}") from exc
            raise ArchiveError(
                f"writing a capture to {current.open_path} failed ({exc}); the partial records "
                "were removed from the file; check free disk space and permissions"
            ) from exc
        return current, offset, length

    def sync(self) -> None:
        """Make every capture written so far durable (fsync) without closing the file: a
        long-lived writer calls it after each run, so a power cut loses no finished run."""
        with self._lock:
            if self._current is None:
                return
            try:
                self._current.out.flush()
                os.fsync(self._current.out.fd)
            except OSError as exc:
                raise storage_error(exc, f"syncing {self._current.open_path}") from exc

    def roll_over_if_due(self) -> bool:
        """Close the current file if it reached ``rollover_bytes`` or is older than
        ``rollover_seconds``; whether it did."""
        with self._lock:
            current = self._current
            if current is None:
                return False
            age = time.monotonic() - current.opened_at
            if current.out.tell() >= self.rollover_bytes or (
                self.rollover_seconds is not None and age >= self.rollover_seconds
            ):
                self.close()
                return True
            return False

    def _roll_over_if_full(self) -> None:
        self.roll_over_if_due()

    def _ensure_open(self) -> _OpenWarc:
        if self._current is None:
            self._current = self._open_new()
        return self._current

    def _open_new(self) -> _OpenWarc:
        # The archive lock makes "create + flock" atomic for recovery in other processes, which
        # checks liveness under the same lock; the final-name check stops a name reused after
        # another writer closed a file with the same millisecond and serial.
        with archive_lock(self.directory):
            for _ in range(1000):
                name = warc_name(self.prefix, datetime.now(UTC), self._serial, self._host)
                self._serial += 1
                open_path = self.directory / (name + OPEN_SUFFIX)
                try:
                    fd = os.open(open_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
                except FileExistsError:
                    continue
                if (self.directory / name).exists():
                    os.close(fd)
                    open_path.unlink()
                    continue
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            else:
                raise ArchiveError(
                    f"could not claim a new WARC file name in {self.directory}; "
                    "too many files with the same prefix and time"
                )
        out = _HashingFile(fd)
        member = _GzipMember(out)
        opened = _OpenWarc(
            name=name,
            open_path=open_path,
            final_path=self.directory / name,
            out=out,
            member=member,
            warc=_RecordWriter(member, gzip=False, warc_version="1.1"),
        )
        try:
            self._write_warcinfo(opened)
        except OSError as exc:
            open_path.unlink(missing_ok=True)
            out.close()
            raise storage_error(exc, f"starting {open_path}") from exc
        log.info("opened %s", open_path)
        return opened

    def warcinfo_fields(self) -> dict[str, str]:
        """The warcinfo's fields, in the order of the IIPC's recommendations (WARC 1.1 annex)."""
        return {
            "software": self.software,
            "format": "WARC File Format 1.1",
            "conformsTo": CONFORMS_TO,
            "operator": self.operator,
            "hostname": self._host,
            "isPartOf": self.prefix,
            "description": self.description,
            "robots": self.robots,
            "http-header-user-agent": self.user_agent,
            "http-header-from": self.contact,
        }

    def _write_warcinfo(self, opened: _OpenWarc) -> None:
        record = self._records.warcinfo(
            opened.name, {k: scrub_text(v) for k, v in self.warcinfo_fields().items()}
        )
        opened.write(record)
        opened.warcinfo_id = record.rec_headers.get_header("WARC-Record-ID")
        opened.out.flush()
