"""A blog post's full replay: its page framed inside the app with the stylesheets and images
archived with it, every part served from the archive through /archived/TICKET/TIME/URL (a
signed ticket of ten minutes standing in for the cookie the sandboxed frame does not send),
nothing fetched from the live web, and the frame sealed off by its CSP."""

from __future__ import annotations

import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from lxml import html

from collectors.runner import run_sources
from demo_sources import DemoSources
from foundation.post import Post
from indexer.pipeline import index_new_records
from indexer.query_model import SearchRequest
from search_ui.app import create_app
from search_ui.auth import hash_password, session_secret
from search_ui.rendering import urlpath
from tests.fixtures.demo import demo_workspace
from tests.fixtures.ui import ACCOUNTS, ARTIFACTS, UiSite, serving

HEADING_RED = "rgb(139, 26, 26)"
"""#8b1a1a, the demo theme's heading colour, as a browser computes it."""


@pytest.fixture(scope="module")
def blog_site(
    demo_sources_readonly: DemoSources, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[UiSite]:
    ws = demo_workspace(demo_sources_readonly, tmp_path_factory.mktemp("full-replay"))
    blogs = [source.name for source in ws.config().sources if source.type == "feed"]
    run_sources(ws.config(), ws.data_dir, blogs)
    assert not index_new_records(ws).errors
    for role, (username, password) in ACCOUNTS.items():
        ws.catalogue().add_user(username, hash_password(password), role)
    posts = {post.id: post for post in ws.backend().scan(SearchRequest())}
    ws.close_backend()
    with serving(create_app(ws)) as base_url:
        yield UiSite(ws=ws, base_url=base_url, posts=posts)
    ws.close()


def blog_post(site: UiSite) -> Post:
    return next(
        post
        for post in sorted(site.posts.values(), key=lambda p: p.id)
        if post.platform == "blog" and post.kind == "post"
    )


def frame_source(site: UiSite, post: Post) -> str:
    with site.login("archivist") as client:
        answer = client.get(f"/full/0/{urlpath(post.id)}")
    assert answer.status_code == 200, answer.text
    [src] = html.fromstring(answer.text).xpath("//iframe[@id='full-replay-frame']/@src")
    return str(src)


def linked(page: str, xpath: str) -> str:
    [found] = html.fromstring(page).xpath(xpath)
    return str(found)


def test_a_full_replay_frames_the_page_sandboxed_from_the_archive_route(blog_site: UiSite) -> None:
    post = blog_post(blog_site)
    with blog_site.login("archivist") as client:
        page = html.fromstring(client.get(f"/full/0/{urlpath(post.id)}").text)
    [frame] = page.xpath("//iframe[@id='full-replay-frame']")
    assert frame.get("sandbox") == "allow-scripts", "an opaque origin: no cookies, no app pages"
    assert frame.get("src").startswith("/archived/")
    assert frame.get("src").endswith(post.capture.target_uri.split("//", 1)[1])


def test_the_record_page_and_the_captured_page_lead_to_the_full_replay(blog_site: UiSite) -> None:
    post = blog_post(blog_site)
    with blog_site.login("archivist") as client:
        for path in (f"/record/{urlpath(post.id)}", f"/captured/0/{urlpath(post.id)}"):
            page = html.fromstring(client.get(path).text)
            assert page.xpath("//a[@id='view-full']/@href") == [f"/full/0/{urlpath(post.id)}"]


def test_the_archived_page_loads_its_archived_stylesheet_and_the_image_it_names(
    blog_site: UiSite,
) -> None:
    src = frame_source(blog_site, blog_post(blog_site))
    # the frame's requests carry no session cookie: a client without one, as the frame is
    with httpx.Client(base_url=blog_site.base_url, timeout=20) as frame:
        page = frame.get(src)
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        stylesheet = linked(page.text, "//link[@rel='stylesheet']/@href")
        assert stylesheet.startswith(src.rsplit("/http", 1)[0] + "/http"), stylesheet
        css = frame.get(stylesheet)
        assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
        assert "#8b1a1a" in css.text
        image = css.text.split('url("', 1)[1].split('"', 1)[0]
        assert image.startswith("/archived/") and image.endswith("/header.png")
        png = frame.get(image)
        assert png.status_code == 200 and png.content.startswith(b"\x89PNG")


def test_a_url_not_in_the_archive_answers_404_and_is_never_fetched_live(
    blog_site: UiSite, demo_sources_readonly: DemoSources
) -> None:
    src = frame_source(blog_site, blog_post(blog_site))
    prefix, page_url = src.split("/http", 1)
    missing = "http" + page_url.rsplit("/", 2)[0].split("?")[0] + "/nooit-gearchiveerd.css"
    asked_before = len(demo_sources_readonly.request_log["blog"])
    with httpx.Client(base_url=blog_site.base_url, timeout=20) as frame:
        answer = frame.get(f"{prefix}/{missing}")
    assert answer.status_code == 404 and answer.text == f"Niet in het archief: {missing}"
    assert len(demo_sources_readonly.request_log["blog"]) == asked_before


def test_every_archived_answer_is_sealed_off_by_its_csp(blog_site: UiSite) -> None:
    src = frame_source(blog_site, blog_post(blog_site))
    with httpx.Client(base_url=blog_site.base_url, timeout=20) as frame:
        policy = frame.get(src).headers["content-security-policy"]
    assert policy.startswith("sandbox allow-scripts;")
    assert f"default-src {blog_site.base_url}/archived/ " in policy
    assert "connect-src 'none'" in policy and "form-action 'none'" in policy


class _TenMinutesAgo(TimestampSigner):
    def get_timestamp(self) -> int:
        return int(time.time()) - 601


@pytest.mark.parametrize("forged", ["not-a-ticket", "old", "disabled"])
def test_a_forged_stale_or_disabled_users_ticket_gets_nothing(
    blog_site: UiSite, forged: str
) -> None:
    src = frame_source(blog_site, blog_post(blog_site))
    _, _, ticket, rest = src.split("/", 3)
    secret = session_secret(blog_site.ws)
    if forged == "not-a-ticket":
        ticket = "eyJ1IjoiYW5uYSJ9.forged.signature"
    elif forged == "old":
        ticket = URLSafeTimedSerializer(
            secret, salt="archiveren-archived-ticket", signer=_TenMinutesAgo
        ).dumps({"u": ACCOUNTS["archivist"][0]})
    else:
        blog_site.ws.catalogue().add_user(
            "oud-lid", hash_password("oud-lid-wachtwoord"), "archivist"
        )
        blog_site.ws.catalogue().set_disabled("oud-lid", True)
        ticket = URLSafeTimedSerializer(secret, salt="archiveren-archived-ticket").dumps(
            {"u": "oud-lid"}
        )
    with httpx.Client(base_url=blog_site.base_url, timeout=20) as frame:
        answer = frame.get(f"/archived/{ticket}/{rest}")
    assert answer.status_code == 403 and "open de volledige weergave opnieuw" in answer.text


def test_a_full_replay_needs_a_login(blog_site: UiSite) -> None:
    post = blog_post(blog_site)
    with httpx.Client(base_url=blog_site.base_url, timeout=20) as anonymous:
        answer = anonymous.get(f"/full/0/{urlpath(post.id)}")
    assert answer.status_code == 303 and answer.headers["location"].startswith("/login")


@pytest.mark.browser
def test_a_blog_posts_full_replay_applies_its_archived_stylesheet_and_asks_only_the_app(
    chromium: Any, blog_site: UiSite
) -> None:
    post = blog_post(blog_site)
    context = chromium.new_context(
        base_url=blog_site.base_url, viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    username, password = ACCOUNTS["archivist"]
    page.goto("/login")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(password)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url("**/search")
    requested: list[str] = []
    context.on("request", lambda request: requested.append(request.url))
    page.goto(f"/full/0/{urlpath(post.id)}")
    heading = page.frame_locator("#full-replay-frame").locator("h1.entry-title")
    heading.wait_for()
    assert heading.evaluate("h => getComputedStyle(h).color") == HEADING_RED
    header = page.frame_locator("#full-replay-frame").locator(".site-header")
    assert "/archived/" in header.evaluate("h => getComputedStyle(h).backgroundImage")
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(ARTIFACTS / "full-replay.png"), full_page=True)
    assert any(url.endswith("/style.css?ver=1.0") for url in requested), requested
    outside = [url for url in requested if not url.startswith(blog_site.base_url + "/")]
    assert not outside, outside
    context.close()


def test_a_wacz_of_a_blog_post_carries_the_stylesheet_and_image_its_page_loads(
    blog_site: UiSite, tmp_path: Path
) -> None:
    from archive import iter_records
    from exports import run_export

    post = blog_post(blog_site)
    wacz = run_export(
        blog_site.ws,
        query="",
        filters={"platform": ["blog"]},
        fmt="wacz",
        out=tmp_path / "blog.wacz",
        reason="Woo-verzoek 2026-115",
        user="carla",
    )
    with zipfile.ZipFile(wacz) as package:
        [warc_name] = [n for n in package.namelist() if n.endswith(".warc.gz")]
        (tmp_path / "w").mkdir()
        (tmp_path / "w" / "data.warc.gz").write_bytes(package.read(warc_name))
    inside = [
        record.pointer.target_uri
        for record in iter_records(tmp_path / "w" / "data.warc.gz")
        if record.rec_type == "response"
    ]
    assert post.capture is not None and post.capture.target_uri in inside
    assert any(uri.endswith("/style.css?ver=1.0") for uri in inside)
    assert any(uri.endswith("/wp-content/themes/ambtenaar/header.png") for uri in inside)

    # pywb, another tool of the field, replays the page from the package with its stylesheet
    from archive.cdxj import rebuild_index
    from tests.fixtures.replay import PywbServer, warc_timestamp

    rebuild_index(tmp_path / "w")
    when = warc_timestamp(post.capture.capture_date)
    with PywbServer(tmp_path / "w", tmp_path / "pywb") as pywb:
        page = httpx.get(f"{pywb.base_url}/archive/{when}mp_/{post.capture.target_uri}")
        assert page.status_code == 200, page.text[:300]
        stylesheet = linked(page.text, "//link[@rel='stylesheet']/@href")
        css_url = pywb.base_url + stylesheet if stylesheet.startswith("/") else stylesheet
        assert css_url.startswith(f"{pywb.base_url}/archive/"), "from the package, not live"
        css = httpx.get(css_url)
    assert css.status_code == 200 and "#8b1a1a" in css.text
