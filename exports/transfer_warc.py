"""The WARC files of a transfer package: uncompressed WARC/1.1, each at most ``max_bytes``
(1 GB by default, what the Nationaal Archief's guideline asks), holding the selected captures'
original records unchanged.

Each file starts with a warcinfo record of its own. A capture's records (response or revisit,
request, metadata) are copied as their exact uncompressed bytes, so every digest in them holds,
and always go into one file together. A revisit's original capture goes in first, so every
revisit resolves inside the package; so does the warcinfo record each copied record names
(``WARC-Warcinfo-ID``), once per package. Every record is copied once, however many Posts
point at it. Memory: where each copied record went (id, type, file, offset) and one record at a
time; a record is read back from the package when its payload is described.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

from warcio.warcwriter import WARCWriter

from archive.capture_records import RawRecord, RecordFinder, capture_records, read_raw
from foundation import SOFTWARE
from foundation.errors import ExportError
from foundation.pointer import RecordPointer

GIGABYTE = 1_000_000_000
WARC_1_1 = "WARC/1.1"


@dataclass(frozen=True)
class Placed:
    """A copied record and where it is in the package: file name (under ``warcs/``), offset."""

    record_id: str
    rec_type: str
    refers_to: str
    file: str
    offset: int


@dataclass
class WarcFileStats:
    name: str
    size: int = 0
    records: int = 0


@dataclass
class TransferStats:
    files: list[WarcFileStats] = field(default_factory=list)
    by_type: dict[str, int] = field(default_factory=dict)


class TransferWarcs:
    """Writes the package's ``warcs/`` directory; ``add`` one capture pointer at a time."""

    def __init__(
        self,
        archive_dir: Path,
        directory: Path,
        *,
        prefix: str,
        description: str,
        max_bytes: int = GIGABYTE,
    ) -> None:
        self.archive_dir = archive_dir
        self.directory = directory
        self.directory.mkdir(exist_ok=True)
        self.prefix = prefix
        self.description = description
        self.max_bytes = max_bytes
        self.stats = TransferStats()
        self._finder = RecordFinder(archive_dir)
        self._placed: dict[str, Placed] = {}
        self._out: io.BufferedWriter | None = None

    def add(self, pointer: RecordPointer) -> Placed:
        """Copy the capture ``pointer`` names (and what it needs); where its record is now."""
        known = self._placed.get(pointer.record_id)
        if known is not None:
            return known
        group = capture_records(self.archive_dir, pointer)
        if group[0].rec_type == "revisit":
            self.add(self._finder.original_of(group[0]))
        self._write_group(group)
        return self._placed[group[0].record_id]

    def payload_record(self, placed: Placed) -> Placed:
        """The record holding the payload of a placed capture: itself, or a revisit's original."""
        seen = 0
        while placed.rec_type == "revisit" and seen < 10:
            target = self._placed.get(placed.refers_to)
            if target is None:
                break
            placed, seen = target, seen + 1
        return placed

    def read(self, placed: Placed) -> RawRecord:
        """A copied record read back from the package (records are not kept in memory)."""
        if self._out is not None:
            self._out.flush()
        return read_raw(self.directory, placed.file, placed.offset)[0]

    def close(self) -> None:
        if self._out is not None:
            self._out.close()
            self._out = None

    def _write_group(self, group: list[RawRecord]) -> None:
        infos: list[RawRecord] = []
        for record in group:
            info_id = record.header("WARC-Warcinfo-ID")
            if (
                info_id
                and info_id not in self._placed
                and info_id not in (i.record_id for i in infos)
            ):
                info, _ = read_raw(self.archive_dir, record.source_file, 0)
                if info.record_id == info_id:
                    infos.append(info)
        fresh = [r for r in [*infos, *group] if r.record_id not in self._placed]
        size = sum(len(r.data) for r in fresh)
        out = self._file_for(size)
        for record in fresh:
            if not record.data.startswith(WARC_1_1.encode()):
                raise ExportError(
                    f"record {record.record_id} ({record.source_file}@{record.source_offset}) is "
                    f"{record.version}, not {WARC_1_1}; a transfer package holds WARC/1.1 only"
                )
            current = self.stats.files[-1]
            self._placed[record.record_id] = Placed(
                record.record_id,
                record.rec_type,
                record.header("WARC-Refers-To"),
                current.name,
                out.tell(),
            )
            out.write(record.data)
            current.records += 1
            current.size = out.tell()
            self.stats.by_type[record.rec_type] = self.stats.by_type.get(record.rec_type, 0) + 1

    def _file_for(self, size: int) -> io.BufferedWriter:
        """The file the next group goes in: a new one when it would pass the cap (a group larger
        than the cap gets a file of its own, which the conformance report names)."""
        if self._out is not None:
            current = self.stats.files[-1]
            if current.records == 1 or current.size + size <= self.max_bytes:
                return self._out
            self._out.close()
        name = f"{self.prefix}-{len(self.stats.files) + 1:05d}.warc"
        self._out = (self.directory / name).open("xb")
        writer = WARCWriter(self._out, gzip=False, warc_version=WARC_1_1)
        info = writer.create_warcinfo_record(
            name,
            {
                "software": SOFTWARE,
                "format": "WARC File Format 1.1",
                "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
                "isPartOf": self.prefix,
                "description": self.description,
            },
        )
        writer.write_record(info)
        self.stats.files.append(WarcFileStats(name, self._out.tell(), 1))
        self.stats.by_type["warcinfo"] = self.stats.by_type.get("warcinfo", 0) + 1
        return self._out
