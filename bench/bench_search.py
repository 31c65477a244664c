"""Search benchmark for the tantivy backend: index a deterministic synthetic corpus of Dutch Posts
(reporting Posts/s), then time a mix of real requests (facets, date histogram, highlights,
filters, sorts, cursor pages) and report p50/p95/p99 for each against a reference measured in
the same run: a bare tantivy term query with no facets, highlights or stored documents.

    python -m bench.bench_search --posts 100000 --out bench/out/search.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import tantivy

from bench.synthetic_posts import SyntheticCorpus
from indexer.backends.tantivy_backend import TantivyBackend
from indexer.query_model import SearchRequest
from indexer.query_parser import parse_query

TARGET_P95_MS = 100.0
CHUNK = 20_000

QUERY_MIX: dict[str, SearchRequest] = {
    "common word": SearchRequest(query="ambtenaar"),
    "rare word": SearchRequest(query="omgevingswet"),
    "two words": SearchRequest(query="digitale overheid"),
    "phrase": SearchRequest(query='"open data"'),
    "or + not": SearchRequest(query="(archief OR archivering) -kind:reply"),
    "prefix wildcard": SearchRequest(query="duurza*"),
    "field value": SearchRequest(query="hashtag:privacy OR hashtag:avg"),
    "filtered": SearchRequest(
        query="thuiswerken", filters={"platform": ["x", "mastodon"], "kind": ["post"]}
    ),
    "date range": SearchRequest(
        query="klimaat",
        date_from=datetime(2019, 1, 1, tzinfo=UTC),
        date_to=datetime(2021, 1, 1, tzinfo=UTC),
    ),
    "match all, newest": SearchRequest(query="", sort="newest"),
    "common word, oldest": SearchRequest(query="gemeente", sort="oldest", date_histogram="year"),
    "deep offset": SearchRequest(query="werk", offset=5000),
}


def _percentiles(samples_ms: list[float]) -> dict[str, float]:
    ordered = sorted(samples_ms)

    def at(fraction: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(fraction * len(ordered)))], 2)

    return {
        "p50_ms": at(0.50),
        "p95_ms": at(0.95),
        "p99_ms": at(0.99),
        "mean_ms": round(statistics.fmean(ordered), 2),
        "runs": len(ordered),
    }


def _time(action: Callable[[], object], rounds: int) -> list[float]:
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def build_index(backend: TantivyBackend, posts: int, seed: int) -> dict[str, Any]:
    corpus = SyntheticCorpus(seed)
    generated = indexed = 0.0
    stream = corpus.posts(posts)
    remaining = posts
    while remaining:
        started = time.perf_counter()
        chunk = [next(stream) for _ in range(min(CHUNK, remaining))]
        generated += time.perf_counter() - started
        started = time.perf_counter()
        backend.index_posts(chunk)
        indexed += time.perf_counter() - started
        remaining -= len(chunk)
        print(
            f"  indexed {posts - remaining:>9,} posts ({(posts - remaining) / indexed:,.0f}/s)",
            flush=True,
        )
    return {
        "posts": posts,
        "generate_seconds": round(generated, 1),
        "index_seconds": round(indexed, 1),
        "posts_per_second": round(posts / indexed),
    }


def reference_query(backend: TantivyBackend, word: str) -> Callable[[], object]:
    """A bare tantivy term query on text (top 20 addresses, no count, facets, docs or snippets)."""
    term = backend._translator.query(parse_query(word))  # the analysed term the backend uses
    index = backend._index
    return lambda: index.searcher().search(term, 20, count=False)


def measure(backend: TantivyBackend, rounds: int) -> dict[str, Any]:
    results: dict[str, Any] = {}
    for name, request in QUERY_MIX.items():
        backend.search(request)  # warm caches, as a running server would be
        results[name] = _percentiles(_time(partial(backend.search, request), rounds))
        results[name]["total_hits"] = backend.search(request).total

    # Cursor paging: ten pages deep with search_after.
    def ten_cursor_pages() -> None:
        cursor = None
        for _ in range(10):
            cursor = backend.search(
                SearchRequest(
                    query="beleid",
                    sort="newest",
                    search_after=cursor,
                    facets=[],
                    date_histogram=None,
                )
            ).next_cursor

    results["10 cursor pages (no facets)"] = _percentiles(
        _time(ten_cursor_pages, max(rounds // 5, 5))
    )
    mix = [
        sample
        for name, request in QUERY_MIX.items()
        for sample in _time(partial(backend.search, request), rounds // 2)
    ]
    results["whole mix"] = _percentiles(mix)
    reference = reference_query(backend, "ambtenaar")
    reference()
    results["reference: bare tantivy term query"] = _percentiles(_time(reference, rounds * 2))
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--out", type=Path, default=Path("bench/out/search.json"))
    parser.add_argument("--rounds", type=int, default=60, help="timed runs per query")
    parser.add_argument("--seed", type=int, default=20240501)
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="where to build the index (default: a temporary dir, removed after)",
    )
    parser.add_argument(
        "--keep",
        action="store_true",
        help="reuse an index already in --data-dir instead of building one",
    )
    parser.add_argument("--heap-mb", type=int, default=256, help="tantivy writer heap")
    args = parser.parse_args(argv)

    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="bench-search-"))
    backend = TantivyBackend(data_dir / "index", writer_heap_bytes=args.heap_mb * 1_000_000)
    report: dict[str, Any] = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "tantivy": getattr(tantivy, "__version__", "unknown"),
        },
        "target_p95_ms": TARGET_P95_MS,
    }
    try:
        if args.keep and backend.count() == args.posts:
            report["indexing"] = {"posts": args.posts, "reused": True}
        else:
            print(f"indexing {args.posts:,} synthetic posts into {data_dir}", flush=True)
            report["indexing"] = build_index(backend, args.posts, args.seed)
        backend.close()  # let merges finish so searches meet a settled index
        backend = TantivyBackend(data_dir / "index")
        report["indexing"]["index_bytes"] = sum(
            f.stat().st_size for f in Path(os.path.realpath(data_dir / "index")).iterdir()
        )
        report["indexing"]["segments"] = backend._index.searcher().num_segments
        print("timing searches", flush=True)
        report["searches"] = measure(backend, args.rounds)
    finally:
        backend.close()
        if args.data_dir is None:
            shutil.rmtree(data_dir, ignore_errors=True)
    reference = report["searches"]["reference: bare tantivy term query"]["p95_ms"]
    for figures in report["searches"].values():
        figures["p95_vs_reference"] = round(figures["p95_ms"] / reference, 1) if reference else None
    report["mix_p95_within_target"] = report["searches"]["whole mix"]["p95_ms"] <= TARGET_P95_MS
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(report, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
