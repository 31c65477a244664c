"""A network page fetched whole is archived, when the source asks, with what it loads to look as
it does: its stylesheet and the image the stylesheet names, each a page_asset capture naming the
page; a file that cannot be fetched is counted and named, never dropped."""

from __future__ import annotations

from pathlib import Path

from collectors.runner import run_sources
from tests.collectors.network.conftest import LocalSite, network_config, records


def asset_pages(data_dir: Path) -> dict[str, str]:
    """URL -> the page that loaded it, of every page_asset response."""
    found = {}
    all_records = records(data_dir)
    context = {r.concurrent_to: r.metadata_json() for r in all_records if r.rec_type == "metadata"}
    for record in all_records:
        meta = context.get(record.pointer.record_id) or {}
        if record.rec_type == "response" and meta.get("capture_kind") == "page_asset":
            found[record.pointer.target_uri] = meta["extra"]["page_url"]
    return found


def test_a_network_page_is_archived_with_its_stylesheet_and_what_it_names(
    ning_site: LocalSite, tmp_path: Path
) -> None:
    ning_site.pages["/"] = ning_site.pages["/"].replace(
        b"</head>", b'<link rel="stylesheet" href="/thema.css"></head>', 1
    )
    ning_site.pages["/thema.css"] = b"h1 { background: url(/uploads/kop.png) }"
    ning_site.pages["/uploads/kop.png"] = b"PNG"
    [report] = run_sources(network_config(ning_site, capture_page_assets=True), tmp_path)
    archived = asset_pages(tmp_path)
    assert archived[ning_site.url("/thema.css")] == ning_site.url("/")
    assert archived[ning_site.url("/uploads/kop.png")] == ning_site.url("/")
    assert report.counts["page_assets"] >= 2
    # the blog page's avatars are not on the site: counted and named, the pages still kept
    assert report.counts["page_assets_failed"] >= 1
    assert any("/avatar/jan.png" in error and "404" in error for error in report.errors)


def test_network_page_assets_are_off_unless_asked(ning_site: LocalSite, tmp_path: Path) -> None:
    ning_site.pages["/"] = ning_site.pages["/"].replace(
        b"</head>", b'<link rel="stylesheet" href="/thema.css"></head>', 1
    )
    run_sources(network_config(ning_site), tmp_path)
    assert asset_pages(tmp_path) == {}
    assert not any(r["path"] == "/thema.css" for r in ning_site.requests)
