"""Benchmark of WARC files in an S3-compatible bucket (the SeaweedFS of `scripts/objectstore`)
beside the local disk, in the same run on the same files: storing closed files (upload, read back
and check, against copying them to another local directory with fsync), reading every record
(``iter_records`` from the bucket by range requests, against the local files) and reading random
records by pointer (one range request each, against one seek and read). Each figure comes with
its ratio to the local reference. Run as ``python -m bench.bench_objectstore --size-mb 64 --out
bench/out/objectstore.json``; without a server it writes ``not_measured`` with the reason."""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any

from archive import WarcWriter, iter_records, read_record
from archive.naming import closed_warcs
from archive.store import offload_closed
from archive.store_types import BucketLocation
from bench.bench_archive import META, synthetic_pages
from foundation.pointer import RecordPointer

S3_URL = os.environ.get("ARCHIVEREN_BENCH_S3", "http://127.0.0.1:18333")
# the loopback test server's identity from scripts/objectstore: not a secret
KEYS = {
    "ARCHIVEREN_S3_ACCESS_KEY": os.environ.get("ARCHIVEREN_TEST_S3_ACCESS_KEY", "archiveren-test"),
    "ARCHIVEREN_S3_SECRET_KEY": os.environ.get(
        "ARCHIVEREN_TEST_S3_SECRET_KEY", "archiveren-test-secret-key"
    ),
}
RANDOM_READS = 300


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=3):
            return True
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False


def _write(directory: Path, size_mb: int) -> list[RecordPointer]:
    pointers = []
    with WarcWriter(directory, operator="bench", rollover_bytes=16 * 1024 * 1024) as writer:
        for exchange in synthetic_pages(size_mb * 1024 * 1024):
            pointers.append(writer.write_exchange(exchange, META).pointer)
    return pointers


def _copy_with_fsync(files: list[Path], target: Path) -> None:
    target.mkdir()
    for file in files:
        copied = target / file.name
        shutil.copyfile(file, copied)
        with open(copied, "rb") as handle:
            os.fsync(handle.fileno())


def _read_all(directory: Path) -> int:
    return sum(len(record.block()) for record in iter_records(directory))


def _read_random(directory: Path, pointers: list[RecordPointer]) -> int:
    return sum(len(read_record(directory, pointer).block()) for pointer in pointers)


def _timed(action: Any) -> tuple[float, Any]:
    started = time.perf_counter()
    value = action()
    return time.perf_counter() - started, value


def measure(size_mb: int) -> dict[str, Any]:
    if not _answers(S3_URL):
        return {"not_measured": f"no S3 server at {S3_URL}; start one: scripts/objectstore start"}
    os.environ.update(KEYS)
    with tempfile.TemporaryDirectory(prefix="archiveren-bench-s3-") as tmp:
        local, bucketed = Path(tmp) / "local", Path(tmp) / "bucketed"
        pointers = _write(local, size_mb)
        files = closed_warcs(local)
        megabytes = sum(f.stat().st_size for f in files) / 1e6
        shutil.copytree(local, bucketed)
        location = BucketLocation(
            endpoint_url=S3_URL, bucket=f"archiveren-bench-{uuid.uuid4().hex[:10]}"
        )
        copy_s, _ = _timed(lambda: _copy_with_fsync(files, Path(tmp) / "copied"))
        store_s, report = _timed(lambda: offload_closed(bucketed, location))
        if report.failed or closed_warcs(bucketed):
            raise SystemExit(f"the upload failed: {report.failed}")
        local_read_s, local_bytes = _timed(lambda: _read_all(local))
        bucket_read_s, bucket_bytes = _timed(lambda: _read_all(bucketed))
        assert local_bytes == bucket_bytes
        sample = random.Random(7).sample(pointers, min(RANDOM_READS, len(pointers)))
        local_random_s, _ = _timed(lambda: _read_random(local, sample))
        bucket_random_s, _ = _timed(lambda: _read_random(bucketed, sample))

    def rate(seconds: float) -> float:
        return round(megabytes / seconds, 2)

    return {
        "warc_mb": round(megabytes, 1),
        "files": len(files),
        "records": len(pointers),
        "store": {
            "local_copy_mb_s": rate(copy_s),
            "bucket_mb_s": rate(store_s),
            "ratio_to_local": round(copy_s / store_s, 4),
        },
        "read_all": {
            "local_mb_s": rate(local_read_s),
            "bucket_mb_s": rate(bucket_read_s),
            "ratio_to_local": round(local_read_s / bucket_read_s, 4),
        },
        "random_reads": {
            "reads": len(sample),
            "local_per_s": round(len(sample) / local_random_s, 1),
            "bucket_per_s": round(len(sample) / bucket_random_s, 1),
            "ratio_to_local": round(local_random_s / bucket_random_s, 4),
        },
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=64)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    result = measure(args.size_mb)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2))
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
