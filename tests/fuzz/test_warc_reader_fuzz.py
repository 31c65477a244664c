"""Damaged WARC files through the reader: real WARCs (the warcio samples, gzip and plain, some
already broken) truncated, with bytes flipped or garbage spliced in. Iterating one gives records
and then, at the damage, a RecordReadError naming file and offset — never another exception,
never a hang; reading a record by a pointer into it is refused the same way."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archive import RecordPointer, iter_records, read_record
from foundation.errors import ArchiverenError
from tests.fuzz.conftest import FUZZ, corpus_files, seeded
from tests.fuzz.test_parsers_fuzz import mutated

WARC_SEEDS = [
    p.read_bytes()
    for p in corpus_files("warcio/test/data", "*")
    if p.name.endswith((".warc", ".warc.gz")) and p.stat().st_size < 200_000
]


@seeded(WARC_SEEDS, "warcio/test/data")
@pytest.mark.timeout(300)
@FUZZ
@given(st.data())
def test_damaged_warcs_read_up_to_the_damage_then_say_where(
    tmp_path_factory: pytest.TempPathFactory, data: st.DataObject
) -> None:
    seed = data.draw(st.sampled_from(WARC_SEEDS))
    body = data.draw(mutated(seed))
    suffix = ".warc.gz" if seed[:2] == b"\x1f\x8b" else ".warc"
    path = tmp_path_factory.mktemp("warc") / f"fuzzed{suffix}"
    path.write_bytes(body)
    records = []
    try:
        for record in iter_records(path):
            records.append(record.pointer)
            record.raw_payload()
    except ArchiverenError as exc:
        assert path.name in str(exc)
    offset = data.draw(st.integers(0, max(len(body), 1)))
    length = data.draw(st.integers(1, 4096))
    pointer = RecordPointer(warc_file=path.name, offset=offset, length=length, record_id="<urn:x>")
    try:
        read_record(path.parent, pointer).raw_payload()
    except ArchiverenError:
        pass
