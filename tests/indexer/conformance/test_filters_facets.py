"""Filters, facet counts and the date histogram: the same numbers from every backend, checked
against counts a plain-Python oracle takes from the corpus."""

from __future__ import annotations

from datetime import UTC, datetime

from indexer.query_model import FACET_FIELDS, SearchBackend, SearchRequest
from tests.indexer.conformance.helpers import corpus_ids, expected_facet, hit_ids


def test_filter_values_are_or_within_a_field_and_across_fields(
    corpus_backend: SearchBackend,
) -> None:
    assert hit_ids(corpus_backend, filters={"platform": ["wiki", "web"]}) == corpus_ids(
        lambda p: p.platform in ("wiki", "web")
    )
    assert hit_ids(corpus_backend, filters={"platform": ["x"], "kind": ["reply"]}) == {
        "x:1002",
        "x:1007",
    }


def test_every_filter_field_narrows_the_result(corpus_backend: SearchBackend) -> None:
    assert hit_ids(corpus_backend, filters={"source": ["social-overheid"]}) == corpus_ids(
        lambda p: p.source == "social-overheid"
    )
    assert hit_ids(corpus_backend, filters={"organisation": ["Rijksoverheid"]}) == corpus_ids(
        lambda p: p.organisation == "Rijksoverheid"
    )
    assert hit_ids(corpus_backend, filters={"author": ["Özlem Yılmaz"]}) == corpus_ids(
        lambda p: p.author == "Özlem Yılmaz"
    )
    assert hit_ids(corpus_backend, filters={"hashtag": ["#Archief"]}) == {"x:1004", "mastodon:2006"}
    assert hit_ids(corpus_backend, filters={"thread_id": ["network:3001"]}) == {
        "network:3001",
        "network:3002",
        "network:3003",
        "network:3004",
    }
    assert hit_ids(corpus_backend, filters={"parent_id": ["network:3001"]}) == {
        "network:3002",
        "network:3003",
    }
    assert hit_ids(corpus_backend, filters={"lang": ["en"]}) == {"x:1011"}


def test_filters_combine_with_the_query(corpus_backend: SearchBackend) -> None:
    assert hit_ids(corpus_backend, "ambtenaar", filters={"platform": ["mastodon"]}) == {
        "mastodon:2003",
        "mastodon:2005",
    }


def test_date_range_is_from_inclusive_to_exclusive(corpus_backend: SearchBackend) -> None:
    found = hit_ids(
        corpus_backend,
        date_from=datetime(2022, 11, 5, 11, tzinfo=UTC),
        date_to=datetime(2023, 3, 1, 9, tzinfo=UTC),
    )
    assert found == {"mastodon:2002", "mastodon:2003", "x:1005"}


def test_filters_do_not_change_relevance_order(corpus_backend: SearchBackend) -> None:
    plain = corpus_backend.search(SearchRequest(query="ambtenaar", limit=50))
    filtered = corpus_backend.search(
        SearchRequest(query="ambtenaar", limit=50, filters={"lang": ["nl"]})
    )
    assert [h.post.id for h in plain.hits] == [h.post.id for h in filtered.hits]


def test_facets_count_every_match(corpus_backend: SearchBackend) -> None:
    result = corpus_backend.search(SearchRequest(limit=1, facet_size=100))
    assert set(result.facets) == set(FACET_FIELDS)
    for name in FACET_FIELDS:
        field = "hashtags" if name == "hashtag" else name
        assert {b.value: b.count for b in result.facets[name]} == expected_facet(field), name


def test_facets_count_only_the_result_set(corpus_backend: SearchBackend) -> None:
    result = corpus_backend.search(
        SearchRequest(query="ambtenaar", facets=["platform", "kind"], limit=0)
    )
    assert result.total == 12 and result.hits == []
    assert {b.value: b.count for b in result.facets["platform"]} == {
        "blog": 3,
        "x": 2,
        "mastodon": 2,
        "network": 2,
        "wiki": 1,
        "web": 2,
    }
    assert {b.value: b.count for b in result.facets["kind"]} == {
        "post": 6,
        "comment": 2,
        "reply": 1,
        "page": 3,
    }


def test_facet_buckets_are_most_frequent_first_ties_by_value(corpus_backend: SearchBackend) -> None:
    result = corpus_backend.search(SearchRequest(facets=["hashtag"], facet_size=4))
    # ambtenaar20: 3; archief, overheid and thuiswerken: 2 each, so the fourth bucket is cut.
    assert [(b.value, b.count) for b in result.facets["hashtag"]] == [
        ("ambtenaar20", 3),
        ("archief", 2),
        ("overheid", 2),
        ("thuiswerken", 2),
    ]


def test_yearly_histogram_fills_empty_years_with_zero(corpus_backend: SearchBackend) -> None:
    result = corpus_backend.search(
        SearchRequest(
            query="hashtag:thuiswerken OR hashtag:archief", date_histogram="year", facets=[]
        )
    )
    assert [(b.value, b.count) for b in result.date_histogram] == [
        ("2019-01-01", 1), ("2020-01-01", 2), ("2021-01-01", 0), ("2022-01-01", 0), ("2023-01-01", 1),
    ]  # fmt: skip


def test_histogram_counts_dated_posts_by_utc_year(corpus_backend: SearchBackend) -> None:
    result = corpus_backend.search(SearchRequest(date_histogram="year", facets=[]))
    years = {b.value[:4]: b.count for b in result.date_histogram}
    assert sum(years.values()) == 41  # the two undated Posts are in no bucket
    assert years["2020"] == 4 and years["2021"] == 1


def test_weeks_start_on_monday_and_days_are_utc(corpus_backend: SearchBackend) -> None:
    thread = {"thread_id": ["mastodon:2001"]}
    weekly = corpus_backend.search(SearchRequest(filters=thread, date_histogram="week", facets=[]))
    assert [(b.value, b.count) for b in weekly.date_histogram] == [("2022-10-31", 3)]
    daily = corpus_backend.search(SearchRequest(filters=thread, date_histogram="day", facets=[]))
    assert [(b.value, b.count) for b in daily.date_histogram] == [
        ("2022-11-05", 2),
        ("2022-11-06", 1),
    ]
    monthly = corpus_backend.search(
        SearchRequest(query="published_at:2015", date_histogram="month", facets=[])
    )
    assert [(b.value, b.count) for b in monthly.date_histogram] == [("2015-02-01", 3)]


def test_no_histogram_or_facets_when_not_asked(corpus_backend: SearchBackend) -> None:
    result = corpus_backend.search(SearchRequest(facets=[], date_histogram=None))
    assert result.facets == {} and result.date_histogram == []
