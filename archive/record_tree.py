"""The Merkle tree of a closed WARC file's records, whose root is what a time-stamping authority
signs. A leaf is one record's stored bytes exactly as they lie in the file: for a
gzip-per-record ``.warc.gz`` the record's whole gzip member, the ``length`` bytes at ``offset``
that a ``RecordPointer`` addresses (``SHA-256(0x00 || those bytes)``). The leaves follow file
order and together cover every byte of the file, from offset 0 to its end, so the root commits
to the whole file as well as to each record; a file whose records leave a gap is refused."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from archive.merkle import LEAF_PREFIX, inclusion_path, tree_root
from archive.reader import GZIP_MAGIC, iter_records
from archive.scan import scan_complete_records
from archive.store import open_warc, warc_size
from foundation.errors import ArchiveError

_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class RecordLeaf:
    offset: int
    length: int
    hash: bytes


@dataclass(frozen=True)
class RecordTree:
    """The leaves of one WARC file and their root."""

    warc_file: str
    leaves: list[RecordLeaf]
    root: bytes

    @property
    def size(self) -> int:
        return len(self.leaves)

    def index_of(self, offset: int, length: int) -> int:
        """The leaf index of the record at ``offset`` with ``length``."""
        for index, leaf in enumerate(self.leaves):
            if leaf.offset == offset and leaf.length == length:
                return index
        raise ArchiveError(
            f"{self.warc_file} has no record at offset {offset} with length {length}; "
            "the pointer is stale or the file changed (run verify)"
        )

    def path(self, index: int) -> list[bytes]:
        return inclusion_path([leaf.hash for leaf in self.leaves], index)


def record_tree(path: Path) -> RecordTree:
    """Find the records' boundaries (one pass), then hash each record's bytes (another)."""
    path = Path(path)
    bounds = _record_bounds(path)
    expected = 0
    for offset, length in bounds:
        if offset != expected or length <= 0:
            raise ArchiveError(
                f"{path.name}: bytes {expected}-{offset} belong to no record, so its record "
                "tree would not cover the whole file; run verify"
            )
        expected = offset + length
    if expected != warc_size(path):
        raise ArchiveError(f"{path.name}: data after its last record at {expected}; run verify")
    leaves: list[RecordLeaf] = []
    with open_warc(path) as handle:
        for offset, length in bounds:
            handle.seek(offset)
            leaves.append(RecordLeaf(offset, length, _hash_leaf(handle, length)))
    return RecordTree(path.name, leaves, tree_root([leaf.hash for leaf in leaves]))


def _record_bounds(path: Path) -> list[tuple[int, int]]:
    """(offset, length) of each record: the gzip members of a gzip-per-record file, found by
    the scan recovery uses (several times faster than parsing every record), or the reader's
    pointers for an uncompressed WARC or an ARC file."""
    with open_warc(path) as handle:
        gzipped = handle.read(2) == GZIP_MAGIC
    if not gzipped:
        return [(r.pointer.offset, r.pointer.length) for r in iter_records(path)]
    bounds: list[tuple[int, int]] = []
    scan = scan_complete_records(path, on_record=lambda o, n: bounds.append((o, n)))
    if scan.problem:
        raise ArchiveError(f"{path.name}: {scan.problem}; run verify")
    return bounds


def _hash_leaf(handle: BinaryIO, length: int) -> bytes:
    digest = hashlib.sha256(LEAF_PREFIX)
    left = length
    while left > 0:
        chunk = handle.read(min(left, _CHUNK))
        if not chunk:
            raise ArchiveError("the file ended inside a record while its tree was built")
        digest.update(chunk)
        left -= len(chunk)
    return digest.digest()
