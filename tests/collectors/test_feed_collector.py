"""The feed collector over real HTTP against a local WordPress-shaped blog."""

from __future__ import annotations

from pathlib import Path

from catalogue.store import Catalogue
from collectors.runner import run_sources
from indexer.extractors.feed import extract_posts
from tests.fixtures.collectors import BlogSite, archived_records, captures_in, feed_config


def kinds(archive_dir: Path) -> list[tuple[str, str, str]]:
    """(record type, capture kind, URL) of each response/revisit in the archive, in order."""
    out = []
    records = archived_records(archive_dir)
    by_id = {r.concurrent_to: r for r in records if r.rec_type == "metadata"}
    for record in records:
        if record.rec_type in ("response", "revisit"):
            meta = by_id[record.pointer.record_id].metadata_json()
            out.append((record.rec_type, meta["capture_kind"], record.pointer.target_uri))
    return out


def test_first_run_archives_feed_and_every_permalink_page(
    blog_site: BlogSite, tmp_path: Path
) -> None:
    config = feed_config(blog_site.url + "/feed/")
    [report] = run_sources(config, tmp_path)
    assert report.outcome == "ok", report.errors
    captured = kinds(tmp_path / "warcs")
    assert ("response", "feed", blog_site.url + "/feed/") in captured
    pages = {url for _, kind, url in captured if kind == "entry_page"}
    assert pages == {blog_site.permalink(p) for p in blog_site.posts}
    assert report.counts["entry_pages"] == 3 and report.counts["entries_new"] == 3


def test_unchanged_feed_costs_one_304(blog_site: BlogSite, tmp_path: Path) -> None:
    config = feed_config(blog_site.url + "/feed/")
    run_sources(config, tmp_path)
    first_run = len(blog_site.requests)
    captured_before = len(kinds(tmp_path / "warcs"))
    [report] = run_sources(config, tmp_path)
    second = blog_site.requests[first_run:]
    # robots.txt is read once per run; the feed itself costs one conditional request
    assert [r.path for r in second if r.path != "/robots.txt"] == ["/feed/"]
    assert second[-1].header("if-none-match") and second[-1].header("if-modified-since")
    assert report.outcome == "ok" and report.counts["not_modified"] == 1
    new = kinds(tmp_path / "warcs")[captured_before:]
    assert [kind for _, kind, _ in new if kind != "robots"] == ["feed"]
    feed_record = [
        r
        for r in archived_records(tmp_path / "warcs")
        if r.rec_type == "response" and r.pointer.target_uri.endswith("/feed/")
    ][-1]
    assert feed_record.http_status == 304


def test_edited_entry_is_captured_again_and_extracts_the_new_text(
    blog_site: BlogSite, tmp_path: Path
) -> None:
    config = feed_config(blog_site.url + "/feed/")
    run_sources(config, tmp_path)
    blog_site.edit_post(2, ["Deze alinea is later aangepast door de auteur."])
    [report] = run_sources(config, tmp_path)
    assert report.counts["entries_changed"] == 1 and report.counts["entry_pages"] == 1
    page_posts = [
        post
        for capture in captures_in(tmp_path / "warcs", config)
        if capture.url == blog_site.permalink(blog_site.posts[1])
        for post in extract_posts(capture)
    ]
    assert len(page_posts) == 2
    assert page_posts[0].id == page_posts[1].id
    assert "aangepast" not in page_posts[0].text and "aangepast" in page_posts[1].text


def test_site_url_autodiscovers_the_feed(blog_site: BlogSite, tmp_path: Path) -> None:
    config = feed_config(blog_site.url + "/")
    [report] = run_sources(config, tmp_path)
    assert report.outcome == "ok", report.errors
    assert report.counts["entry_pages"] == 3
    catalogue = Catalogue.open(tmp_path)
    assert catalogue.source_state("blog")["feed_url"] == blog_site.url + "/feed/"
    [run] = catalogue.runs("blog")
    assert run.outcome == "ok" and run.ended_at is not None and run.counts["entry_pages"] == 3
    catalogue.close()


def test_first_harvest_backfills_paged_archives_up_to_the_depth(tmp_path: Path) -> None:
    site = BlogSite(posts=35)
    try:
        [report] = run_sources(feed_config(site.url + "/feed/", backfill_depth=2), tmp_path)
        pages = [r.query.get("paged", ["1"])[0] for r in site.requests_to("/feed/")]
        assert pages == ["1", "2", "3"]
        assert report.counts["entry_pages"] == 30 and report.counts["backfill_pages"] == 2
        [report] = run_sources(feed_config(site.url + "/feed/", backfill_depth=5), tmp_path)
        # the first harvest is done: later runs only ask for the (unchanged) first page
        assert [r.query.get("paged", ["1"])[0] for r in site.requests_to("/feed/")][3:] == ["1"]
    finally:
        site.close()


def test_backfill_stops_at_the_404_past_the_last_page(tmp_path: Path) -> None:
    site = BlogSite(posts=15)
    try:
        [report] = run_sources(feed_config(site.url + "/feed/", backfill_depth=10), tmp_path)
        assert [r.query.get("paged", ["1"])[0] for r in site.requests_to("/feed/")] == [
            "1",
            "2",
            "3",
        ]
        assert report.outcome == "ok" and report.counts["entry_pages"] == 15
    finally:
        site.close()


def test_images_on_permalink_pages_are_captured_when_asked(
    blog_site: BlogSite, tmp_path: Path
) -> None:
    blog_site.posts[0].image = "photo"
    [report] = run_sources(feed_config(blog_site.url + "/feed/", capture_images=True), tmp_path)
    assert report.counts["images"] == 1
    assert ("response", "image", blog_site.url + "/img/photo.png") in kinds(tmp_path / "warcs")


def test_user_agent_names_archiveren_and_the_contact(blog_site: BlogSite, tmp_path: Path) -> None:
    run_sources(feed_config(blog_site.url + "/feed/"), tmp_path)
    agents = {r.header("user-agent") for r in blog_site.requests}
    assert agents == {"archiveren/0.1.0 (+archief@test.example)"}
