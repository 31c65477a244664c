"""Search benchmark for an Elasticsearch/OpenSearch node, the counterpart of
``bench.bench_search`` for tantivy: the same deterministic synthetic corpus indexed straight into
the backend (``ElasticsearchBackend.index_posts``, no HTTP collection), then the same request mix
(facets, date histogram, highlights, filters, sorts, deep offset) timed for p50/p95/p99, beside
the reference of a bare ``match`` query sent with the raw client (top 20, no facets, no source).

    python -m bench.bench_engine_search --engine-url http://127.0.0.1:9200 --posts 100000
"""

from __future__ import annotations

import argparse
import json
import time
import uuid
from functools import partial
from pathlib import Path
from typing import Any

from bench.bench_search import CHUNK, QUERY_MIX, TARGET_P95_MS, _percentiles, _time
from bench.synthetic_posts import SyntheticCorpus
from config.models import SearchSettings
from indexer.backends.elastic_backend import ElasticsearchBackend


def build_index(backend: ElasticsearchBackend, posts: int, seed: int) -> dict[str, Any]:
    stream = SyntheticCorpus(seed).posts(posts)
    indexed_seconds = 0.0
    remaining = posts
    while remaining:
        chunk = [next(stream) for _ in range(min(CHUNK, remaining))]
        started = time.perf_counter()
        backend.index_posts(chunk)
        indexed_seconds += time.perf_counter() - started
        remaining -= len(chunk)
    return {
        "posts": backend.count(),
        "index_seconds": round(indexed_seconds, 1),
        "posts_per_second": round(posts / indexed_seconds),
    }


def measure(backend: ElasticsearchBackend, rounds: int) -> dict[str, Any]:
    results: dict[str, Any] = {}
    for name, request in QUERY_MIX.items():
        backend.search(request)  # warm caches, as a running server would be
        results[name] = _percentiles(_time(partial(backend.search, request), rounds))
        results[name]["total_hits"] = backend.search(request).total
    mix = [
        sample
        for request in QUERY_MIX.values()
        for sample in _time(partial(backend.search, request), rounds // 2)
    ]
    results["whole mix"] = _percentiles(mix)
    raw, alias = backend.client.raw, backend.read_alias
    body = {
        "query": {"match": {"text": "ambtenaar"}},
        "size": 20,
        "_source": False,
        "track_total_hits": False,
    }

    def reference() -> object:
        return raw.search(index=alias, body=body)

    reference()
    results["reference: bare match query"] = _percentiles(_time(reference, rounds * 2))
    return results


def run(engine_url: str, posts: int, rounds: int, seed: int, flavour: str) -> dict[str, Any]:
    settings = SearchSettings(
        search_backend=flavour,  # type: ignore[arg-type]
        hosts=[engine_url],
        index_name=f"archiveren-bench-search-{uuid.uuid4().hex[:8]}",
    )
    backend = ElasticsearchBackend(settings)
    try:
        report: dict[str, Any] = {"target_p95_ms": TARGET_P95_MS, "engine_url": engine_url}
        report["indexing"] = build_index(backend, posts, seed)
        report["searches"] = measure(backend, rounds)
    finally:
        backend.drop()
        backend.close()
    reference = report["searches"]["reference: bare match query"]["p95_ms"]
    for figures in report["searches"].values():
        figures["p95_vs_reference"] = round(figures["p95_ms"] / reference, 1) if reference else None
    report["mix_p95_within_target"] = report["searches"]["whole mix"]["p95_ms"] <= TARGET_P95_MS
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine-url", default="http://127.0.0.1:9200")
    parser.add_argument(
        "--flavour", default="elasticsearch", choices=("elasticsearch", "opensearch")
    )
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=60, help="timed runs per query")
    parser.add_argument("--seed", type=int, default=20240501)
    parser.add_argument("--out", type=Path, default=Path("bench/out/engine-search.json"))
    args = parser.parse_args(argv)
    report = run(args.engine_url, args.posts, args.rounds, args.seed, args.flavour)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(report, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
