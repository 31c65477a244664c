"""The engine settings a cluster needs, against a real node of each flavour: the index is made
with search.number_of_shards, number_of_replicas and refresh_interval; replicas and refresh
change on a live index when the config does; and a client given several nodes goes on to the
next when one does not answer. The three-node cluster itself is in tests/cluster/."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from config.models import SearchSettings
from foundation.errors import BackendUnavailable
from foundation.post import Post
from indexer.backends.elastic_backend import ElasticsearchBackend
from indexer.backends.elastic_client import Flavour
from indexer.query_model import SearchRequest
from tests.fixtures.engine import engine_url

pytestmark = pytest.mark.engine


@pytest.fixture
def index_name(engine_flavour: Flavour) -> Iterator[str]:
    name = f"test-{uuid.uuid4().hex[:12]}"
    yield name
    cleaner = ElasticsearchBackend(
        SearchSettings(search_backend=engine_flavour, hosts=[engine_url(engine_flavour)]),
        index_name=name,
    )
    cleaner.drop()
    cleaner.close()


def backend(flavour: Flavour, name: str, **settings: object) -> ElasticsearchBackend:
    hosts = settings.pop("hosts", [engine_url(flavour)])
    return ElasticsearchBackend(
        SearchSettings.model_validate({"search_backend": flavour, "hosts": hosts, **settings}),
        index_name=name,
        outage_wait_seconds=2,
        retry_interval_seconds=0.2,
    )


def live_settings(engine: ElasticsearchBackend) -> dict[str, str]:
    found = engine.client.raw.indices.get_settings(index=engine.read_alias)
    return dict(next(iter(found.values()))["settings"]["index"])


def one_post() -> Post:
    return Post(
        id="blog:1",
        platform="blog",
        source="ambtenaar20-blog",
        text="De ambtenaren delen hun werk online.",
        published_at=datetime(2020, 1, 1, tzinfo=UTC),
    )


def test_a_new_index_has_the_configured_shards_replicas_and_refresh(
    engine_flavour: Flavour, index_name: str
) -> None:
    engine = backend(
        engine_flavour, index_name, number_of_shards=2, number_of_replicas=1, refresh_interval="5s"
    )
    engine.index_posts([one_post()])
    found = live_settings(engine)
    engine.close()

    assert (found["number_of_shards"], found["number_of_replicas"]) == ("2", "1")
    assert found["refresh_interval"] == "5s"


def test_replicas_and_refresh_follow_the_config_on_a_live_index(
    engine_flavour: Flavour, index_name: str
) -> None:
    first = backend(engine_flavour, index_name)
    first.index_posts([one_post()])
    before = live_settings(first)
    first.close()

    later = backend(engine_flavour, index_name, number_of_replicas=2, refresh_interval="30s")
    later.index_posts([one_post()])
    after = live_settings(later)
    later.close()

    assert before["number_of_replicas"] == "0" and "refresh_interval" not in before
    assert (after["number_of_replicas"], after["refresh_interval"]) == ("2", "30s")
    assert after["number_of_shards"] == before["number_of_shards"] == "1"


def test_a_client_given_several_nodes_goes_on_to_one_that_answers(
    engine_flavour: Flavour, index_name: str, closed_port: int
) -> None:
    dead = f"http://127.0.0.1:{closed_port}"
    engine = backend(engine_flavour, index_name, hosts=[dead, engine_url(engine_flavour)])
    engine.index_posts([one_post()])
    answers = [engine.search(SearchRequest(query="ambtenaren")).total for _ in range(6)]
    engine.close()

    assert answers == [1] * 6


def test_a_client_whose_only_node_is_gone_says_so(
    engine_flavour: Flavour, index_name: str, closed_port: int
) -> None:
    engine = backend(engine_flavour, index_name, hosts=[f"http://127.0.0.1:{closed_port}"])
    with pytest.raises(BackendUnavailable, match=f"127.0.0.1:{closed_port}.*search.hosts"):
        engine.search(SearchRequest(query="ambtenaren"))
    engine.close()


@pytest.mark.parametrize("value", ["fast", "5 s", "1d", ""])
def test_a_refresh_interval_the_engine_would_not_take_is_refused_naming_the_field(
    value: str,
) -> None:
    with pytest.raises(ValidationError, match="refresh_interval"):
        SearchSettings(search_backend="elasticsearch", refresh_interval=value)
