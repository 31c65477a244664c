"""Reads WARC records back: iterate a file or a directory of closed files in constant memory, or
fetch one record by its pointer with a single seek. WARC files are read with fastwarc (several
times faster than warcio, see bench/bench_archive.py); ARC files, which fastwarc cannot read, go
through warcio. Malformed input never passes silently: a file that is not gzip-per-record, a
record cut short or an unparsable header raises RecordReadError naming file and offset."""

from __future__ import annotations

import io
import uuid
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from fastwarc.warc import ArchiveIterator as FastIterator
from fastwarc.warc import WarcRecord
from warcio.archiveiterator import ArchiveIterator as WarcioIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.recordloader import ArcWarcRecord

from archive.naming import OPEN_SUFFIX, resolve_inside
from archive.record import ArchivedRecord, RecordReadError
from archive.scan import scan_complete_records
from archive.store import all_closed_warcs, open_warc, read_warc_range, warc_exists, warc_size
from foundation.errors import ArchiveError
from foundation.pointer import RecordPointer

__all__ = ["ArchivedRecord", "RecordReadError", "iter_open_records", "iter_records", "read_record"]

# Blocks up to this size are kept with the record; larger ones are re-read through the pointer
# when asked for, so iterating never holds more than this per record.
EAGER_BLOCK_LIMIT = 4 * 1024 * 1024
HTTP_HEAD_LIMIT = 256 * 1024
GZIP_MAGIC = b"\x1f\x8b"


def iter_records(
    path: Path,
    *,
    start_offset: int = 0,
    archive_dir: Path | None = None,
    on_error: Callable[[RecordReadError], None] | None = None,
) -> Iterator[ArchivedRecord]:
    """Records of a WARC/ARC file, or of every closed file in a directory (sorted by name;
    ``.open`` files are never read). ``start_offset`` (a record offset, for a single file)
    resumes where an earlier pass stopped. Without ``on_error`` a malformed file raises
    RecordReadError after the records before the damage; with it, the error is handed over and
    iteration goes on with the next file."""
    path = Path(path)
    if path.is_dir():
        files, base = all_closed_warcs(path), path
    elif warc_exists(path):
        files, base = [path], Path(archive_dir) if archive_dir else path.parent
    else:
        raise ArchiveError(f"no WARC file or archive directory at {path}")
    for file in files:
        offset = start_offset if file == path else 0
        try:
            yield from _iter_file(file, _relative_name(file, base), base, offset)
        except RecordReadError as exc:
            if on_error is None:
                raise
            on_error(exc)


def iter_open_records(
    path: Path, *, start_offset: int, end_offset: int, archive_dir: Path
) -> Iterator[ArchivedRecord]:
    """Records of a live writer's ``.open`` file from ``start_offset`` up to ``end_offset``, the
    end of its last complete record as ``scan_complete_records`` found it; what the writer
    appends meanwhile is left for the next pass. Records are named by the name the file takes
    when it closes (``read_record`` finds them in the ``.open`` file until then), so a pointer
    made now stays valid after the rename."""
    name = _relative_name(path, Path(archive_dir)).removesuffix(OPEN_SUFFIX)
    if end_offset > start_offset:
        yield from _iter_file(path, name, Path(archive_dir), start_offset, end_offset)


def read_record(archive_dir: Path, pointer: RecordPointer) -> ArchivedRecord:
    """The record a pointer names: one seek, one read of ``pointer.length`` bytes. Names that
    leave the archive directory are refused; a record id that does not match is an error."""
    archive_dir = Path(archive_dir)
    file = resolve_inside(archive_dir, pointer.warc_file)
    if not file.exists() and file.with_name(file.name + ".open").exists():
        file = file.with_name(file.name + ".open")  # the current file of a live writer
    if not file.exists() and not warc_exists(file):
        raise RecordReadError(f"WARC file {pointer.warc_file} is not in {archive_dir}")
    if pointer.length <= 0:
        raise RecordReadError(f"pointer to {pointer.warc_file}@{pointer.offset} has no length")
    data = read_warc_range(file, pointer.offset, pointer.length)
    if len(data) < pointer.length:
        raise RecordReadError(
            f"{pointer.warc_file} ends before {pointer.offset}+{pointer.length}; "
            "the file is truncated (run verify)"
        )
    record = _parse_single(data, pointer, archive_dir)
    if pointer.record_id and record.pointer.record_id != pointer.record_id:
        raise RecordReadError(
            f"{pointer.warc_file}@{pointer.offset} holds {record.pointer.record_id}, "
            f"not {pointer.record_id}; the pointer is stale or the file changed (run verify)"
        )
    return record


def _relative_name(file: Path, base: Path) -> str:
    try:
        return file.resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        return file.name


def _peek(file: Path, offset: int) -> tuple[bool, bytes]:
    """Whether the data at ``offset`` is gzip, and its first decompressed bytes."""
    with open_warc(file) as handle:
        handle.seek(offset)
        raw = handle.read(4096)
    if raw.startswith(GZIP_MAGIC):
        try:
            return True, zlib.decompressobj(31).decompress(raw, 64)
        except zlib.error:
            return True, b""
    return False, raw[:64]


class _Bounded:
    """A read-only file that ends at ``end``: the complete part of a file still being written."""

    def __init__(self, handle: BinaryIO, end: int) -> None:
        self.handle, self.end = handle, end

    def read(self, size: int = -1) -> bytes:
        left = self.end - self.handle.tell()
        if left <= 0:
            return b""
        return self.handle.read(left if size < 0 or size > left else size)

    def tell(self) -> int:
        return self.handle.tell()

    def seek(self, offset: int, whence: int = 0) -> int:
        return self.handle.seek(offset, whence)

    def close(self) -> None:
        """The handle is closed by its owner."""


def _iter_file(
    file: Path, name: str, base: Path, start: int, end: int | None = None
) -> Iterator[ArchivedRecord]:
    """Records of ``file`` from ``start``; with ``end``, only those before it, already checked
    to be complete (so the last record's tail needs no check of its own)."""
    gz, head = _peek(file, start)
    if end is None and head.lstrip().startswith(b"filedesc://"):
        yield from _iter_arc(file, name, base, start)
        return
    size = warc_size(file) if end is None else end
    pending: ArchivedRecord | None = None
    with open_warc(file) as handle:
        handle.seek(start)
        source = handle if end is None else _Bounded(handle, end)
        try:
            for record in FastIterator(source, parse_http=False):
                position = record.stream_pos
                if pending is not None:
                    if position <= pending.pointer.offset:
                        raise RecordReadError(
                            f"{file}: records after offset {pending.pointer.offset} share one "
                            "gzip member, so they cannot be addressed (not gzip-per-record); "
                            "fix with `warcio recompress` into a new file"
                        )
                    yield pending.with_length(position - pending.pointer.offset)
                pending = _from_fastwarc(record, name, position, base, file)
        except OSError as exc:
            after = pending.pointer.offset if pending else start
            raise RecordReadError(
                f"{file}: unreadable WARC data after offset {after} ({exc}); the records before "
                "were read, the rest of the file was skipped; it is truncated or corrupt"
            ) from exc
    if pending is None:
        if size > start:
            raise RecordReadError(f"{file}: no WARC record found at offset {start}")
        return
    if end is None:
        _check_tail(file, pending.pointer.offset, size, gz)
    yield pending.with_length(size - pending.pointer.offset)


def _check_tail(file: Path, offset: int, size: int, gz: bool) -> None:
    """fastwarc accepts a last record whose gzip member or block was cut off; check it here."""
    if gz:
        scan = scan_complete_records(file, offset)
        if scan.problem or scan.good_end != size:
            raise RecordReadError(
                f"{file}: the last record (offset {offset}) is incomplete: "
                f"{scan.problem or 'data after it'}; the file is truncated"
            )
        return
    with open_warc(file) as handle:
        handle.seek(offset)
        head = handle.read(HTTP_HEAD_LIMIT)
    lead = len(head) - len(head.lstrip(b"\r\n"))
    end = head.find(b"\r\n\r\n", lead)
    length = next(
        (
            int(v)
            for n, _, v in (line.partition(b":") for line in head[lead:end].split(b"\r\n"))
            if n.strip().lower() == b"content-length" and v.strip().isdigit()
        ),
        None,
    )
    if end < 0 or length is None or offset + end + 4 + length > size:
        raise RecordReadError(
            f"{file}: the last record (offset {offset}) is cut short; the file is truncated"
        )


def _from_fastwarc(
    record: WarcRecord, name: str, offset: int, base: Path, file: Path
) -> ArchivedRecord:
    headers = record.headers
    if headers.get("Content-Length") is None:
        raise RecordReadError(f"{file}: record at offset {offset} has no Content-Length")
    warc_headers = [(str(k), str(v)) for k, v in headers.items()]
    length = record.content_length
    eager = length <= EAGER_BLOCK_LIMIT
    block = record.reader.read() if eager else record.reader.read(HTTP_HEAD_LIMIT)
    if eager and len(block) != length:
        raise RecordReadError(
            f"{file}: record at offset {offset} has {len(block)} of its {length} bytes; "
            "the file is truncated"
        )
    return ArchivedRecord.build(
        name=name,
        offset=offset,
        warc_headers=warc_headers,
        block_head=block,
        block_complete=eager,
        reload_block=_reloader(base),
    )


def _iter_arc(file: Path, name: str, base: Path, start: int) -> Iterator[ArchivedRecord]:
    with open_warc(file) as handle:
        handle.seek(start)
        iterator = WarcioIterator(handle, arc2warc=True)
        try:
            for record in iterator:
                status_and_headers = record.http_headers
                payload = record.raw_stream.read(EAGER_BLOCK_LIMIT + 1)
                iterator.read_to_end(record)  # offsets are only known once the record is read
                offset = start + iterator.get_record_offset()
                head = status_and_headers.to_bytes() if status_and_headers else b""
                built = ArchivedRecord.build(
                    name=name,
                    offset=offset,
                    warc_headers=_arc_headers(record, name, offset),
                    block_head=head + payload[:EAGER_BLOCK_LIMIT],
                    block_complete=len(payload) <= EAGER_BLOCK_LIMIT,
                    reload_block=_reloader(base),
                )
                yield built.with_length(iterator.get_record_length())
        except ArchiveLoadFailed as exc:
            raise RecordReadError(f"{file}: unreadable ARC data: {exc}") from exc


def _reloader(base: Path) -> Callable[[RecordPointer], bytes]:
    return lambda pointer: read_record(base, pointer).block()


def _parse_single(data: bytes, pointer: RecordPointer, base: Path) -> ArchivedRecord:
    file = base / pointer.warc_file
    try:
        head = (
            zlib.decompressobj(31).decompress(data[:4096], 64) if data[:2] == GZIP_MAGIC else data
        )
    except zlib.error as exc:
        raise RecordReadError(
            f"{pointer.warc_file}@{pointer.offset}: the record's gzip member is damaged ({exc}); "
            "run verify"
        ) from None
    if head.lstrip().startswith((b"filedesc://", b"http", b"dns:", b"ftp", b"https")):
        arc = list(_iter_arc_bytes(data, pointer))
        if arc:
            return arc[0]
    try:
        for record in FastIterator(io.BytesIO(data), parse_http=False):
            built = _from_fastwarc(record, pointer.warc_file, pointer.offset, base, file)
            if not built.block_complete:
                block = built.block_head + record.reader.read()
                built = ArchivedRecord.build(
                    name=pointer.warc_file,
                    offset=pointer.offset,
                    warc_headers=built.warc_headers,
                    block_head=block,
                    block_complete=True,
                    reload_block=_reloader(base),
                )
            return built.with_length(pointer.length)
    except OSError as exc:
        raise RecordReadError(
            f"{pointer.warc_file}@{pointer.offset}: no readable WARC record there ({exc})"
        ) from exc
    raise RecordReadError(
        f"{pointer.warc_file}@{pointer.offset}: no WARC record there; the pointer is wrong"
    )


def _iter_arc_bytes(data: bytes, pointer: RecordPointer) -> Iterator[ArchivedRecord]:
    iterator = WarcioIterator(io.BytesIO(data), arc2warc=True)
    try:
        for record in iterator:
            head = record.http_headers.to_bytes() if record.http_headers else b""
            yield ArchivedRecord.build(
                name=pointer.warc_file,
                offset=pointer.offset,
                warc_headers=_arc_headers(record, pointer.warc_file, pointer.offset),
                block_head=head + record.raw_stream.read(),
                block_complete=True,
            ).with_length(pointer.length)
    except ArchiveLoadFailed:
        return


def _arc_headers(record: ArcWarcRecord, name: str, offset: int) -> list[tuple[str, str]]:
    """warcio's ARC-to-WARC headers with a record id derived from file and offset: ARC
    records have no ids, and a random one would make every pointer to them stale."""
    stable = f"<urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{name}#{offset}')}>"
    return [
        (key, stable if key.lower() == "warc-record-id" else value)
        for key, value in record.rec_headers.headers
    ]
