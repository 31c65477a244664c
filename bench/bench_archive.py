"""Benchmark of the archive stage on a synthetic collection: records/s and MB/s written by
WarcWriter and read by the reader (fastwarc) and by warcio, each beside the raw zlib limit for
the same bytes measured in the same run (one gzip member per record at the writer's level; member-by-
member gzip decompression for reading), plus the peak memory of a reading process. Run as
``python -m bench.bench_archive --size-mb 200 --out bench/out/archive.json``."""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
import zlib
from collections.abc import Iterator
from pathlib import Path

from archive import CaptureMetadata, HttpExchange, WarcWriter
from archive.naming import closed_warcs
from archive.writer import GZIP_LEVEL

WORDS = (
    "ambtenaar overheid gemeente provincie rijksoverheid beleid burger participatie netwerk "
    "samenwerking innovatie digitaal open data transparantie wiki blog bericht reactie "
    "vergadering besluit notitie project programma ministerie uitvoering dienstverlening"
).split()
META = CaptureMetadata("bench", "blog", "bench", "1", "entry_page")

READ_CHILD = """
import json, resource, sys, time
from pathlib import Path
from archive import iter_records
start = time.perf_counter()
records = payload_bytes = 0
for record in iter_records(Path(sys.argv[1])):
    records += 1
    if record.rec_type in ("response", "resource"):
        payload_bytes += len(record.raw_payload())
elapsed = time.perf_counter() - start
print(json.dumps({"records": records, "payload_bytes": payload_bytes, "seconds": elapsed,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def synthetic_pages(total_bytes: int, seed: int = 1) -> Iterator[HttpExchange]:
    """HTML pages of 5-60 KB of Dutch-looking text (compresses like real pages, ~3-4x)."""
    rng = random.Random(seed)
    produced = n = 0
    while produced < total_bytes:
        words = rng.choices(WORDS, k=rng.randint(700, 8000))
        body = ("<html><body><p>" + " ".join(words) + f" {rng.random()}</p></body></html>").encode()
        produced += len(body)
        n += 1
        yield HttpExchange(
            url=f"https://blog.example.nl/{n // 100}/entry-{n}",
            request_headers=[("Host", "blog.example.nl"), ("User-Agent", "archiveren-bench")],
            status=200,
            reason="OK",
            response_headers=[
                ("Content-Type", "text/html; charset=utf-8"),
                ("Content-Length", str(len(body))),
            ],
            body=body,
            remote_ip="127.0.0.1",
        )


def bench_write(directory: Path, size_mb: int) -> dict[str, float]:
    records = payload = 0
    start = time.perf_counter()
    with WarcWriter(directory, rollover_bytes=64_000_000, dedup=True) as writer:
        for exchange in synthetic_pages(size_mb * 1_000_000):
            writer.write_exchange(exchange, META)
            records += 3
            payload += len(exchange.body)  # type: ignore[arg-type]
    elapsed = time.perf_counter() - start
    return {"records": records, "payload_mb": payload / 1e6, "seconds": elapsed}


def uncompressed_members(directory: Path) -> Iterator[bytes]:
    # Fed in bounded slices of a memoryview: handing zlib the whole rest of the file would copy
    # it again as unused_data after every member, which is quadratic in the file's size.
    for warc in closed_warcs(directory):
        data = memoryview(warc.read_bytes())
        position = 0
        while position < len(data):
            decomp = zlib.decompressobj(31)
            parts = []
            while not decomp.eof and position < len(data):
                piece = data[position : position + 65536]
                parts.append(decomp.decompress(piece))
                position += len(piece) - len(decomp.unused_data)
            yield b"".join(parts)


def bench_raw_gzip(directory: Path) -> dict[str, float]:
    """The zlib limit for the same bytes: decompress every member, then recompress each record
    at the writer's level as its own gzip member."""
    start = time.perf_counter()
    members = list(uncompressed_members(directory))
    inflate_seconds = time.perf_counter() - start
    raw_mb = sum(len(m) for m in members) / 1e6
    start = time.perf_counter()
    for member in members:
        compressor = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, zlib.MAX_WBITS + 16)
        compressor.compress(member)
        compressor.flush()
    deflate_seconds = time.perf_counter() - start
    return {
        "uncompressed_mb": raw_mb,
        "gzip_write_seconds": deflate_seconds,
        "gunzip_read_seconds": inflate_seconds,
    }


def bench_warcio_read(directory: Path) -> dict[str, float]:
    from warcio.archiveiterator import ArchiveIterator

    records = 0
    start = time.perf_counter()
    for warc in closed_warcs(directory):
        with open(warc, "rb") as handle:
            for record in ArchiveIterator(handle):
                record.content_stream().read()
                records += 1
    return {"records": records, "seconds": time.perf_counter() - start}


def bench_read(directory: Path) -> dict[str, float]:
    result = subprocess.run(
        [sys.executable, "-c", READ_CHILD, str(directory)],
        capture_output=True,
        text=True,
        check=True,
    )
    timings: dict[str, float] = json.loads(result.stdout)
    return timings


def run(size_mb: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="bench-archive-") as tmp:
        directory = Path(tmp) / "warcs"
        write = bench_write(directory, size_mb)
        compressed_mb = sum(p.stat().st_size for p in closed_warcs(directory)) / 1e6
        # The reading child first: a child's ru_maxrss starts from its parent's RSS at fork, and
        # the raw-gzip reference below holds every record in memory.
        read = bench_read(directory)
        raw = bench_raw_gzip(directory)
        warcio_read = bench_warcio_read(directory)
    mb = raw["uncompressed_mb"]
    return {
        "size_mb": size_mb,
        "compressed_mb": round(compressed_mb, 1),
        "uncompressed_warc_mb": round(mb, 1),
        "write": {
            "records_per_s": round(write["records"] / write["seconds"]),
            "mb_per_s": round(mb / write["seconds"], 1),
            "raw_gzip_mb_per_s": round(mb / raw["gzip_write_seconds"], 1),
            "ratio_to_raw": round(raw["gzip_write_seconds"] / write["seconds"], 2),
        },
        "read_fastwarc": {
            "records_per_s": round(read["records"] / read["seconds"]),
            "mb_per_s": round(mb / read["seconds"], 1),
            "raw_gunzip_mb_per_s": round(mb / raw["gunzip_read_seconds"], 1),
            "ratio_to_raw": round(raw["gunzip_read_seconds"] / read["seconds"], 2),
            "peak_rss_mb": round(read["peak_rss_mb"], 1),
        },
        "read_warcio": {
            "records_per_s": round(warcio_read["records"] / warcio_read["seconds"]),
            "mb_per_s": round(mb / warcio_read["seconds"], 1),
            "ratio_to_raw": round(raw["gunzip_read_seconds"] / warcio_read["seconds"], 2),
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size-mb", type=int, default=200, help="payload megabytes to write")
    parser.add_argument("--out", type=Path, default=Path("bench/out/archive.json"))
    args = parser.parse_args()
    result = run(args.size_mb)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
