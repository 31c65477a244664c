"""The X API v2 emulator answers like the real API, to plain HTTP and to tweepy."""

from __future__ import annotations

import time

import httpx
import pytest
import tweepy

from demo_sources import DemoSources, XEmulatorClient

FIELDS = "created_at,conversation_id,entities,referenced_tweets,edit_history_tweet_ids,in_reply_to_user_id,author_id"
EXPANSIONS = "author_id,referenced_tweets.id,attachments.media_keys"


def api(demo: DemoSources) -> httpx.Client:
    return httpx.Client(
        base_url=demo.urls["x_api"], headers={"Authorization": f"Bearer {demo.x_bearer_token}"}
    )


def user_id(demo: DemoSources, username: str) -> str:
    person = demo.content.person_by_x(username)
    assert person
    return person.x_id


def test_user_lookup_has_the_recorded_shape(demo_sources_readonly: DemoSources) -> None:
    response = api(demo_sources_readonly).get("/2/users/by/username/jcosic")
    assert response.status_code == 200
    assert response.json() == {
        "data": {
            "id": user_id(demo_sources_readonly, "jcosic"),
            "name": "Jeroen Ćosić",
            "username": "jcosic",
        }
    }
    assert int(response.headers["x-rate-limit-remaining"]) < int(
        response.headers["x-rate-limit-limit"]
    )
    assert int(response.headers["x-rate-limit-reset"]) > time.time()
    missing = api(demo_sources_readonly).get("/2/users/by/username/nobody_here").json()
    assert missing["errors"][0]["title"] == "Not Found Error" and "data" not in missing


def test_missing_or_wrong_bearer_token_is_401(demo_sources_readonly: DemoSources) -> None:
    url = demo_sources_readonly.urls["x_api"] + "2/users/by/username/jcosic"
    for headers in ({}, {"Authorization": "Bearer wrong"}):
        response = httpx.get(url, headers=headers)
        assert response.status_code == 401
        assert response.json() == {
            "title": "Unauthorized",
            "type": "about:blank",
            "status": 401,
            "detail": "Unauthorized",
        }


def test_timeline_pages_cover_every_visible_tweet_once(demo_sources_readonly: DemoSources) -> None:
    demo = demo_sources_readonly
    uid = user_id(demo, "zoevdmeulen")
    expected = [t.id for t in demo.content.visible_tweets() if t.author == "zoe"]
    seen: list[str] = []
    params: dict[str, str] = {"max_results": "5", "tweet.fields": FIELDS, "expansions": EXPANSIONS}
    while True:
        body = api(demo).get(f"/2/users/{uid}/tweets", params=params).json()
        seen += [t["id"] for t in body["data"]]
        assert body["meta"]["result_count"] == len(body["data"])
        assert (body["meta"]["newest_id"], body["meta"]["oldest_id"]) == (
            body["data"][0]["id"],
            body["data"][-1]["id"],
        )
        assert body["includes"]["users"][0]["username"] == "zoevdmeulen"
        if "next_token" not in body["meta"]:
            break
        params["pagination_token"] = body["meta"]["next_token"]
    assert seen == expected and len(seen) > 10


def test_since_id_returns_only_newer_tweets(demo_sources_readonly: DemoSources) -> None:
    demo = demo_sources_readonly
    uid = user_id(demo, "annekedewit")
    tweets = [t for t in demo.content.visible_tweets() if t.author == "anneke"]
    body = api(demo).get(f"/2/users/{uid}/tweets", params={"since_id": tweets[3].id}).json()
    assert [t["id"] for t in body["data"]] == [t.id for t in tweets[:3]]
    assert api(demo).get(f"/2/users/{uid}/tweets", params={"since_id": tweets[0].id}).json() == {
        "meta": {"result_count": 0}
    }


def test_out_of_range_and_unknown_parameters_are_400(demo_sources_readonly: DemoSources) -> None:
    demo = demo_sources_readonly
    uid = user_id(demo, "jcosic")
    too_few = api(demo).get(f"/2/users/{uid}/tweets", params={"max_results": "2"})
    unknown = api(demo).get(f"/2/users/{uid}/tweets", params={"colour": "blue"})
    assert too_few.status_code == unknown.status_code == 400
    assert too_few.json()["title"] == "Invalid Request"
    assert "max_results" in too_few.json()["errors"][0]["parameters"]


def test_replies_retweets_quotes_and_edits_are_shaped_like_x(
    demo_sources_readonly: DemoSources,
) -> None:
    demo = demo_sources_readonly
    kinds = {kind for t in demo.content.visible_tweets() for kind, _ in t.referenced}
    assert kinds == {"replied_to", "retweeted", "quoted"}
    edited = next(t for t in demo.content.tweets.values() if len(t.edit_history) == 2 and t.visible)
    body = (
        api(demo).get(f"/2/tweets/{edited.edit_history[0]}", params={"tweet.fields": FIELDS}).json()
    )
    assert body["data"]["edit_history_tweet_ids"] == edited.edit_history
    reply = next(
        t
        for t in demo.content.visible_tweets()
        if t.referenced
        and t.referenced[0][0] == "replied_to"
        and t.conversation_id != t.referenced[0][1]
    )
    data = api(demo).get(f"/2/tweets/{reply.id}", params={"tweet.fields": FIELDS}).json()["data"]
    assert (
        data["conversation_id"] == reply.conversation_id
        and data["in_reply_to_user_id"] == reply.in_reply_to_user_id
    )
    assert data["entities"]["mentions"][0]["start"] == 0


def test_deleted_tweet_is_not_found_and_reported_in_expansions(
    demo_sources_readonly: DemoSources,
) -> None:
    demo = demo_sources_readonly
    deleted = next(t for t in demo.content.tweets.values() if t.deleted)
    assert api(demo).get(f"/2/tweets/{deleted.id}").json()["errors"][0]["resource_id"] == deleted.id
    reply = next(
        t for t in demo.content.visible_tweets() if ("replied_to", deleted.id) in t.referenced
    )
    body = (
        api(demo).get(f"/2/tweets/{reply.id}", params={"expansions": "referenced_tweets.id"}).json()
    )
    assert body["errors"][0]["parameter"] == "referenced_tweets.id"
    assert deleted.id not in [t["id"] for t in body.get("includes", {}).get("tweets", [])]


def test_search_recent_finds_the_hashtag_and_pages_with_next_token(
    demo_sources_readonly: DemoSources,
) -> None:
    demo = demo_sources_readonly
    first = api(demo).get("/2/tweets/search/recent", params={"query": "#ambtenaar20"}).json()
    second = (
        api(demo)
        .get(
            "/2/tweets/search/recent",
            params={"query": "#ambtenaar20", "next_token": first["meta"]["next_token"]},
        )
        .json()
    )
    ids = [t["id"] for t in first["data"] + second["data"]]
    assert len(first["data"]) == 10 and len(ids) == len(set(ids))
    assert all("#ambtenaar20" in t["text"].lower() for t in first["data"] + second["data"])
    only_jeroen = (
        api(demo).get("/2/tweets/search/recent", params={"query": "from:jcosic -is:retweet"}).json()
    )
    assert {
        t.author
        for t in demo.content.tweets.values()
        if t.id in {d["id"] for d in only_jeroen["data"]}
    } == {"jeroen"}


def test_list_tweets_come_from_list_members(demo_sources_readonly: DemoSources) -> None:
    demo = demo_sources_readonly
    body = api(demo).get("/2/lists/1460392296822812685/tweets", params={"max_results": "20"}).json()
    assert body["meta"]["result_count"] == 20 and "next_token" in body["meta"]


def test_forced_rate_limit_answers_429_until_reset(demo_sources: DemoSources) -> None:
    client = api(demo_sources)
    demo_sources.x.force_rate_limit(after_requests=2, reset_in_seconds=1)
    assert [client.get("/2/users/by/username/jcosic").status_code for _ in range(2)] == [200, 200]
    limited = client.get("/2/users/by/username/jcosic")
    assert limited.status_code == 429
    assert limited.json()["title"] == "Too Many Requests"
    reset = int(limited.headers["x-rate-limit-reset"])
    assert (
        limited.headers["x-rate-limit-remaining"] == "0" and time.time() < reset <= time.time() + 2
    )
    time.sleep(max(reset - time.time(), 0) + 0.05)
    assert client.get("/2/users/by/username/jcosic").status_code == 200


def test_new_edited_and_deleted_tweets_show_on_the_next_request(demo_sources: DemoSources) -> None:
    demo = demo_sources
    uid = user_id(demo, "bramhoekstra")
    newest = demo.content.visible_tweets()[0]
    added = demo.x.add_tweet("bram", "Nieuwe tweet #ambtenaar20")
    assert [
        t["id"]
        for t in api(demo)
        .get(f"/2/users/{uid}/tweets", params={"since_id": newest.id})
        .json()["data"]
    ] == [added.id]
    newer = demo.x.edit_tweet(added.id, "Nieuwe tweet, verbeterd #ambtenaar20")
    data = api(demo).get(f"/2/users/{uid}/tweets", params={"since_id": newest.id}).json()["data"]
    assert [(t["id"], t["edit_history_tweet_ids"]) for t in data] == [
        (newer.id, [added.id, newer.id])
    ]
    demo.x.delete_tweet(newer.id)
    assert (
        api(demo)
        .get(f"/2/users/{uid}/tweets", params={"since_id": newest.id})
        .json()["meta"]["result_count"]
        == 0
    )


def test_tweepy_client_pages_through_a_user_timeline(demo_sources_readonly: DemoSources) -> None:
    demo = demo_sources_readonly
    client = XEmulatorClient(demo.x_bearer_token, demo.urls["x_api"])
    user = client.get_user(username="omeryilmaz_data").data
    pages = list(
        tweepy.Paginator(
            client.get_users_tweets,
            user.id,
            max_results=5,
            tweet_fields=["created_at", "conversation_id"],
            expansions=["author_id"],
        )
    )
    tweets = [t for page in pages for t in page.data]
    assert [t.id for t in tweets] == [
        int(t.id) for t in demo.content.visible_tweets() if t.author == "omer"
    ]
    assert len(pages) > 2 and tweets[0].created_at is not None
    assert pages[0].includes["users"][0].username == "omeryilmaz_data"


def test_tweepy_sees_401_and_429_as_its_own_exceptions(demo_sources: DemoSources) -> None:
    with pytest.raises(tweepy.Unauthorized):
        XEmulatorClient("wrong-token", demo_sources.urls["x_api"]).get_user(username="jcosic")
    demo_sources.x.force_rate_limit(after_requests=0, reset_in_seconds=1)
    with pytest.raises(tweepy.TooManyRequests):
        XEmulatorClient(demo_sources.x_bearer_token, demo_sources.urls["x_api"]).get_user(
            username="jcosic"
        )
