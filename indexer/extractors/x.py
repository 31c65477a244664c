"""Posts from X API v2 pages: one Post per tweet in a page's ``data``, with the author, the
referenced tweets and the media looked up in the page's ``includes``.

A tweet's Post id is ``x:<first id of its edit history>``, so an edited tweet stays one Post
(the newest capture wins, earlier ones stay listed); ``updated_at`` says when the captured
version was made. A tweet that is not the last of its edit history (an earlier version, looked
up by id) gives a ``versions_only`` Post: a version of that one Post, dated by its
``created_at``. Replies and retweets point at what they answer with ``parent_id``, and
``thread_id`` is ``x:<conversation_id>`` so a conversation can be gathered from the index alone.
Pages recorded without expansions (only id and text, as older or minimal requests return) still
give Posts: the time comes from the snowflake id, the author from the page's context (the
collector names the account whose timeline it fetched), hashtags and mentions from the text.

A deletion probe (``endpoint: "deletion_probe"``: the collector looked up by id the tweets a
timeline's newest page stopped showing) gives, for each ``resource-not-found`` error about a
tweet, a ``versions_only`` Post with only a tombstone (``how="not_found_error"``, the probe as
evidence), which the indexer adds to that tweet's Post. Other errors (``not-authorized-for-
resource`` for a protected account) and error statuses (5xx, 429) give nothing; a tweet the
probe found still there is an ordinary capture of it (and restores a Post found gone before).
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from typing import Any

from foundation.post import Kind, Post
from foundation.post_version import PostVersion
from indexer.extractors.base import Capture, gone_post
from indexer.extractors.social_text import (
    as_dict,
    as_list,
    dicts,
    hashtags_in,
    load_json,
    mentions_in,
    parse_api_time,
    snowflake_time,
    unique,
)
from platforms.x_media import shown_files

X_WEB = "https://x.com"
NOT_FOUND = "https://api.twitter.com/2/problems/resource-not-found"


def extract_posts(capture: Capture) -> Iterator[Post]:
    """One Post per tweet in an API v2 page; nothing for user lookups, errors or non-JSON."""
    if capture.http_status is not None and not 200 <= capture.http_status < 300:
        return
    page = load_json(capture.body)
    if not isinstance(page, dict):
        return
    data = page.get("data")
    tweets = data if isinstance(data, list) else [data] if isinstance(data, dict) else []
    includes = as_dict(page.get("includes"))
    lookup = _Includes(includes)
    extra = as_dict(capture.metadata.get("extra"))
    for tweet in tweets:
        if isinstance(tweet, dict) and "id" in tweet and "text" in tweet:
            yield tweet_post(tweet, lookup, capture, extra)
    if extra.get("endpoint") == "deletion_probe":
        for error in dicts(page.get("errors")):
            tweet_id = str(error.get("resource_id") or error.get("value") or "")
            if (
                error.get("type") == NOT_FOUND
                and error.get("resource_type") == "tweet"
                and tweet_id.isdigit()
            ):
                yield gone_tweet(tweet_id, capture)


def gone_tweet(tweet_id: str, capture: Capture) -> Post:
    """The tombstone of a tweet the X API answered it knows no more (``capture``, the probe)."""
    return gone_post(f"x:{tweet_id}", "x", capture, "not_found_error")


class _Includes:
    """The expansions of one page, by id."""

    def __init__(self, includes: dict[str, Any]) -> None:
        self.users = {
            str(u.get("id")): u for u in as_list(includes.get("users")) if isinstance(u, dict)
        }
        self.tweets = {
            str(t.get("id")): t for t in as_list(includes.get("tweets")) if isinstance(t, dict)
        }
        self.media = {
            str(m.get("media_key")): m
            for m in as_list(includes.get("media"))
            if isinstance(m, dict)
        }


def tweet_post(
    tweet: dict[str, Any], lookup: _Includes, capture: Capture, extra: dict[str, Any]
) -> Post:
    """The Post for one API v2 tweet object."""
    tweet_id = str(tweet["id"])
    history = tweet.get("edit_history_tweet_ids")
    original_id = str(history[0]) if isinstance(history, list) and history else tweet_id
    latest_id = str(history[-1]) if isinstance(history, list) and history else tweet_id
    author = _author(tweet, lookup, extra)
    kind, parent = _kind_and_parent(tweet)
    original = lookup.tweets.get(parent) if kind == "repost" and parent else None
    entities = _entities(tweet)
    text = _text(tweet, entities)
    hashtags, mentions, links, media = _listed(tweet, entities, lookup)
    if original is not None:
        original_author = lookup.users.get(str(original.get("author_id")), {})
        prefix = f"RT @{original_author['username']}: " if original_author.get("username") else ""
        original_entities = _entities(original)
        text = prefix + _text(original, original_entities)
        for mine, theirs in zip(
            (hashtags, mentions, links, media),
            _listed(original, original_entities, lookup),
            strict=True,
        ):
            mine += theirs
    created = parse_api_time(tweet.get("created_at"))
    updated = None
    if original_id == tweet_id:
        published = created or snowflake_time(tweet_id)
    else:  # an edit: published when the first version was, updated when this one was
        published = snowflake_time(original_id) or created
        updated = created or snowflake_time(tweet_id)
    conversation = str(tweet.get("conversation_id") or "")
    if not conversation and kind != "reply":
        conversation = original_id
    username = author.get("username", "")
    return Post(
        id=f"x:{original_id}",
        platform="x",
        source=capture.source,
        organisation=capture.organisation,
        kind=kind,
        url=f"{X_WEB}/{username or 'i/web'}/status/{tweet_id}",
        text=text,
        lang=_lang(tweet.get("lang")),
        author=author.get("name", "") or username,
        author_handle=f"@{username}" if username else "",
        author_url=f"{X_WEB}/{username}" if username else "",
        published_at=published,
        collected_at=capture.captured_at,
        updated_at=updated,
        parent_id=f"x:{parent}" if parent else "",
        thread_id=f"x:{conversation}" if conversation else "",
        hashtags=unique(hashtags),
        mentions=unique(mentions, fold_case=True),
        links=unique(links),
        media=unique(media),
        capture=capture.pointer,
        current_since=PostVersion(
            captured_at=capture.captured_at,
            capture=capture.pointer,
            edited_at=created or snowflake_time(tweet_id),
        )
        if original_id != tweet_id or latest_id != tweet_id
        else None,
        versions_only=latest_id != tweet_id,
    )


def _author(tweet: dict[str, Any], lookup: _Includes, extra: dict[str, Any]) -> dict[str, str]:
    author_id = str(tweet.get("author_id") or "")
    user = lookup.users.get(author_id) if author_id else None
    if user:
        return {"username": str(user.get("username", "")), "name": str(user.get("name", ""))}
    # A user timeline is that user's own tweets: the page context names the author when the
    # request asked for no expansions.
    context_id = str(extra.get("user_id") or "")
    if (
        extra.get("endpoint") == "user_tweets"
        and extra.get("account")
        and (not author_id or author_id == context_id)
    ):
        return {
            "username": str(extra["account"]).lstrip("@"),
            "name": str(extra.get("user_name") or ""),
        }
    return {}


def _kind_and_parent(tweet: dict[str, Any]) -> tuple[Kind, str]:
    references = {
        str(r.get("type")): str(r.get("id"))
        for r in tweet.get("referenced_tweets") or []
        if isinstance(r, dict)
    }
    if "retweeted" in references:
        return "repost", references["retweeted"]
    if "replied_to" in references:
        return "reply", references["replied_to"]
    if "referenced_tweets" not in tweet and str(tweet.get("text", "")).startswith("RT @"):
        return "repost", ""
    return "post", ""


def _text(tweet: dict[str, Any], entities: dict[str, Any] | None) -> str:
    """The tweet's full text (a long post's note_tweet), t.co links expanded, media links
    dropped as X shows them, HTML escapes (&amp; &lt; &gt;) undone."""
    note = tweet.get("note_tweet")
    text = str((note if isinstance(note, dict) and note else tweet).get("text", ""))
    for url in dicts((entities or as_dict(tweet.get("entities"))).get("urls")):
        short = url.get("url")
        if not isinstance(short, str) or not short:
            continue
        replacement = "" if url.get("media_key") else str(url.get("expanded_url") or short)
        text = text.replace(short, replacement)
    return html.unescape(text).strip()


def _entities(tweet: dict[str, Any]) -> dict[str, Any] | None:
    """The entities of the tweet's full text: a long post's note_tweet has its own."""
    note = tweet.get("note_tweet")
    if isinstance(note, dict) and isinstance(note.get("entities"), dict):
        note_entities: dict[str, Any] = note["entities"]
        return note_entities
    entities = tweet.get("entities")
    return entities if isinstance(entities, dict) else None


def _listed(
    tweet: dict[str, Any], entities: dict[str, Any] | None, lookup: _Includes
) -> tuple[list[str], list[str], list[str], list[str]]:
    """(hashtags, mentions, links, media) of one tweet, as the API lists them, or found in the
    text when the page was requested without entities."""
    if entities is None:
        written = html.unescape(str(tweet.get("text", "")))
        return hashtags_in(written), mentions_in(written), [], _media(tweet, lookup)
    hashtags = [str(h.get("tag", "")).lower() for h in dicts(entities.get("hashtags"))]
    mentions = [f"@{m['username']}" for m in dicts(entities.get("mentions")) if m.get("username")]
    links = [
        str(url.get("unwound_url") or url.get("expanded_url") or url.get("url"))
        for url in dicts(entities.get("urls"))
        if not url.get("media_key") and (url.get("expanded_url") or url.get("url"))
    ]
    return hashtags, mentions, links, _media(tweet, lookup)


def _media(tweet: dict[str, Any], lookup: _Includes) -> list[str]:
    attachments = tweet.get("attachments")
    if not isinstance(attachments, dict):
        return []
    media = []
    for key in as_list(attachments.get("media_keys")):
        found = lookup.media.get(str(key), {})
        media.extend(shown_files(found) or [str(key)])
    return media


def _lang(value: Any) -> str:
    # 'und' (undetermined), 'zxx' (no linguistic content), 'qme' (media only) are not languages.
    text = str(value or "")
    return "" if text in ("und", "zxx") or text.startswith("q") else text
