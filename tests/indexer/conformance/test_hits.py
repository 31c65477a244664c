"""What a hit carries: the whole Post, safe highlighted snippets, and related Posts."""

from __future__ import annotations

import html
import re

from indexer.query_model import SearchBackend, SearchRequest
from tests.indexer.conformance.corpus import BY_ID

_MARK = re.compile(r"</?mark>")


def _highlights(backend: SearchBackend, query: str) -> dict[str, dict[str, list[str]]]:
    result = backend.search(SearchRequest(query=query, limit=100, facets=[], date_histogram=None))
    return {hit.post.id: hit.highlights for hit in result.hits}


def test_hits_and_get_return_the_whole_post(corpus_backend: SearchBackend) -> None:
    for post_id in ("x:1010", "wiki:zonder-datum", "web:hostile"):
        assert corpus_backend.get(post_id) == BY_ID[post_id]
    hit = corpus_backend.search(SearchRequest(query="id:x\\:1001")).hits[0]
    assert hit.post == BY_ID["x:1001"]
    assert corpus_backend.get("x:0") is None


def test_highlights_mark_stemmed_matches(corpus_backend: SearchBackend) -> None:
    found = _highlights(corpus_backend, "ambtenaar")
    assert "<mark>ambtenaren</mark>" in found["blog:1"]["text"][0]
    assert "<mark>Ambtenaar</mark>" in found["blog:1"]["title"][0]
    assert "<mark>ambtenaar</mark>" in found["blog:3"]["text"][0]
    assert "title" not in found["blog:3"]


def test_highlights_escape_hostile_markup(corpus_backend: SearchBackend) -> None:
    hostile = _highlights(corpus_backend, "onveilige OR tekens")["web:hostile"]
    for field, fragments in hostile.items():
        for fragment in fragments:
            assert "<script" not in fragment and "<b>" not in fragment
            assert set(re.findall(r"<[^>]*>", fragment)) <= {"<mark>", "</mark>"}
            plain = html.unescape(_MARK.sub("", fragment)).strip("…")
            assert plain in getattr(BY_ID["web:hostile"], field)
    assert "<mark>Onveilige</mark>" in hostile["title"][0]
    assert "&lt;script&gt;" in hostile["title"][0]


def test_every_highlight_is_escaped_text_of_its_field(corpus_backend: SearchBackend) -> None:
    for post_id, highlights in _highlights(
        corpus_backend, "ambtenaar OR overheid OR sociale"
    ).items():
        for field, fragments in highlights.items():
            for fragment in fragments:
                assert "<mark>" in fragment
                plain = html.unescape(_MARK.sub("", fragment)).strip("…")
                assert plain.strip() in getattr(BY_ID[post_id], field)


def test_no_highlights_when_switched_off_or_nothing_to_mark(corpus_backend: SearchBackend) -> None:
    off = corpus_backend.search(SearchRequest(query="ambtenaar", highlight=False))
    assert all(hit.highlights == {} for hit in off.hits)
    everything = corpus_backend.search(SearchRequest(query=""))
    assert all(hit.highlights == {} for hit in everything.hits)


def test_more_like_this_finds_posts_on_the_same_subject(corpus_backend: SearchBackend) -> None:
    similar = [hit.post.id for hit in corpus_backend.more_like_this("x:1008", limit=5)]
    assert "x:1008" not in similar
    assert {"wiki:thuiswerken", "x:1009"} & set(similar)
    assert corpus_backend.more_like_this("x:0") == []


def test_count_is_the_number_of_posts(corpus_backend: SearchBackend) -> None:
    assert corpus_backend.count() == len(BY_ID)
