"""The Ning community and the PBworks wiki show their content the way those platforms did."""

from __future__ import annotations

import re

import httpx
from lxml import html as lxml_html

from demo_sources import HOSTILE_SNIPPETS, DemoSources


def tree(url: str) -> lxml_html.HtmlElement:
    response = httpx.get(url)
    assert response.status_code == 200, url
    return lxml_html.fromstring(response.content)


def test_ning_list_pages_page_through_all_blog_posts(demo_sources_readonly: DemoSources) -> None:
    demo = demo_sources_readonly
    url: str | None = demo.urls["ning"] + "profiles/blog/list"
    titles: list[str] = []
    while url:
        page = tree(url)
        titles += [
            a.text_content() for a in page.cssselect("ul.xg_list li.xg_list_item h3 a.title")
        ]
        nxt = page.cssselect("ul.pagination a.pagination-next")
        url = nxt[0].get("href") if nxt else None
    assert titles == [p.title for p in demo.content.ning_live("blog")]
    assert httpx.get(demo.urls["ning"] + "profiles/blog/list?page=99").status_code == 404


def test_ning_post_shows_byline_views_and_dutch_comment_lines(
    demo_sources_readonly: DemoSources,
) -> None:
    demo = demo_sources_readonly
    post = next(p for p in demo.content.ning_live("blog") if len(p.comments) >= 3)
    page = tree(demo.urls["ning"].rstrip("/") + post.path)
    assert page.cssselect("div.xg_blog_detail h1.entry-title")[0].text_content() == post.title
    assert page.cssselect("p.view-count")[0].text_content() == f"Weergaven: {post.views}"
    lines = [dt.text_content() for dt in page.cssselect("div#comments dl.comment dt")]
    assert len(lines) == len(post.comments)
    assert re.fullmatch(r"Reactie van .+ op \d{1,2} [A-Z][a-z]+ \d{4} op \d\d\.\d\d", lines[0])
    assert lines[0].startswith(f"Reactie van {post.comments[0].author} op ")


def test_long_ning_thread_pages_its_comments(demo_sources_readonly: DemoSources) -> None:
    demo = demo_sources_readonly
    thread = max(demo.content.ning_live("discussion"), key=lambda p: len(p.comments))
    base = demo.urls["ning"].rstrip("/") + thread.path
    ids: list[str] = []
    for number in (1, 2, 3):
        ids += [dl.get("id") for dl in tree(f"{base}?page={number}").cssselect("dl.comment")]
    assert len(thread.comments) > 20 and ids == [f"6690995:Comment:{c.id}" for c in thread.comments]
    last = thread.comments[-1]
    by_id = tree(f"{base}?commentId=6690995%3AComment%3A{last.id}")
    assert by_id.cssselect("dl.comment")[-1].get("id") == f"6690995:Comment:{last.id}"
    assert by_id.cssselect("div.xg_forum_detail p.category .category-name")


def test_ning_profile_lists_the_members_contributions(demo_sources_readonly: DemoSources) -> None:
    demo = demo_sources_readonly
    member = demo.content.ning_members["ZoevanderMeulen"]
    page = tree(demo.urls["ning"] + "profile/ZoevanderMeulen")
    assert page.cssselect("div.xg_profile h1.fn")[0].text_content() == "Zoë van der Meulen"
    posts = [p.title for p in demo.content.ning_posts if p.author == member.name]
    assert [a.text_content() for a in page.cssselect("a.title")] == posts


def test_ning_hostile_comment_is_text_not_markup(demo_sources_readonly: DemoSources) -> None:
    demo = demo_sources_readonly
    post = next(
        p for p in demo.content.ning_posts if any(HOSTILE_SNIPPETS[0] in c.text for c in p.comments)
    )
    response = httpx.get(demo.urls["ning"].rstrip("/") + post.path)
    assert HOSTILE_SNIPPETS[0] not in response.text
    assert any(
        HOSTILE_SNIPPETS[0] in d.text_content()
        for d in lxml_html.fromstring(response.content).cssselect("dd .comment-body")
    )


def test_ning_new_comment_and_deleted_post_show_on_next_request(demo_sources: DemoSources) -> None:
    demo = demo_sources
    post = demo.content.ning_live("blog")[0]
    demo.ning.add_comment(post.slug, "Bram Hoekstra", "Later nog een reactie.")
    last = tree(demo.urls["ning"].rstrip("/") + post.path).cssselect("dl.comment dd")[-1]
    assert last.text_content() == "Later nog een reactie."
    demo.ning.delete_post(post.slug)
    assert httpx.get(demo.urls["ning"].rstrip("/") + post.path).status_code == 404


def test_wiki_page_shows_history_line_and_comments(demo_sources_readonly: DemoSources) -> None:
    demo = demo_sources_readonly
    page = next(p for p in demo.content.wiki_pages if p.comments)
    html = tree(demo.urls["wiki"].rstrip("/") + page.path)
    assert html.cssselect("h1#pagetitle")[0].text_content() == page.title
    history = " ".join(html.cssselect("div#pagehistory")[0].text_content().split())
    assert re.fullmatch(
        rf"Page history last edited by {re.escape(page.last_edit.editor)} \d+ years?(, \d+ months?)? ago",
        history,
    )
    said = " ".join(html.cssselect("div.comment .comment-header")[0].text_content().split())
    assert re.fullmatch(
        rf"{re.escape(page.comments[0].author)} said at \d{{1,2}}:\d\d [ap]m on [A-Z][a-z]{{2}} \d{{1,2}}, 20\d\d",
        said,
    )


def test_wiki_index_links_every_page_and_root_redirects_to_front_page(
    demo_sources_readonly: DemoSources,
) -> None:
    demo = demo_sources_readonly
    hrefs = [
        a.get("href")
        for a in tree(demo.urls["wiki"] + "w/pages").cssselect("table#page-index td.page-name a")
    ]
    assert sorted(hrefs) == sorted(
        demo.urls["wiki"].rstrip("/") + p.path for p in demo.content.wiki_pages
    )
    root = httpx.get(demo.urls["wiki"])
    assert root.status_code == 302 and root.headers["location"].endswith("/FrontPage")
    assert "%20" in hrefs[0]


def test_wiki_edit_changes_validators(demo_sources: DemoSources) -> None:
    demo = demo_sources
    page = demo.content.wiki_pages[0]
    url = demo.urls["wiki"].rstrip("/") + page.path
    first = httpx.get(url)
    assert httpx.get(url, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    demo.wiki.edit_page(page.id, "Fatima el Amrani", ["Herschreven inleiding."])
    second = httpx.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert second.status_code == 200 and "Herschreven inleiding." in second.text
    assert 'last edited by <span class="user">Fatima el Amrani</span>' in second.text
