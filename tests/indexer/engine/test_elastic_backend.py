"""ElasticsearchBackend against a real Elasticsearch and OpenSearch node: the index layout
(template, read and write aliases), the rebuild swap, reported bulk rejections, outages
(searches fail clearly, indexing waits and keeps its place) and deep paging with a point in
time. Query semantics shared with tantivy are in tests/indexer/conformance/."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest

from config.models import SearchSettings
from foundation.errors import BackendUnavailable, IndexError_, QueryError
from foundation.post import Post
from indexer.backends.elastic_backend import BulkRejected, ElasticsearchBackend
from indexer.backends.elastic_client import Flavour
from indexer.query_model import SearchRequest
from tests.fixtures.engine import FlakyProxy

pytestmark = pytest.mark.engine
START = datetime(2015, 3, 1, tzinfo=UTC)


def posts(
    count: int, *, prefix: str = "blog", text: str = "De ambtenaren delen hun werk online."
) -> list[Post]:
    return [
        Post(
            id=f"{prefix}:{i}",
            platform="blog",
            source="ambtenaar20-blog",
            title=f"Bericht {i}",
            text=text,
            hashtags=["#Ambtenaar20"],
            published_at=START + timedelta(hours=i),
        )
        for i in range(count)
    ]


def ids(backend: ElasticsearchBackend, query: str = "") -> list[str]:
    return sorted(post.id for post in backend.scan(SearchRequest(query=query)))


def test_first_write_creates_template_index_and_both_aliases(
    elastic_backend: ElasticsearchBackend,
) -> None:
    elastic_backend.index_posts(posts(3))
    raw = elastic_backend.client.raw
    template = raw.indices.get_index_template(name=f"{elastic_backend.name}-template")[
        "index_templates"
    ][0]["index_template"]
    assert template["index_patterns"] == [f"{elastic_backend.name}.v*"]
    physical = elastic_backend.physical_indices()
    assert len(physical) == 1 and physical[0].startswith(f"{elastic_backend.name}.v")
    aliases = raw.indices.get_alias(index=physical[0])[physical[0]]["aliases"]
    assert aliases == {
        elastic_backend.read_alias: {},
        elastic_backend.write_alias: {"is_write_index": True},
    }
    mapping = raw.indices.get_mapping(index=physical[0])[physical[0]]["mappings"]["properties"]
    assert mapping["text"]["analyzer"] == "archiveren_dutch"
    assert mapping["title"]["fields"]["keyword"]["type"] == "keyword"
    assert mapping["text"]["fields"]["folded"]["analyzer"] == "archiveren_folded"
    assert mapping["author"]["type"] == "keyword"
    assert mapping["author"]["fields"]["folded"]["analyzer"] == "archiveren_folded"
    assert mapping["published_at"]["type"] == "date"
    assert mapping["hashtags"]["type"] == "keyword"


def test_dutch_stemming_and_folding_find_other_word_forms(
    elastic_backend: ElasticsearchBackend,
) -> None:
    elastic_backend.index_posts(posts(1, text="De ambtenaren fietsten naar het café in België."))
    for query in ("ambtenaar", "fietst", "cafe", "belgie", "text:ambtenaren"):
        assert elastic_backend.search(SearchRequest(query=query)).total == 1, query


def test_rebuild_is_invisible_until_commit_then_replaces_the_old_index(
    elastic_backend: ElasticsearchBackend,
) -> None:
    elastic_backend.index_posts(posts(4, prefix="old"))
    old_index = elastic_backend.physical_indices()
    fresh = elastic_backend.begin_rebuild()
    fresh.index_posts(posts(2, prefix="new"))
    assert ids(elastic_backend) == ["old:0", "old:1", "old:2", "old:3"]
    elastic_backend.commit_rebuild(fresh)
    assert ids(elastic_backend) == ["new:0", "new:1"]
    assert elastic_backend.physical_indices() != old_index
    assert not elastic_backend.client.raw.indices.exists(index=old_index[0])
    elastic_backend.index_posts(posts(1, prefix="after"))
    assert ids(elastic_backend) == ["after:0", "new:0", "new:1"]


def test_an_index_an_earlier_version_mapped_is_refused_until_a_rebuild(
    elastic_backend: ElasticsearchBackend,
) -> None:
    # What an earlier version made: the Post and its keywords, no folded subfields, no version.
    elastic_backend.client.raw.indices.create(
        index=f"{elastic_backend.name}.v1",
        body={
            "mappings": {
                "properties": {
                    "post": {"type": "object", "enabled": False},
                    "author": {"type": "keyword"},
                }
            },
            "aliases": {
                elastic_backend.read_alias: {},
                elastic_backend.write_alias: {"is_write_index": True},
            },
        },
    )
    with pytest.raises(
        IndexError_, match=r"mapping version 1, this one needs \d+.*index --rebuild"
    ):
        elastic_backend.search(SearchRequest(query="author:jeroen"))
    with pytest.raises(IndexError_, match="index --rebuild"):
        ids(elastic_backend)
    fresh = elastic_backend.begin_rebuild()
    fresh.index_posts(posts(2, prefix="new"))
    elastic_backend.commit_rebuild(fresh)
    assert ids(elastic_backend, "ambtenaar") == ["new:0", "new:1"]


def test_rejected_posts_are_reported_by_id_and_the_rest_is_written(
    elastic_backend: ElasticsearchBackend,
) -> None:
    # The engine refuses a keyword term over 32766 bytes: a per-document rejection in the bulk reply.
    immense = Post(
        id="blog:immense",
        platform="blog",
        source="ambtenaar20-blog",
        url="https://example.org/?" + "x" * 33000,
    )
    long_id = Post(id="blog:" + "x" * 600, platform="blog", source="ambtenaar20-blog")
    with pytest.raises(BulkRejected) as raised:
        elastic_backend.index_posts([*posts(3), immense, long_id])
    assert raised.value.written == 3
    reasons = dict(raised.value.rejected)
    assert sorted(reasons) == sorted([immense.id, long_id.id])
    assert "url" in reasons[immense.id] and len(reasons[immense.id]) < 600
    assert "605 bytes" in reasons[long_id.id]
    assert "2 Post(s) rejected, 3 written" in str(raised.value)
    assert elastic_backend.count() == 3


def test_search_on_a_closed_port_says_the_engine_is_unreachable(
    engine_flavour: Flavour, closed_port: int
) -> None:
    backend = ElasticsearchBackend(
        SearchSettings(search_backend=engine_flavour, hosts=[f"http://127.0.0.1:{closed_port}"]),
        index_name="nowhere",
    )
    with pytest.raises(
        BackendUnavailable, match=f"127.0.0.1:{closed_port}.*scripts/search-engine start"
    ):
        backend.search(SearchRequest(query="ambtenaar"))


def test_indexing_gives_up_after_its_wait_and_says_how_far_it_got(
    engine_flavour: Flavour, closed_port: int
) -> None:
    settings = SearchSettings(
        search_backend=engine_flavour, hosts=[f"http://127.0.0.1:{closed_port}"]
    )
    backend = ElasticsearchBackend(
        settings, index_name="nowhere", outage_wait_seconds=0.6, retry_interval_seconds=0.2
    )
    backend._ready = True  # skip the template check, which would fail fast as a search does
    with pytest.raises(
        BackendUnavailable,
        match=r"unreachable or overloaded for 1s.*0 written before the outage.*'blog:0'",
    ):
        backend.index_posts(posts(5))


def test_indexing_waits_out_an_outage_and_keeps_its_place(
    elastic_backend_factory: Callable[..., ElasticsearchBackend], flaky_proxy: FlakyProxy
) -> None:
    direct = elastic_backend_factory()
    direct.ensure_index()
    settings = SearchSettings(search_backend=direct.flavour, hosts=[flaky_proxy.url])
    through_proxy = ElasticsearchBackend(
        settings,
        index_name=direct.name,
        outage_wait_seconds=20,
        retry_interval_seconds=0.3,
        batch_size=10,
    )

    def stream() -> Iterator[Post]:
        for i, post in enumerate(posts(30)):
            if i == 12:  # batch one is written, batch two is being gathered: the node "dies"
                flaky_proxy.down_for(1.5)
            yield post

    assert through_proxy.index_posts(stream()) == 30
    assert ids(direct) == sorted(f"blog:{i}" for i in range(30))
    through_proxy.close()


def test_deep_paging_visits_every_hit_once_in_order(elastic_backend: ElasticsearchBackend) -> None:
    elastic_backend.index_posts(posts(95))
    request = SearchRequest(
        query="ambtenaar", sort="newest", limit=20, facets=[], date_histogram=None, highlight=False
    )
    seen: list[Post] = []
    page = elastic_backend.search(request)
    pages = 1
    while page.next_cursor:
        seen += [hit.post for hit in page.hits]
        page = elastic_backend.search(request.model_copy(update={"search_after": page.next_cursor}))
        pages += 1
        assert page.total == 95
    seen += [hit.post for hit in page.hits]
    assert pages == 5
    assert [post.id for post in seen] == [f"blog:{i}" for i in reversed(range(95))]


def test_a_cursor_from_elsewhere_is_a_query_error(elastic_backend: ElasticsearchBackend) -> None:
    elastic_backend.index_posts(posts(2))
    with pytest.raises(QueryError, match="search again from the first page"):
        elastic_backend.search(SearchRequest(search_after=["1700000000", "blog:1"]))


def test_scan_streams_every_match_past_one_page(elastic_backend: ElasticsearchBackend) -> None:
    elastic_backend.index_posts(posts(620))
    elastic_backend.index_posts(posts(5, prefix="other", text="Iets heel anders."))
    assert len(ids(elastic_backend, "ambtenaar")) == 620
    assert ids(elastic_backend, "anders") == [f"other:{i}" for i in range(5)]


def test_highlights_mark_matches_and_escape_markup(elastic_backend: ElasticsearchBackend) -> None:
    elastic_backend.index_posts(posts(1, text="<script>alert(1)</script> ambtenaren werken samen"))
    hit = elastic_backend.search(SearchRequest(query="ambtenaar")).hits[0]
    assert hit.highlights["text"] == [
        "&lt;script&gt;alert(1)&lt;&#x2F;script&gt; <mark>ambtenaren</mark> werken samen"
    ]
