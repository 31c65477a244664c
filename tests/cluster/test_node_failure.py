"""An index on a three-node Elasticsearch cluster with one replica of every shard survives a
node that dies: indexing that meets the crash carries on and ends with every Post exactly once,
and searches keep answering, complete, while a node is gone. The client is given all three
nodes (search.hosts) and fails over between them; the cluster promotes replicas.

Takes about 130 s on the project's busy 2-core machine with the cluster running (most of it
bringing the killed node back), about 260 s when the fixture has to start and stop the cluster
(`make cluster-start` beforehand saves that)."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from config.models import SearchSettings
from foundation.post import Post
from indexer.backends.elastic_backend import ElasticsearchBackend
from indexer.prepared import PreparedPost
from indexer.query_model import SearchRequest
from tests.fixtures.engine_cluster import EngineCluster

pytestmark = [pytest.mark.engine, pytest.mark.slow]
START = datetime(2020, 1, 1, tzinfo=UTC)
POSTS = 12_000


def post(i: int) -> Post:
    return Post(
        id=f"blog:{i}",
        platform="blog",
        source=f"ambtenaar-{i % 7}",
        title=f"Bericht {i}",
        text=f"De ambtenaren delen hun werk online, bericht nummer {i}.",
        published_at=START + timedelta(minutes=i),
    )


@pytest.fixture
def cluster_backend(engine_cluster: EngineCluster) -> Iterator[ElasticsearchBackend]:
    settings = SearchSettings(
        search_backend="elasticsearch",
        hosts=engine_cluster.urls,
        number_of_shards=3,
        number_of_replicas=1,
    )
    backend = ElasticsearchBackend(
        settings,
        index_name=f"test-{uuid.uuid4().hex[:12]}",
        outage_wait_seconds=180,
        retry_interval_seconds=1,
        batch_size=250,
    )
    yield backend
    for port in sorted(engine_cluster.down):
        engine_cluster.restart(port)
    backend.drop()
    backend.close()


def wait_for_answers(answers: list[int], count: int) -> None:
    deadline = time.monotonic() + 120
    while len(answers) < count and time.monotonic() < deadline:
        time.sleep(0.1)


def every_id(backend: ElasticsearchBackend) -> list[str]:
    return [found.id for found in backend.scan(SearchRequest(query=""))]


def test_indexing_that_meets_a_dying_node_resumes_and_ends_with_every_post_once(
    engine_cluster: EngineCluster, cluster_backend: ElasticsearchBackend
) -> None:
    cluster_backend.ensure_index()
    engine_cluster.wait_for("green", 3)
    half_way = threading.Event()

    def documents() -> Iterator[PreparedPost]:
        for i in range(POSTS):
            if i == POSTS // 3:
                half_way.set()
            yield cluster_backend.prepare(post(i))

    written: list[int] = []
    indexing = threading.Thread(
        target=lambda: written.append(cluster_backend.index_prepared(documents()))
    )
    indexing.start()
    assert half_way.wait(120), "indexing never got a third of the way"
    victim = engine_cluster.master_port()
    engine_cluster.kill(victim)
    indexing.join(300)

    assert not indexing.is_alive(), "indexing did not finish after the node died"
    assert written == [POSTS]
    found = every_id(cluster_backend)
    assert len(found) == POSTS, f"{len(found)} Posts in the index, {POSTS} written"
    assert set(found) == {f"blog:{i}" for i in range(POSTS)}
    assert cluster_backend.count() == POSTS
    assert engine_cluster.health()["number_of_nodes"] == 2


def test_searches_keep_answering_completely_while_a_node_dies(
    engine_cluster: EngineCluster, cluster_backend: ElasticsearchBackend
) -> None:
    cluster_backend.index_posts(post(i) for i in range(3_000))
    engine_cluster.wait_for("green", 3)
    answers: list[int] = []
    failures: list[str] = []
    stop = threading.Event()

    def search_all_the_time() -> None:
        while not stop.is_set():
            try:
                result = cluster_backend.search(
                    SearchRequest(query="ambtenaren", limit=5, facets=[], date_histogram=None)
                )
                answers.append(result.total)
            except Exception as exc:  # noqa: BLE001 - every failure is the finding
                failures.append(f"{exc.__class__.__name__}: {exc}")

    searching = threading.Thread(target=search_all_the_time)
    searching.start()
    try:
        wait_for_answers(answers, 20)
        before = len(answers)
        # Not the master: the master's loss is the indexing test's; here the client's own node
        # list and the cluster's shard copies carry the searches.
        victim = next(port for port in engine_cluster.ports if port != engine_cluster.master_port())
        engine_cluster.kill(victim)
        engine_cluster.wait_for("yellow", 2)
        wait_for_answers(answers, before + 50)
    finally:
        stop.set()
        searching.join(60)

    assert failures == []
    assert len(answers) >= before + 50
    assert set(answers) == {3_000}, "a search answered with Posts missing"
