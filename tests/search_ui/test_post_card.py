"""A tweet or toot "as captured" is a card of that one post, read from the API answer the
collector archived (a page of many posts): author, text with hashtags and mentions, counts and
provenance, and the page's JSON one click away with this post marked. Pages are replayed
framed; a frame opened on its own is sent to its framing page, whatever its id holds."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from lxml import html

from foundation.post import Post
from search_ui.rendering import urlpath
from tests.fixtures.ui import ACCOUNTS, ARTIFACTS, UiSite


def first(site: UiSite, platform: str, **wanted: Any) -> Post:
    return next(
        post
        for post in sorted(site.posts.values(), key=lambda p: p.id)
        if post.platform == platform and all(getattr(post, k) == v for k, v in wanted.items())
    )


@pytest.mark.parametrize("platform", ["x", "mastodon"])
def test_a_captured_post_is_shown_as_its_own_card_with_the_page_json_marked(
    demo_site: UiSite, platform: str
) -> None:
    post = first(demo_site, platform, kind="post")
    with demo_site.login("archivist") as client:
        answer = client.get(f"/captured/0/{urlpath(post.id)}")
    assert answer.status_code == 200
    page = html.fromstring(answer.text)
    [card] = page.get_element_by_id("post-card").xpath(".")
    assert post.author in card.text_content()
    assert post.text.split()[0] in card.text_content()
    assert card.xpath(".//*[@data-count='likes']"), "the counts as captured"
    assert not page.xpath("//iframe"), "no frame of the whole API page"
    marked = json.loads(page.get_element_by_id("chosen-json").text_content())
    assert str(marked["id"]) == post.id.rsplit(":", 1)[-1]
    whole = page.get_element_by_id("raw-json").xpath(".//pre")[0].text_content()
    assert len(whole) > len(json.dumps(marked)), "the whole answer, not just this post"


def test_a_hashtag_in_a_card_searches_that_hashtag(demo_site: UiSite) -> None:
    post = next(p for p in demo_site.posts.values() if p.platform == "x" and p.hashtags)
    with demo_site.login("archivist") as client:
        page = html.fromstring(client.get(f"/captured/0/{urlpath(post.id)}").text)
    links = page.get_element_by_id("post-card").xpath(".//a/@href")
    assert any(link.startswith("/search?hashtag=") for link in links), links


def test_a_replay_frame_opened_on_its_own_goes_to_its_framing_page(demo_site: UiSite) -> None:
    post = first(demo_site, "blog", kind="post")
    assert "?" in post.id or "/" in post.id
    with demo_site.login("archivist") as client:
        answer = client.get(f"/replay/0/{urlpath(post.id)}", headers={"sec-fetch-dest": "document"})
        assert answer.status_code == 303
        framing = client.get(answer.headers["location"])
    assert framing.status_code == 200 and 'id="replay-frame"' in framing.text


@pytest.mark.browser
def test_a_tweet_card_shows_its_archived_photo_and_fits_a_laptop_screen(
    chromium: Any, demo_site: UiSite
) -> None:
    post = next(
        p
        for p in sorted(demo_site.posts.values(), key=lambda p: p.id)
        if p.platform == "x" and any(url.endswith(".png") for url in p.media)
    )
    context = chromium.new_context(
        base_url=demo_site.base_url, viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    username, password = ACCOUNTS["archivist"]
    page.goto("/login")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(password)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url("**/search")
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(f"/captured/0/{urlpath(post.id)}")
    photo = page.locator("#post-card img").first
    photo.wait_for()
    assert photo.evaluate("img => img.complete && img.naturalWidth > 0"), "the archived photo"
    assert all(url.startswith(demo_site.base_url) for url in requested), requested
    page.screenshot(path=str(ARTIFACTS / "tweet-card.png"), full_page=True)
    page.locator("#raw-json summary").click()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 1280
    assert page.locator("#chosen-json").is_visible()
    context.close()


def test_the_photos_and_the_video_a_tweet_shows_are_archived_and_shown_from_the_archive(
    demo_site: UiSite,
) -> None:
    photo = next(p for p in demo_site.posts.values() if p.platform == "x" and p.media)
    video = next(
        p for p in demo_site.posts.values() if any(url.endswith(".mp4") for url in p.media)
    )
    with demo_site.login("archivist") as client:
        for post, tag, kind in ((photo, "img", "image/png"), (video, "video", "video/mp4")):
            page = html.fromstring(client.get(f"/captured/0/{urlpath(post.id)}").text)
            [source] = page.get_element_by_id("post-card").xpath(f".//{tag}/@src")[:1]
            served = client.get(source)
            assert served.status_code == 200 and served.headers["content-type"] == kind
            assert served.content, source
    assert any(url.endswith(".png") for url in video.media), "the video's poster image too"


def test_media_are_in_the_warc_as_responses_of_their_own(
    demo_site: UiSite,
) -> None:
    from archive import iter_records

    def media_responses() -> dict[str, str]:
        found: dict[str, str] = {}
        for record in iter_records(demo_site.ws.archive_dir):
            uri = record.pointer.target_uri
            if record.rec_type == "response" and ("/media/" in uri or "/system/" in uri):
                found[uri] = record.rec_type
        return found

    archived = media_responses()
    assert any(uri.endswith(".mp4") for uri in archived), "the best video variant"
    assert not any(uri.endswith(".m3u8") for uri in archived), "a playlist is no file"
    assert any("profile_" in uri for uri in archived), "X avatars"
    assert any("/avatars/" in uri for uri in archived), "Mastodon avatars"
    assert any("media_attachments" in uri for uri in archived), "Mastodon attachments"


def test_a_bag_of_tweets_carries_the_files_they_show(demo_site: UiSite, tmp_path: Path) -> None:
    import zipfile

    from archive import iter_records
    from exports import run_export

    with_media = [p for p in demo_site.posts.values() if p.platform == "x" and p.media]
    bag = run_export(
        demo_site.ws,
        query="",
        filters={"platform": ["x"]},
        fmt="bag",
        out=tmp_path / "bag",
        reason="Woo-verzoek 2026-114",
        user="carla",
    )
    with zipfile.ZipFile(bag / "data" / "archiveren-export.wacz") as wacz:
        [warc_name] = [n for n in wacz.namelist() if n.endswith(".warc.gz")]
        (tmp_path / "w").mkdir()
        (tmp_path / "w" / "data.warc.gz").write_bytes(wacz.read(warc_name))
    inside = {
        record.pointer.target_uri
        for record in iter_records(tmp_path / "w" / "data.warc.gz")
        if record.rec_type == "response"
    }
    shown = {url for post in with_media for url in post.media}
    assert shown and shown <= inside, shown - inside
