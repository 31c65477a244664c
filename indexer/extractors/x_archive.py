"""Posts from an X account archive ("download your data"): each ``data/tweets*.js`` part is
archived as its own resource record, and this turns one part into one Post per tweet, with the
same ids, kinds and links as Posts from the API (so a tweet both imported and harvested is one
Post). Archive tweets use the v1.1 shape (``id_str``, ``full_text``, ``entities`` with
``user_mentions``, ``in_reply_to_status_id_str``) and carry no author: the archive's
``account.js``, read by the collector into the part's metadata, names it. They carry no
conversation id either, so a reply's thread is the root reached by following replies within the
part; when the chain leaves the archive (a reply to someone else's tweet) it stays unknown."""

from __future__ import annotations

import html
import json
from collections.abc import Iterable, Iterator
from typing import Any

from foundation.post import Kind, Post
from indexer.extractors.base import Capture
from indexer.extractors.social_text import as_dict, dicts, parse_api_time, snowflake_time, unique

X_WEB = "https://x.com"


def extract_posts(capture: Capture) -> Iterator[Post]:
    """One Post per tweet of a tweets.js part; the zip itself gives none (its parts do)."""
    if capture.capture_kind != "archive_part":
        return
    tweets = [t for t in parse_archive_part(capture.body) if t.get("id_str") or t.get("id")]
    extra = as_dict(capture.metadata.get("extra"))
    account = as_dict(extra.get("account"))
    by_id = {_id(t): t for t in tweets}
    for tweet in tweets:
        yield status_post(tweet, capture, account, _thread_root(tweet, by_id))


def parse_archive_part(body: bytes) -> list[dict[str, Any]]:
    """The tweet objects of a part: 'window.YTD.tweets.part0 = [ {"tweet": {...}}, ... ]'
    (older archives: 'window.YTD.tweet.part0' and bare objects). A plain JSON array of v1.1
    statuses is read the same way."""
    text = body.decode("utf-8-sig")
    start = text.find("[")
    if text.lstrip().startswith("window.") and start >= 0:
        text = text[start:]
    items = json.loads(text)
    if not isinstance(items, list):
        return []
    tweets = []
    for item in items:
        if isinstance(item, dict):
            tweet = item.get("tweet", item)
            if isinstance(tweet, dict):
                tweets.append(tweet)
    return tweets


def status_post(
    tweet: dict[str, Any], capture: Capture, account: dict[str, Any], thread_root: str
) -> Post:
    """The Post for one v1.1-shaped tweet (archive or API v1.1)."""
    tweet_id = _id(tweet)
    original_id = _original_id(tweet) or tweet_id
    user = as_dict(tweet.get("user"))
    username = str(user.get("screen_name") or account.get("username") or "")
    name = str(user.get("name") or account.get("display_name") or username)
    retweeted = (
        tweet.get("retweeted_status") if isinstance(tweet.get("retweeted_status"), dict) else None
    )
    kind, parent = _kind_and_parent(tweet, retweeted)
    text = _text(tweet)
    sources = [tweet]
    if retweeted is not None:
        original_user = as_dict(retweeted.get("user")).get("screen_name")
        text = (f"RT @{original_user}: " if original_user else "") + _text(retweeted)
        sources.append(retweeted)
    created = parse_api_time(tweet.get("created_at"))
    published = created if original_id == tweet_id else snowflake_time(original_id) or created
    return Post(
        id=f"x:{original_id}",
        platform="x",
        source=capture.source,
        organisation=capture.organisation,
        kind=kind,
        url=f"{X_WEB}/{username or 'i/web'}/status/{tweet_id}",
        text=text,
        lang="" if tweet.get("lang") in (None, "und", "zxx") else str(tweet["lang"]),
        author=name,
        author_handle=f"@{username}" if username else "",
        author_url=f"{X_WEB}/{username}" if username else "",
        published_at=published,
        collected_at=capture.captured_at,
        updated_at=created if original_id != tweet_id else None,
        parent_id=f"x:{parent}" if parent else "",
        thread_id=f"x:{thread_root}" if thread_root else "",
        hashtags=unique(
            str(h.get("text", "")).lower()
            for t in sources
            for h in _entities(t).get("hashtags") or []
        ),
        mentions=unique(
            (
                f"@{m['screen_name']}"
                for t in sources
                for m in _entities(t).get("user_mentions") or []
                if m.get("screen_name")
            ),
            fold_case=True,
        ),
        links=unique(
            str(u.get("expanded_url") or u.get("url"))
            for t in sources
            for u in _entities(t).get("urls") or []
            if u.get("expanded_url") or u.get("url")
        ),
        media=unique(m for t in sources for m in _media(t)),
        capture=capture.pointer,
    )


def _id(tweet: dict[str, Any]) -> str:
    return str(tweet.get("id_str") or tweet.get("id") or "")


def _original_id(tweet: dict[str, Any]) -> str:
    """The first id of an edited tweet's history, from the archive's edit_info."""
    edit_info = as_dict(tweet.get("edit_info"))
    initial = edit_info.get("initial") or {}
    ids = initial.get("editTweetIds") or []
    if ids:
        return str(ids[0])
    return str(as_dict(edit_info.get("edit")).get("initialTweetId") or "")


def _kind_and_parent(tweet: dict[str, Any], retweeted: dict[str, Any] | None) -> tuple[Kind, str]:
    if retweeted is not None:
        return "repost", _id(retweeted)
    if tweet.get("in_reply_to_status_id_str") or tweet.get("in_reply_to_status_id"):
        return "reply", str(
            tweet.get("in_reply_to_status_id_str") or tweet["in_reply_to_status_id"]
        )
    if str(tweet.get("full_text") or tweet.get("text") or "").startswith("RT @"):
        # The archive keeps a retweet as its 'RT @user: ...' text without the original's id.
        return "repost", ""
    return "post", ""


def _thread_root(tweet: dict[str, Any], by_id: dict[str, dict[str, Any]]) -> str:
    current, seen = tweet, set()
    while True:
        parent = str(
            current.get("in_reply_to_status_id_str") or current.get("in_reply_to_status_id") or ""
        )
        if not parent:
            return _id(current)
        if parent in seen or parent not in by_id:
            return ""
        seen.add(parent)
        current = by_id[parent]


def _entities(tweet: dict[str, Any]) -> dict[str, Any]:
    extended = tweet.get("extended_tweet")
    if isinstance(extended, dict) and isinstance(extended.get("entities"), dict):
        extended_entities: dict[str, Any] = extended["entities"]
        return extended_entities
    entities = tweet.get("entities")
    return entities if isinstance(entities, dict) else {}


def _text(tweet: dict[str, Any]) -> str:
    extended = as_dict(tweet.get("extended_tweet"))
    text = str(extended.get("full_text") or tweet.get("full_text") or tweet.get("text") or "")
    entities = _entities(tweet)
    for url in dicts(entities.get("urls")):
        if url.get("url"):
            text = text.replace(str(url["url"]), str(url.get("expanded_url") or url["url"]))
    media_entities = dicts(entities.get("media")) + dicts(
        as_dict(tweet.get("extended_entities")).get("media")
    )
    for media in media_entities:
        if media.get("url"):
            text = text.replace(str(media["url"]), "")
    return html.unescape(text).strip()


def _media(tweet: dict[str, Any]) -> Iterable[str]:
    extended = dicts(as_dict(tweet.get("extended_entities")).get("media"))
    for media in extended or dicts(_entities(tweet).get("media")):
        url = media.get("media_url_https") or media.get("media_url") or media.get("expanded_url")
        if url:
            yield str(url)
