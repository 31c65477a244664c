"""Behaviour that is particular to the embedded tantivy backend: one writer process, searches
that never wait for indexing, the generation swap of a rebuild seen from another reader, the
factory, and exact facets however many values a segment holds."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import tantivy

from config.models import SearchSettings
from foundation.errors import IndexError_, QueryError
from foundation.post import Post
from indexer.backends import make_backend, tantivy_results
from indexer.backends.tantivy_backend import TantivyBackend
from indexer.query_model import SearchBackend, SearchRequest
from tests.indexer.conformance.corpus import CORPUS


@pytest.fixture
def backend(tmp_path: Path) -> Iterator[TantivyBackend]:
    opened = TantivyBackend(tmp_path / "index", writer_heap_bytes=15_000_000, writer_threads=1)
    yield opened
    opened.close()


def _slow_posts(count: int, delay: float, done: threading.Event) -> Iterator[Post]:
    for number in range(count):
        time.sleep(delay)
        yield Post(id=f"x:slow-{number}", platform="x", source="x-rijk", text=f"bericht {number}")
    done.set()  # every Post is handed over; the commit follows


def test_searches_answer_from_the_last_commit_while_a_batch_is_indexed(
    backend: TantivyBackend,
) -> None:
    backend.index_posts(CORPUS)
    handed_over = threading.Event()
    writer = threading.Thread(
        target=backend.index_posts, args=(_slow_posts(200, 0.005, handed_over),)
    )
    writer.start()
    totals = []
    while not handed_over.is_set():
        totals.append(backend.search(SearchRequest(query="", limit=1)).total)
    writer.join()
    assert len(totals) >= 5 and set(totals) == {len(CORPUS)}
    assert backend.count() == len(CORPUS) + 200


def test_a_second_process_may_search_but_not_write(backend: TantivyBackend, tmp_path: Path) -> None:
    backend.index_posts(CORPUS[:3])  # this process now holds the writer
    script = (
        "import sys; from pathlib import Path\n"
        "from foundation.errors import IndexError_\n"
        "from indexer.backends.tantivy_backend import TantivyBackend\n"
        "from foundation.post import Post\n"
        "other = TantivyBackend(Path(sys.argv[1]))\n"
        "print(other.count())\n"
        "try:\n"
        "    other.index_posts([Post(id='x:9', platform='x', source='s')])\n"
        "except IndexError_ as error:\n"
        "    print(error)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "index")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    lines = done.stdout.splitlines()
    assert lines[0] == "3", done.stderr
    assert "another process is writing" in lines[1]


def test_a_reader_opened_before_a_rebuild_follows_the_swap(
    backend: TantivyBackend, tmp_path: Path
) -> None:
    backend.index_posts(CORPUS[:10])
    reader = TantivyBackend(tmp_path / "index")  # as the web app would have it open
    assert reader.count() == 10
    rebuilt = backend.begin_rebuild()
    rebuilt.index_posts(CORPUS[20:23])
    backend.commit_rebuild(rebuilt)
    assert reader.count() == 3
    assert reader.get(CORPUS[21].id) == CORPUS[21]
    assert (tmp_path / "index").is_symlink()
    generations = [p for p in tmp_path.iterdir() if p.name.startswith("index-")]
    assert generations == [rebuilt.path]
    reader.close()


def test_commit_rebuild_refuses_a_stranger(backend: TantivyBackend, tmp_path: Path) -> None:
    stranger = TantivyBackend(tmp_path / "elsewhere" / "index")
    with pytest.raises(IndexError_, match="begin_rebuild"):
        backend.commit_rebuild(stranger)
    stranger.close()


def test_an_index_with_another_schema_asks_for_a_rebuild_and_the_rebuild_replaces_it(
    tmp_path: Path,
) -> None:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("body", stored=True)
    (tmp_path / "index").mkdir()
    tantivy.Index(builder.build(), path=str(tmp_path / "index"))
    live = TantivyBackend(tmp_path / "index")  # opens, so that `index --rebuild` can run
    for use in (
        lambda: live.search(SearchRequest(query="author:jeroen")),
        lambda: live.index_posts(CORPUS[:1]),
        live.count,
    ):
        with pytest.raises(IndexError_, match="earlier version.*run `archiveren index --rebuild`"):
            use()
    rebuilt = live.begin_rebuild()
    rebuilt.index_posts(CORPUS)
    live.commit_rebuild(rebuilt)
    assert live.search(SearchRequest(query="author:jeroen")).total > 0
    live.close()


def test_factory_puts_the_tantivy_index_in_the_data_dir(tmp_path: Path) -> None:
    made = make_backend(SearchSettings(), tmp_path)
    assert isinstance(made, TantivyBackend) and isinstance(made, SearchBackend)
    assert made.path == tmp_path / "index" and (tmp_path / "index").is_dir()
    made.close()


def test_posts_with_the_same_second_page_by_cursor_without_loss(backend: TantivyBackend) -> None:
    moment = datetime(2020, 5, 5, 12, tzinfo=UTC)
    backend.index_posts(
        Post(id=f"x:same-{n}", platform="x", source="s", text="tegelijk", published_at=moment)
        for n in range(30)
    )
    for sort in ("newest", "oldest"):
        seen: list[str] = []
        cursor = None
        while True:
            page = backend.search(
                SearchRequest(
                    sort=sort, limit=7, search_after=cursor, facets=[], date_histogram=None
                )
            )
            seen += [hit.post.id for hit in page.hits]
            if (cursor := page.next_cursor) is None:
                break
        assert sorted(seen) == sorted(f"x:same-{n}" for n in range(30))


def test_offset_paging_stops_at_the_window_and_points_to_the_cursor(
    backend: TantivyBackend,
) -> None:
    with pytest.raises(QueryError, match="next_cursor"):
        backend.search(SearchRequest(offset=99_990, limit=20))
    with pytest.raises(QueryError, match="not both"):
        backend.search(SearchRequest(offset=5, search_after=["newest", "1"], sort="newest"))


def test_facets_stay_exact_when_a_segment_holds_more_values_than_asked(
    backend: TantivyBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tantivy_results, "_SEGMENT_SIZE", 2)
    backend.index_posts(
        Post(id=f"x:{n}", platform="x", source="s", author=f"auteur {n % 9}", text="tekst")
        for n in range(90)
    )
    backend.index_posts(
        Post(id=f"x:extra-{n}", platform="x", source="s", author="auteur 8", text="tekst")
        for n in range(3)
    )
    buckets = backend.search(SearchRequest(facets=["author"], facet_size=3)).facets["author"]
    assert [(b.value, b.count) for b in buckets] == [
        ("auteur 8", 13),
        ("auteur 0", 10),
        ("auteur 1", 10),
    ]


def test_dates_outside_the_searchable_span_are_refused_not_a_crash(tmp_path) -> None:
    from indexer.backends.tantivy_backend import TantivyBackend
    from indexer.query_model import SearchRequest
    from indexer.query_parser import QuerySyntaxError

    backend = TantivyBackend(tmp_path / "index")
    with pytest.raises(QuerySyntaxError, match="the date 0205-01-01 in published_at is outside"):
        backend.search(SearchRequest(query="published_at:[0205-01-01 TO 2000-01-01]"))
    assert backend.search(SearchRequest(query="published_at:[* TO 2000-01-01]")).total == 0
    backend.close()


def test_posts_dated_beyond_the_sortable_span_are_indexed_at_its_edge_with_their_own_date(
    backend: TantivyBackend,
) -> None:
    dates = {
        "x:year-1": datetime(1, 1, 1, tzinfo=UTC),
        "x:2020": datetime(2020, 1, 1, tzinfo=UTC),
        "x:2200": datetime(2200, 1, 1, tzinfo=UTC),
        "x:year-9999": datetime(9999, 12, 31, tzinfo=UTC),
    }
    posts = [
        Post(id=post_id, platform="x", source="x-rijk", published_at=moment)
        for post_id, moment in dates.items()
    ]
    assert backend.index_posts(posts) == 4  # not a failed batch
    assert backend.get("x:year-9999").published_at == dates["x:year-9999"]  # type: ignore[union-attr]
    newest = backend.search(SearchRequest(sort="newest", limit=10)).hits
    assert [hit.post.id for hit in newest][:2] in (
        ["x:2200", "x:year-9999"],
        ["x:year-9999", "x:2200"],
    )
    assert newest[-1].post.id == "x:year-1"
    after_2099 = backend.search(SearchRequest(query="published_at:[2099-12-31 TO *]")).total
    assert after_2099 == 2


def test_removing_abandoned_rebuilds_keeps_the_live_index_of_a_relative_data_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`archiveren --data-dir data index` names the index relatively; the live generation must
    still be told apart from a rebuild that died beside it."""
    monkeypatch.chdir(tmp_path)
    live = TantivyBackend(Path("data") / "index")
    live.index_posts(CORPUS[:3])
    abandoned = live.begin_rebuild()
    abandoned.close()

    removed = live.remove_abandoned_rebuilds()

    assert removed == [str(abandoned.path)]
    assert live.count() == 3
    assert [p.name for p in Path("data").iterdir() if p.name.startswith("index-")] == [
        Path(os.path.realpath("data/index")).name
    ]
