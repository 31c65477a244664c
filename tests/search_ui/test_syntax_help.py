"""The query syntax help shows examples a user can try: every one of them finds Posts in the
demo archive, in every backend, and the search page shows exactly these."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from markupsafe import escape

from collectors.runner import run_sources
from demo_sources import DemoSources
from foundation.post import Post
from indexer.pipeline import index_new_records
from indexer.query_model import SearchRequest
from search_ui.syntax_help import SYNTAX_EXAMPLES
from tests.fixtures.backends import BACKEND_FACTORIES
from tests.fixtures.demo import demo_workspace
from tests.fixtures.ui import UiSite


@pytest.fixture(scope="module")
def demo_posts(
    demo_sources_readonly: DemoSources, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[list[Post]]:
    """Every Post of one collection of the demo sources, as the indexer extracts them."""
    ws = demo_workspace(demo_sources_readonly, tmp_path_factory.mktemp("help"))
    try:
        reports = run_sources(ws.config(), ws.data_dir)
        assert all(report.outcome in ("ok", "partial") for report in reports), [
            (r.source, r.outcome, r.errors[:3]) for r in reports
        ]
        report = index_new_records(ws)
        assert not report.errors, report.errors[:5]
        yield list(ws.backend().scan(SearchRequest()))
    finally:
        ws.close()


def test_every_example_of_the_syntax_help_finds_demo_posts(
    request: pytest.FixtureRequest, backend_name: str, demo_posts: list[Post], tmp_path: Path
) -> None:
    backend = BACKEND_FACTORIES[backend_name](request, tmp_path)
    try:
        backend.index_posts(demo_posts)
        totals = {
            query: backend.search(SearchRequest(query=query, limit=0, facets=[])).total
            for query, _ in SYNTAX_EXAMPLES
        }
    finally:
        backend.close()
    assert [query for query, total in totals.items() if total == 0] == [], totals
    # A negation or an OR that finds everything would show nothing of what the syntax does.
    assert all(total < len(demo_posts) for total in totals.values()), totals


def test_the_search_page_shows_the_examples(ui_site: UiSite) -> None:
    with ui_site.login("archivist") as client:
        page = client.get("/search").text
    for query, _ in SYNTAX_EXAMPLES:
        assert f"<code>{escape(query)}</code>" in page, query
