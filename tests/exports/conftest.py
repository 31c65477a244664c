"""A workspace with real WARC captures and indexed Posts pointing at them, for export tests."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from archive import CaptureMetadata, HttpExchange, WarcWriter
from foundation.post import Post, Retention
from tests.fixtures.cli_world import CliWorld
from workspace import Workspace

CONFIG = """organisation: Gemeente Deventer
sources:
  - name: blog-fenna
    type: feed
    url: http://127.0.0.1:9/feed/
    organisation: Gemeente Deventer
    retention: {category: "1.1", years: 10}
"""


def page(title: str, text: str) -> bytes:
    return f"<!doctype html><html lang=nl><head><title>{title}</title></head><body><article><h1>{title}</h1><p>{text}</p></article></body></html>".encode()


def make_posts(archive_dir: Path, count: int) -> list[Post]:
    posts: list[Post] = []
    with WarcWriter(archive_dir, prefix="test") as writer:
        for n in range(count):
            url = f"http://blog.example.nl/2019/0{n % 9 + 1}/bericht-{n}/"
            title = f"Samenwerken in de wijk, deel {n}"
            text = f"Ambtenaren en bewoners werken samen aan de Omgevingswet. Bericht {n} over participatie."
            exchange = HttpExchange(
                url=url,
                request_headers=[
                    ("Host", "blog.example.nl"),
                    ("Authorization", "Bearer geheim-token-123"),
                ],
                status=200,
                reason="OK",
                response_headers=[("Content-Type", "text/html; charset=utf-8")],
                body=page(title, text),
            )
            result = writer.write_exchange(
                exchange,
                CaptureMetadata(
                    source="blog-fenna",
                    platform="blog",
                    collector="feed",
                    collector_version="test",
                    capture_kind="entry_page",
                ),
            )
            published = datetime(2019, n % 9 + 1, 1, 12, tzinfo=UTC)
            posts.append(
                Post(
                    id=f"blog:{url}",
                    platform="blog",
                    source="blog-fenna",
                    organisation="Gemeente Deventer",
                    kind="post",
                    url=url,
                    title=title,
                    text=text,
                    lang="nl",
                    author="Fenna de Vries",
                    author_handle="fenna",
                    published_at=published,
                    collected_at=datetime.now(UTC),
                    hashtags=["omgevingswet"] if n % 2 else ["participatie"],
                    capture=result.pointer,
                    retention=Retention(
                        category="1.1",
                        keep_until=date.today() - timedelta(days=1) if n < 3 else date(2035, 1, 1),
                    ),
                )
            )
        posts.append(
            Post(
                id="blog:comment-1",
                platform="blog",
                source="blog-fenna",
                organisation="Gemeente Deventer",
                kind="comment",
                url=posts[0].url + "#comment-1",
                text="Mooi initiatief!",
                author="Ömer Yılmaz",
                parent_id=posts[0].id,
                thread_id=posts[0].id,
                published_at=datetime(2019, 1, 2, tzinfo=UTC),
                capture=posts[0].capture,
            )
        )
    return posts


@pytest.fixture
def archived_workspace(tmp_path: Path) -> Workspace:
    config = tmp_path / "sources.yaml"
    config.write_text(CONFIG, encoding="utf-8")
    ws = Workspace(config_path=config, data_dir=tmp_path / "data")
    ws.catalogue()
    ws.backend().index_posts(make_posts(ws.archive_dir, 8))
    yield ws
    ws.close()


FORMULA_TEXT = "=1+1"
FORMULA_AUTHOR = "@SUM(1)"


def formula_post(template: Post) -> Post:
    """A Post whose text and author a spreadsheet would run as formulas."""
    return template.model_copy(
        update={
            "id": "blog:formule",
            "url": template.url + "#formule",
            "text": FORMULA_TEXT,
            "author": FORMULA_AUTHOR,
            "title": "-5 graden in de wijk",
        }
    )


@pytest.fixture
def export_world(tmp_path: Path) -> CliWorld:
    """A closed workspace (eight archived Posts, a comment, a Post with formulas) driven through
    the real command line."""
    config = tmp_path / "sources.yaml"
    config.write_text(CONFIG, encoding="utf-8")
    ws = Workspace(config_path=config, data_dir=tmp_path / "data")
    ws.catalogue()
    posts = make_posts(ws.archive_dir, 8)
    ws.backend().index_posts([*posts, formula_post(posts[1])])
    ws.close()
    return CliWorld(config, ws.data_dir)
