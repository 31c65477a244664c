"""Indexing throughput of the three-node cluster beside the single node, in the same run: the
same deterministic synthetic Posts (bench.synthetic_posts) indexed straight into the backend
(``ElasticsearchBackend.index_posts``, prepared in this process) on the single Elasticsearch
node (the reference), then on the cluster of ``scripts/search-engine start-cluster`` with three
shards and no replica and with one replica, and a count and a search on the cluster after each.
Each figure is the median of ``--repeats`` runs, each on a fresh index; the result is Posts per
second and each cluster rate as a ratio of the single node's. On one machine the three nodes
share its cores and disk, so the ratio shows what replication and coordination cost, not what
three machines would add (docs/scaling.md says how the figures are extrapolated).

    python -m bench.bench_engine_cluster --posts 20000 --repeats 3
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
import uuid
from typing import Any

from bench.synthetic_posts import SyntheticCorpus
from config.models import SearchSettings
from indexer.backends.elastic_backend import ElasticsearchBackend
from indexer.query_model import SearchRequest

CHUNK = 20_000
"""Posts per write, as the indexer's batches: each write ends with a refresh."""


def index_rate(hosts: list[str], posts: int, shards: int, replicas: int) -> float:
    settings = SearchSettings(
        search_backend="elasticsearch",
        hosts=hosts,
        number_of_shards=shards,
        number_of_replicas=replicas,
    )
    backend = ElasticsearchBackend(settings, index_name=f"bench-{uuid.uuid4().hex[:12]}")
    try:
        prepared = [backend.prepare(post) for post in SyntheticCorpus().posts(posts)]
        backend.ensure_index()
        started = time.perf_counter()
        for at in range(0, posts, CHUNK):
            backend.index_prepared(prepared[at : at + CHUNK])
        seconds = time.perf_counter() - started
        if backend.count() != posts:
            raise SystemExit(f"{backend.count()} Posts in the index, {posts} written")
        backend.search(SearchRequest(query="ambtenaren"))
        return posts / seconds
    finally:
        backend.drop()
        backend.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--single", default="http://127.0.0.1:9200")
    parser.add_argument(
        "--cluster",
        default="http://127.0.0.1:9210,http://127.0.0.1:9211,http://127.0.0.1:9212",
    )
    parser.add_argument("--posts", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    cluster = args.cluster.split(",")
    setups: dict[str, tuple[list[str], int, int]] = {
        "single node, 1 shard, 0 replicas (reference)": ([args.single], 1, 0),
        "3 nodes, 3 shards, 0 replicas": (cluster, 3, 0),
        "3 nodes, 3 shards, 1 replica": (cluster, 3, 1),
    }
    rates: dict[str, list[float]] = {name: [] for name in setups}
    for _ in range(args.repeats):  # interleaved, so a busy minute hits every setup alike
        for name, (hosts, shards, replicas) in setups.items():
            rates[name].append(index_rate(hosts, args.posts, shards, replicas))
    reference = statistics.median(rates[next(iter(setups))])
    result: dict[str, Any] = {
        "posts": args.posts,
        "repeats": args.repeats,
        "load_average_at_end": [round(load, 2) for load in os.getloadavg()],
        "setups": {},
    }
    for name, found in rates.items():
        median = statistics.median(found)
        result["setups"][name] = {
            "posts_per_second": round(median),
            "ratio_to_single_node": round(median / reference, 2),
            "runs": [round(rate) for rate in found],
        }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
