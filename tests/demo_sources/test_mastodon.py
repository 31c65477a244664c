"""The Mastodon emulator pages and threads like a Mastodon instance."""

from __future__ import annotations

import re

import httpx

from demo_sources import HOSTILE_SNIPPETS, DemoSources


def links(response: httpx.Response) -> dict[str, str]:
    return {
        rel: url
        for url, rel in re.findall(r'<([^>]+)>; rel="(\w+)"', response.headers.get("link", ""))
    }


def account_id(demo: DemoSources, username: str) -> str:
    response = httpx.get(
        demo.urls["mastodon"] + "api/v1/accounts/lookup", params={"acct": username}
    )
    assert response.status_code == 200
    return str(response.json()["id"])


def test_lookup_finds_local_accounts_and_404s_others(demo_sources_readonly: DemoSources) -> None:
    base = demo_sources_readonly.urls["mastodon"]
    account = httpx.get(base + "api/v1/accounts/lookup", params={"acct": "zoe"}).json()
    assert account["display_name"] == "Zoë van der Meulen" and account["acct"] == "zoe"
    assert account["url"] == base + "@zoe"
    missing = httpx.get(base + "api/v1/accounts/lookup", params={"acct": "niemand"})
    assert (missing.status_code, missing.json()) == (404, {"error": "Record not found"})


def test_link_header_paging_walks_every_status_once(demo_sources_readonly: DemoSources) -> None:
    demo = demo_sources_readonly
    aid = account_id(demo, "jeroen")
    url: str | None = demo.urls["mastodon"] + f"api/v1/accounts/{aid}/statuses?limit=4"
    seen: list[str] = []
    while url:
        response = httpx.get(url)
        page = response.json()
        if not page:
            assert "link" not in response.headers
            break
        seen += [s["id"] for s in page]
        rel = links(response)
        assert rel["next"].endswith(f"limit=4&max_id={page[-1]['id']}")
        assert rel["prev"].endswith(f"limit=4&min_id={page[0]['id']}")
        url = rel["next"]
    expected = [t.id for t in demo.content.visible_toots() if t.author == "jeroen"]
    assert seen == expected and len(seen) > 8


def test_min_id_and_since_id_return_newer_statuses(demo_sources_readonly: DemoSources) -> None:
    demo = demo_sources_readonly
    aid = account_id(demo, "omer")
    toots = [t.id for t in demo.content.visible_toots() if t.author == "omer"]
    url = demo.urls["mastodon"] + f"api/v1/accounts/{aid}/statuses"
    just_after = httpx.get(url, params={"min_id": toots[5], "limit": 2}).json()
    newest = httpx.get(url, params={"since_id": toots[5], "limit": 2}).json()
    assert [s["id"] for s in just_after] == toots[3:5]
    assert [s["id"] for s in newest] == toots[:2]


def test_status_has_mastodon_shape_with_html_content(demo_sources_readonly: DemoSources) -> None:
    demo = demo_sources_readonly
    toot = next(
        t for t in demo.content.visible_toots() if "#" in t.text and not t.reblog_of and t.edited_at
    )
    status = httpx.get(demo.urls["mastodon"] + f"api/v1/statuses/{toot.id}").json()
    assert (
        status["content"].startswith("<p>")
        and 'class="mention hashtag" rel="tag"' in status["content"]
    )
    assert status["tags"] and status["tags"][0]["url"].startswith(demo.urls["mastodon"] + "tags/")
    assert status["edited_at"] and status["edited_at"] > status["created_at"]
    assert status["account"]["username"] == demo.content.person(toot.author).mastodon
    for key in (
        "in_reply_to_id",
        "reblog",
        "media_attachments",
        "mentions",
        "visibility",
        "url",
        "uri",
        "language",
    ):
        assert key in status


def test_reblog_wraps_the_original(demo_sources_readonly: DemoSources) -> None:
    demo = demo_sources_readonly
    boost = next(t for t in demo.content.visible_toots() if t.reblog_of)
    status = httpx.get(demo.urls["mastodon"] + f"api/v1/statuses/{boost.id}").json()
    assert status["content"] == "" and status["reblog"]["id"] == boost.reblog_of


def test_context_lists_ancestors_and_nested_descendants(demo_sources_readonly: DemoSources) -> None:
    demo = demo_sources_readonly
    toots = demo.content.toots
    deepest = next(
        t
        for t in toots.values()
        if t.in_reply_to_id
        and toots[t.in_reply_to_id].in_reply_to_id
        and not toots[toots[t.in_reply_to_id].in_reply_to_id].deleted
        and not t.deleted
    )
    middle = toots[deepest.in_reply_to_id or ""]
    root = toots[middle.in_reply_to_id or ""]
    base = demo.urls["mastodon"]
    below = httpx.get(base + f"api/v1/statuses/{root.id}/context").json()
    above = httpx.get(base + f"api/v1/statuses/{deepest.id}/context").json()
    assert [s["id"] for s in below["descendants"]][:2] == [middle.id, deepest.id]
    assert [s["id"] for s in above["ancestors"]] == [root.id, middle.id]
    assert below["descendants"][0]["in_reply_to_id"] == root.id


def test_deleted_status_is_404(demo_sources_readonly: DemoSources) -> None:
    demo = demo_sources_readonly
    deleted = next(t for t in demo.content.toots.values() if t.deleted)
    response = httpx.get(demo.urls["mastodon"] + f"api/v1/statuses/{deleted.id}")
    assert (response.status_code, response.json()) == (404, {"error": "Record not found"})


def test_hashtag_timeline_and_hostile_text_escaped(demo_sources_readonly: DemoSources) -> None:
    demo = demo_sources_readonly
    base = demo.urls["mastodon"]
    tagged = httpx.get(base + "api/v1/timelines/tag/ambtenaar20", params={"limit": 40}).json()
    assert tagged and all(any(t["name"] == "ambtenaar20" for t in s["tags"]) for s in tagged)
    hostile = next(s for s in tagged if "alert(1)" in s["content"])
    assert (
        HOSTILE_SNIPPETS[0] not in hostile["content"]
        and "&lt;script&gt;alert(1)&lt;/script&gt;" in hostile["content"]
    )


def test_instance_describes_the_server(demo_sources_readonly: DemoSources) -> None:
    body = httpx.get(demo_sources_readonly.urls["mastodon"] + "api/v1/instance").json()
    assert body["uri"] == demo_sources_readonly.urls["mastodon"].split("://")[1].rstrip("/")
    assert body["version"].startswith("4.") and body["stats"]["status_count"] > 50


def test_new_edited_and_deleted_statuses_show_on_the_next_request(
    demo_sources: DemoSources,
) -> None:
    demo = demo_sources
    aid = account_id(demo, "anneke")
    url = demo.urls["mastodon"] + f"api/v1/accounts/{aid}/statuses"
    newest = demo.content.visible_toots()[0].id
    added = demo.mastodon.add_status("anneke", "Nieuw over de #woo")
    assert [s["id"] for s in httpx.get(url, params={"since_id": newest}).json()] == [added.id]
    demo.mastodon.edit_status(added.id, "Nieuw over de #woo, bewerkt")
    edited = httpx.get(url, params={"since_id": newest}).json()[0]
    assert "bewerkt" in edited["content"] and edited["edited_at"]
    demo.mastodon.delete_status(added.id)
    assert httpx.get(url, params={"since_id": newest}).json() == []
