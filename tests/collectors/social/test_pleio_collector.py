"""The Pleio collector against the demo Pleio site's GraphQL API over real HTTP: every entity
and comment thread archived and indexed, every exchange in the WARC, later runs fetching only
the threads that grew, and a failing site reported in words, not a traceback."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime

import graphql
import pytest

from archive import iter_records
from collectors.pleio import PleioCollector
from collectors.pleio_queries import ENTITIES_QUERY, THREAD_QUERY
from config.models import PleioSource
from indexer.extractors.pleio import extract_posts
from tests.collectors.social.conftest import Harness, PleioEmulator
from tests.fixtures.material import material

SECRET = "pleio-demo-token-0123456789abcdef"
PLEIO = material("pleio")


def _source(p: PleioEmulator, **fields: object) -> PleioSource:
    settings: dict[str, object] = {"type": "pleio", "name": "pleio-demo", "url": p.base_url}
    return PleioSource.model_validate(settings | fields)


def _pid(p: PleioEmulator, guid: str) -> str:
    return f"pleio:{p.host}:{guid}"


def _graphql_records(harness: Harness) -> dict[str, list[bytes]]:
    """The blocks of the WARC's records about /graphql, by record type."""
    found: dict[str, list[bytes]] = {"request": [], "response": [], "revisit": []}
    for record in iter_records(harness.warc_dir):
        uri = record.warc_header("WARC-Target-URI") or ""
        if record.rec_type in found and uri.endswith("/graphql"):
            found[record.rec_type].append(record.block())
    return found


@PLEIO.mark
def test_the_queries_sent_are_valid_against_pleios_own_schema() -> None:
    real = graphql.build_schema(PLEIO.require("schema.graphql").read_text(encoding="utf-8"))
    for query in (ENTITIES_QUERY, THREAD_QUERY):
        assert graphql.validate(real, graphql.parse(query)) == []


def test_first_run_archives_every_entity_and_every_comment_with_its_parent(
    pleio_emulator: PleioEmulator, harness: Harness
) -> None:
    p = pleio_emulator
    report = harness.run(PleioCollector, _source(p))

    assert report.outcome == "ok", report.errors
    assert report.counts["entities"] == len(p.app.items) == 9
    assert report.counts["comments"] == p.app.comment_count() == 13
    posts = harness.posts()
    for item in p.app.items:
        post = posts[_pid(p, item.guid)]
        assert post.title == item.title
        assert post.kind == ("page" if item.subtype == "wiki" else "post")
        assert post.platform == "pleio" and post.thread_id == post.id
    blog = p.app.item("Wat de Omgevingswet van ons als ambtenaren vraagt")
    first = blog.comments[0]
    chain = [first, first.replies[0], first.replies[0].replies[0]]
    deepest = chain[-1].replies[0]  # four levels down: past what one thread query nests
    for parent, reply in zip([None, *chain], [*chain, deepest], strict=True):
        post = posts[_pid(p, reply.guid)]
        assert post.kind == "comment"
        assert post.parent_id == _pid(p, parent.guid if parent else blog.guid)
        assert post.thread_id == _pid(p, blog.guid)
    assert posts[_pid(p, deepest.guid)].author == "Anneke de Wit"
    guest = posts[_pid(p, blog.comments[1].guid)]
    assert guest.author == "Marieke (gast)" and guest.author_url == ""


def test_posts_carry_author_dates_in_utc_plain_text_tags_and_absolute_urls(
    pleio_emulator: PleioEmulator, harness: Harness
) -> None:
    p = pleio_emulator
    harness.run(PleioCollector, _source(p))
    posts = harness.posts()

    blog = posts[_pid(p, p.app.item("Wat de Omgevingswet van ons als ambtenaren vraagt").guid)]
    assert blog.author == "Zoë van der Meulen" and blog.author_handle == "zoe"
    assert blog.author_url == f"{p.base_url}user/zoe/profile"
    assert blog.published_at == datetime(2024, 2, 12, 9, 30, tzinfo=UTC)
    assert blog.updated_at == datetime(2024, 2, 13, 8, 0, tzinfo=UTC)
    assert blog.text.startswith("De Omgevingswet is er.")  # Draft.js blocks
    assert "\n\nBij de gemeente Utrecht" in blog.text and "{" not in blog.text
    assert blog.hashtags == ["omgevingswet", "participatie"]
    assert blog.url.startswith(f"{p.base_url}blog/view/{blog.id.rsplit(':', 1)[1]}/")
    discussion = posts[_pid(p, p.app.item("Open data publiceren: CSV of API?").guid)]
    assert discussion.text.startswith("We willen de verkeersdata")  # TipTap document
    news = posts[_pid(p, p.app.item("Nieuwe versie van de Pleio-handleiding voor ambtenaren").guid)]
    assert "<p>" not in news.text and news.text.startswith("De handleiding")  # HTML
    assert all(
        post.published_at is not None and post.published_at.utcoffset() is not None
        for post in posts.values()
    )


def test_every_graphql_exchange_is_in_the_warc_as_a_request_and_its_response(
    pleio_emulator: PleioEmulator, harness: Harness
) -> None:
    p = pleio_emulator
    report = harness.run(PleioCollector, _source(p))

    records = _graphql_records(harness)
    sent = p.graphql_requests()
    # six subtype lists, five threads with comments, one thread continued past three levels
    assert sent == 6 + 5 + 1
    assert report.counts["requests"] == sent
    assert len(records["request"]) == sent
    assert len(records["response"]) + len(records["revisit"]) == sent
    for block in records["request"]:
        assert block.startswith(b"POST /graphql HTTP/1.1")
        assert b'"operationName": "Archiveren' in block and b'"variables"' in block


def test_a_second_run_fetches_only_the_threads_that_grew_and_duplicates_nothing(
    pleio_emulator: PleioEmulator, harness: Harness
) -> None:
    p = pleio_emulator
    source = _source(p)
    harness.run(PleioCollector, source)
    posts_before = set(harness.posts())
    sent_before = p.graphql_requests()

    unchanged = harness.run(PleioCollector, source)
    assert unchanged.outcome == "ok", unchanged.errors
    assert p.graphql_requests() - sent_before == 6, "one list page per subtype, no thread"
    assert unchanged.counts["comments"] == 0

    question = p.app.item("Moet een reactie op Pleio ook gearchiveerd worden?")
    reply = p.app.add_comment(question.comments[1].guid, "fatima", "Eens, en de bijlagen ook.")
    sent_before = p.graphql_requests()
    grown = harness.run(PleioCollector, source)

    assert grown.outcome == "ok", grown.errors
    assert p.graphql_requests() - sent_before == 6 + 1
    posts = harness.posts()
    assert set(posts) == posts_before | {_pid(p, reply.guid)}
    assert posts[_pid(p, reply.guid)].parent_id == _pid(p, question.comments[1].guid)
    assert posts[_pid(p, reply.guid)].thread_id == _pid(p, question.guid)


def _warc_bytes(harness: Harness) -> bytes:
    """Every WARC of the harness as a reader sees it: gzip members inflated, and each answer's
    body with its content coding (gzip from the server) undone too."""
    files = b"".join(gzip.decompress(w.read_bytes()) for w in harness.warc_dir.glob("*.warc.gz"))
    bodies = b"".join(
        record.payload()
        for record in iter_records(harness.warc_dir)
        if record.rec_type == "response"
    )
    return files + bodies


def test_the_token_of_a_closed_site_is_sent_but_never_archived_in_a_request_or_reported(
    pleio_emulator: PleioEmulator, harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    p = pleio_emulator
    p.app.require_token(SECRET)
    p.app.fail_next("echo_authorization")  # the blog list's answer quotes the token
    monkeypatch.setenv("PLEIO_DEMO_TOKEN", SECRET)
    report = harness.run(PleioCollector, _source(p, access_token_env="PLEIO_DEMO_TOKEN"))

    assert report.outcome == "partial"
    assert report.counts["entities"] == 7, "every subtype but the blogs"
    assert len(report.errors) == 1 and "could not use Bearer" in report.errors[0]
    assert SECRET not in report.errors[0]
    requests = _graphql_records(harness)["request"]
    assert len(requests) == p.graphql_requests()
    assert all(SECRET.encode() not in block for block in requests)
    assert all(b"authorization:" not in block.lower() for block in requests)


def test_a_token_the_site_echoes_in_a_gzipped_answer_is_not_archived(
    pleio_emulator: PleioEmulator, harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    p = pleio_emulator
    p.app.require_token(SECRET)
    p.app.fail_next("echo_authorization")
    monkeypatch.setenv("PLEIO_DEMO_TOKEN", SECRET)
    harness.run(PleioCollector, _source(p, access_token_env="PLEIO_DEMO_TOKEN"))

    assert SECRET.encode() not in _warc_bytes(harness)


def test_a_wrong_token_fails_the_source_naming_the_variable(
    pleio_emulator: PleioEmulator, harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    p = pleio_emulator
    p.app.require_token(SECRET)
    monkeypatch.setenv("PLEIO_DEMO_TOKEN", "not-the-token")
    report = harness.run(PleioCollector, _source(p, access_token_env="PLEIO_DEMO_TOKEN"))

    assert report.outcome == "failed"
    assert len(report.errors) == 1, "one refusal ends the run; no error per subtype"
    assert "HTTP 401" in report.errors[0] and "PLEIO_DEMO_TOKEN" in report.errors[0]


@pytest.mark.parametrize(
    ("fault", "said"),
    [
        ("http500", "HTTP 500"),
        ("not_json", "not GraphQL's JSON"),
        ("graphql_error", "Er is iets misgegaan"),
    ],
)
def test_a_failing_site_gives_a_run_error_naming_source_subtype_and_cause(
    pleio_emulator: PleioEmulator, harness: Harness, fault: str, said: str
) -> None:
    p = pleio_emulator
    for _ in range(2 if fault == "http500" else 1):  # the harness's fetcher retries a 500 once
        p.app.fail_next(fault)
    report = harness.run(PleioCollector, _source(p, subtypes=["blog", "discussion"]))

    assert report.outcome == "partial"
    assert len(report.errors) == 1
    assert report.errors[0].startswith("source 'pleio-demo', blog: ")
    assert said in report.errors[0] and "Traceback" not in report.errors[0]
    assert report.counts["entities"] == 2, "the discussions were still collected"


def test_a_site_without_a_graphql_api_is_named_as_such(
    pleio_emulator: PleioEmulator, harness: Harness
) -> None:
    p = pleio_emulator
    report = harness.run(PleioCollector, _source(p, url=f"{p.base_url}oud/"))

    assert report.outcome == "failed"
    assert len(report.errors) == 1
    assert "no GraphQL API here (HTTP 404)" in report.errors[0]
    assert "profile 'pleio'" in report.errors[0]


def test_a_429_is_waited_out_and_archived_like_every_other_answer(
    pleio_emulator: PleioEmulator, harness: Harness
) -> None:
    p = pleio_emulator
    p.app.fail_next("http429")
    report = harness.run(PleioCollector, _source(p, subtypes=["blog"]))

    assert report.outcome == "ok", report.errors
    assert report.counts["entities"] == 2
    records = _graphql_records(harness)
    # the 429, the list, three thread queries (one blog's thread goes past three levels)
    assert len(records["request"]) == p.graphql_requests() == 1 + 1 + 3
    assert sum(b" 429 " in block.split(b"\r\n", 1)[0] for block in records["response"]) == 1


def test_robots_txt_refusing_the_api_stops_the_source_once_with_the_way_out(
    pleio_emulator: PleioEmulator, harness: Harness
) -> None:
    p = pleio_emulator
    p.app.robots_txt = "User-agent: *\nDisallow: /graphql\n"
    report = harness.run(PleioCollector, _source(p))

    assert report.outcome == "failed"
    assert len(report.errors) == 1 and "obey_robots: false" in report.errors[0]
    assert p.graphql_requests() == 0


def test_a_site_that_does_not_answer_fails_the_source_with_one_error(harness: Harness) -> None:
    closed = PleioSource.model_validate(
        {"type": "pleio", "name": "pleio-dicht", "url": "http://127.0.0.1:9/"}
    )
    report = harness.run(PleioCollector, closed)

    assert report.outcome == "failed"
    assert len(report.errors) == 1
    assert report.errors[0].startswith("source 'pleio-dicht': http://127.0.0.1:9/")
    assert "Connection refused" in report.errors[0]


def test_an_edited_entity_shows_its_edit_after_the_next_run(
    pleio_emulator: PleioEmulator, harness: Harness
) -> None:
    p = pleio_emulator
    source = _source(p, subtypes=["discussion"])
    harness.run(PleioCollector, source)
    discussion = p.app.item("Welke tools gebruiken jullie voor thuiswerken?")
    p.app.edit(discussion.guid, ["Bijgewerkt: we kiezen voor open source."])

    report = harness.run(PleioCollector, source)

    assert report.outcome == "ok", report.errors
    post = harness.posts()[_pid(p, discussion.guid)]
    assert post.text == "Bijgewerkt: we kiezen voor open source."
    assert post.updated_at and post.published_at and post.updated_at > post.published_at
    assert len(post.earlier_captures) == 1


def test_a_listing_cut_short_by_max_pages_goes_on_where_it_stopped(
    pleio_emulator: PleioEmulator, harness: Harness
) -> None:
    p = pleio_emulator
    source = _source(p, subtypes=["wiki"], page_size=1, max_pages=1)
    titles = []
    for _ in range(3):
        before = len(harness.captures()) if harness.warc_dir.exists() else 0
        report = harness.run(PleioCollector, source)
        assert report.outcome == "ok", report.errors
        titles += [
            post.title for capture in harness.captures()[before:] for post in extract_posts(capture)
        ]
    assert titles == [
        "Handleiding archiveren van online werk",
        "Bewaartermijnen per kanaal",
        "Handleiding archiveren van online werk",  # past the end: the next run starts again
    ]


def test_a_total_that_counts_only_the_page_does_not_end_the_listing_early(
    pleio_emulator: PleioEmulator, harness: Harness
) -> None:
    p = pleio_emulator
    p.app.total_counts_the_page = True  # Pleio's older entities resolver counted the slice
    report = harness.run(PleioCollector, _source(p, subtypes=["blog"], page_size=1))

    assert report.outcome == "ok", report.errors
    assert report.counts["entities"] == 2
    assert p.graphql_requests() == 3 + 3, "three list pages (the last empty), three thread queries"
