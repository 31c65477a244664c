"""The record tree of a closed WARC: RFC 6962 hashing, an inclusion path for every leaf that
leads to the root and no other, and leaves that are the records' stored bytes covering the whole
file."""

from __future__ import annotations

import hashlib

import pytest

from archive.merkle import inclusion_path, leaf_hash, node_hash, root_from_path, tree_root
from archive.reader import iter_records
from archive.record_tree import record_tree
from tests.fixtures.archive import WrittenArchive


def rfc6962_root(data: list[bytes]) -> bytes:
    """MTH as RFC 6962 2.1 writes it, over the leaves' data."""
    if not data:
        return hashlib.sha256(b"").digest()
    if len(data) == 1:
        return hashlib.sha256(b"\x00" + data[0]).digest()
    k = 1
    while k * 2 < len(data):
        k *= 2
    return hashlib.sha256(b"\x01" + rfc6962_root(data[:k]) + rfc6962_root(data[k:])).digest()


@pytest.mark.parametrize("size", [1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 33])
def test_every_leaf_path_leads_to_the_rfc6962_root(size: int) -> None:
    data = [f"record {n}".encode() for n in range(size)]
    leaves = [leaf_hash(d) for d in data]
    root = tree_root(leaves)
    assert root == rfc6962_root(data)
    for index in range(size):
        path = inclusion_path(leaves, index)
        assert root_from_path(leaves[index], index, size, path) == root


def test_a_changed_leaf_node_index_or_size_leads_elsewhere() -> None:
    leaves = [leaf_hash(bytes([n])) for n in range(11)]
    root = tree_root(leaves)
    path = inclusion_path(leaves, 6)
    assert root_from_path(leaf_hash(b"other"), 6, 11, path) != root
    assert root_from_path(leaves[6], 5, 11, path) != root
    for n in range(len(path)):
        bent = list(path)
        bent[n] = bytes([path[n][0] ^ 1]) + path[n][1:]
        assert root_from_path(leaves[6], 6, 11, bent) != root
    assert root_from_path(leaves[6], 6, 11, path[:-1]) is None
    assert root_from_path(leaves[6], 11, 11, path) is None
    assert node_hash(leaves[0], leaves[1]) == rfc6962_root([bytes([0]), bytes([1])])


def test_leaves_are_the_records_stored_bytes_and_cover_the_whole_file(
    written_archive: WrittenArchive,
) -> None:
    warc = next(written_archive.directory.glob("*.warc.gz"))
    tree = record_tree(warc)
    pointers = [record.pointer for record in iter_records(warc)]
    assert [(leaf.offset, leaf.length) for leaf in tree.leaves] == [
        (p.offset, p.length) for p in pointers
    ]
    data = warc.read_bytes()
    assert sum(leaf.length for leaf in tree.leaves) == len(data)
    for leaf in tree.leaves:
        assert leaf.hash == leaf_hash(data[leaf.offset : leaf.offset + leaf.length])
    assert tree.root == rfc6962_root(
        [data[leaf.offset : leaf.offset + leaf.length] for leaf in tree.leaves]
    )
