"""JSON objects of the X API v2 as the real API shapes them: tweets with only the requested
``tweet.fields`` (keys sorted, text HTML-escaped the way X escapes &, < and >), entities with
code-point offsets into the returned text, users, media, ``includes`` for the requested
expansions with Not Found errors for referenced tweets that were deleted, and a matcher for the
subset of the search query language the emulator understands."""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from demo_sources.dataset import Dataset, Media, Person, Tweet
from demo_sources.markup import Links

TWEET_DEFAULT = ("edit_history_tweet_ids", "id", "text")
USER_DEFAULT = ("id", "name", "username")
MEDIA_DEFAULT = ("media_key", "type")
NOT_FOUND = "https://api.twitter.com/2/problems/resource-not-found"
TCO = re.compile(r"https://t\.co/[A-Za-z0-9]+")


def x_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def fields(value: str | None) -> set[str]:
    return {f.strip() for f in (value or "").split(",") if f.strip()}


def iso_ms(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%S.000Z")


class XRenderer:
    """Turns dataset tweets and people into API objects; ``links`` resolves blog links."""

    def __init__(self, data: Dataset, links: Links) -> None:
        self.data = data
        self.links = links

    def media_url(self, media: Media) -> str:
        return self.links.url("x_api", f"/media/{media.filename}")

    def entities(self, tweet: Tweet, text: str) -> dict[str, Any]:
        result: dict[str, Any] = {}
        hashtags = [
            {"start": m.start(), "end": m.end(), "tag": m.group(1)}
            for m in re.finditer(r"(?<!\w)#(\w+)", text)
        ]
        mentions = []
        for m in re.finditer(r"(?<!\w)@(\w+)", text):
            person = self.data.person_by_x(m.group(1))
            if person:
                mentions.append(
                    {"start": m.start(), "end": m.end(), "username": person.x, "id": person.x_id}
                )
        targets = dict(tweet.links)
        urls = []
        for m in TCO.finditer(text):
            if m.group(0) in targets:
                expanded = self.links.resolve(targets[m.group(0)])
                urls.append(
                    {
                        "start": m.start(),
                        "end": m.end(),
                        "url": m.group(0),
                        "expanded_url": expanded,
                        "display_url": _display(expanded),
                    }
                )
            elif tweet.media:
                author = self.data.person(tweet.author)
                urls.append(
                    {
                        "start": m.start(),
                        "end": m.end(),
                        "url": m.group(0),
                        "expanded_url": f"https://twitter.com/{author.x}/status/{tweet.id}/photo/1",
                        "display_url": "pic.twitter.com/" + m.group(0).rsplit("/", 1)[1],
                        "media_key": tweet.media[0].key,
                    }
                )
        for key, items in (("hashtags", hashtags), ("mentions", mentions), ("urls", urls)):
            if items:
                result[key] = items
        return result

    def tweet(self, tweet: Tweet, wanted: set[str]) -> dict[str, Any]:
        author = self.data.person(tweet.author)
        text = x_escape(tweet.text)
        full: dict[str, Any] = {
            "id": tweet.id,
            "text": text,
            "edit_history_tweet_ids": list(tweet.edit_history),
            "author_id": author.x_id,
            "created_at": iso_ms(tweet.created_at),
            "conversation_id": tweet.conversation_id,
            "lang": tweet.lang,
            "possibly_sensitive": False,
            "reply_settings": "everyone",
            "edit_controls": {
                "edits_remaining": 5 - len(tweet.edit_history) + 1,
                "is_edit_eligible": not tweet.referenced,
                "editable_until": iso_ms(tweet.created_at + timedelta(minutes=30)),
            },
            "public_metrics": _metrics(tweet),
        }
        if tweet.referenced:
            full["referenced_tweets"] = [
                {"type": kind, "id": ref} for kind, ref in tweet.referenced
            ]
        if tweet.in_reply_to_user_id:
            full["in_reply_to_user_id"] = tweet.in_reply_to_user_id
        if tweet.media:
            full["attachments"] = {"media_keys": [m.key for m in tweet.media]}
        entities = self.entities(tweet, text)
        if entities:
            full["entities"] = entities
        keep = set(TWEET_DEFAULT) | wanted
        return {k: full[k] for k in sorted(full) if k in keep}

    def user(self, person: Person, wanted: set[str]) -> dict[str, Any]:
        tweets = [t for t in self.data.tweets.values() if t.author == person.key and t.visible]
        full: dict[str, Any] = {
            "id": person.x_id,
            "name": person.name,
            "username": person.x,
            "created_at": iso_ms(person.joined),
            "description": f"{person.role} bij {person.organisation}. {person.bio}",
            "location": person.organisation,
            "profile_image_url": self.links.url("x_api", f"/media/profile_{person.key}.png"),
            "protected": False,
            "verified": False,
            "url": self.links.url("blog", f"/{person.blog}/") if person.blog else "",
            "public_metrics": {
                "followers_count": 200 + len(person.name) * 37,
                "following_count": 150 + len(person.key) * 11,
                "tweet_count": len(tweets),
                "listed_count": 12,
            },
        }
        keep = set(USER_DEFAULT) | wanted
        return {k: full[k] for k in sorted(full) if k in keep}

    def media(self, media: Media, wanted: set[str]) -> dict[str, Any]:
        full: dict[str, Any] = {
            "media_key": media.key,
            "type": "photo",
            "url": self.media_url(media),
            "width": media.width,
            "height": media.height,
            "alt_text": media.alt,
        }
        if media.kind == "video":  # as X shows a video: a poster image and its variants
            stem = media.filename.rsplit(".", 1)[0]
            del full["url"]
            full.update(
                type="video",
                preview_image_url=self.media_url(media),
                duration_ms=8000,
                variants=[
                    {
                        "content_type": "application/x-mpegURL",
                        "url": self.links.url("x_api", f"/media/{stem}.m3u8"),
                    },
                    {
                        "bit_rate": 256000,
                        "content_type": "video/mp4",
                        "url": self.links.url("x_api", f"/media/{stem}_256.mp4"),
                    },
                    {
                        "bit_rate": 832000,
                        "content_type": "video/mp4",
                        "url": self.links.url("x_api", f"/media/{stem}_832.mp4"),
                    },
                ],
            )
        keep = set(MEDIA_DEFAULT) | wanted
        return {k: full[k] for k in sorted(full) if k in keep}

    def payload(self, tweets: list[Tweet], args: Callable[[str], str | None]) -> dict[str, Any]:
        """``data`` plus ``includes`` and ``errors`` for the requested expansions."""
        tweet_fields, user_fields, media_fields = (
            fields(args("tweet.fields")),
            fields(args("user.fields")),
            fields(args("media.fields")),
        )
        expansions = fields(args("expansions"))
        body: dict[str, Any] = {"data": [self.tweet(t, tweet_fields) for t in tweets]}
        users: dict[str, Person] = {}
        included: list[Tweet] = []
        errors: list[dict[str, Any]] = []
        if "referenced_tweets.id" in expansions or "referenced_tweets.id.author_id" in expansions:
            for tweet in tweets:
                for _, ref in tweet.referenced:
                    target = self.data.tweets.get(ref)
                    if target is None or target.deleted:
                        errors.append(not_found_error(ref, "tweet", "referenced_tweets.id"))
                    elif target not in included:
                        included.append(target)
        if "author_id" in expansions:
            users.update((t.author, self.data.person(t.author)) for t in tweets)
        if "referenced_tweets.id.author_id" in expansions:
            users.update((t.author, self.data.person(t.author)) for t in included)
        if "in_reply_to_user_id" in expansions:
            for tweet in tweets:
                person = self.data.person_by_x_id(tweet.in_reply_to_user_id or "")
                if person:
                    users[person.key] = person
        if "entities.mentions.username" in expansions:
            for tweet in tweets:
                for name in re.findall(r"(?<!\w)@(\w+)", tweet.text):
                    person = self.data.person_by_x(name)
                    if person:
                        users[person.key] = person
        includes: dict[str, Any] = {}
        if "attachments.media_keys" in expansions:
            media = [self.media(m, media_fields) for t in tweets for m in t.media]
            if media:
                includes["media"] = media
        if users:
            includes["users"] = [self.user(p, user_fields) for p in users.values()]
        if included:
            includes["tweets"] = [self.tweet(t, tweet_fields) for t in included]
        if includes:
            body["includes"] = includes
        if errors:
            body["errors"] = errors
        return body


def not_found_error(value: str, resource: str, parameter: str) -> dict[str, Any]:
    return {
        "value": value,
        "detail": f"Could not find {resource} with {parameter}: [{value}].",
        "title": "Not Found Error",
        "resource_type": resource,
        "parameter": parameter,
        "resource_id": value,
        "type": NOT_FOUND,
    }


def _display(url: str) -> str:
    short = re.sub(r"^https?://", "", url)
    return short if len(short) <= 26 else short[:25] + "…"


def _metrics(tweet: Tweet) -> dict[str, int]:
    seed = int(tweet.id) >> 22
    return {
        "retweet_count": seed % 7,
        "reply_count": seed % 3,
        "like_count": seed % 23,
        "quote_count": seed % 2,
        "impression_count": 100 + seed % 900,
    }


def matches_query(tweet: Tweet, author: Person, query: str) -> bool:
    """Whether ``tweet`` matches a search query: terms are ANDed, OR separates alternatives,
    ``-`` negates; supported: words, "phrases", #tag, @user, from:, to:, is:retweet|reply|quote,
    has:media|links, lang:. Parentheses are ignored."""
    try:
        terms = shlex.split(query.replace("(", " ").replace(")", " "))
    except ValueError:
        terms = query.split()
    groups: list[list[str]] = [[]]
    for term in terms:
        if term == "OR":
            groups.append([])
        else:
            groups[-1].append(term)
    return any(group and all(_term(tweet, author, term) for term in group) for group in groups)


def _term(tweet: Tweet, author: Person, term: str) -> bool:
    if term.startswith("-") and len(term) > 1:
        return not _term(tweet, author, term[1:])
    text = tweet.text.lower()
    kinds = {kind for kind, _ in tweet.referenced}
    key, _, value = term.partition(":")
    value = value.lower()
    checks: dict[str, Callable[[], bool]] = {
        "from": lambda: (author.x or "").lower() == value.lstrip("@"),
        "to": lambda: text.startswith("@" + value.lstrip("@")),
        "is": lambda: (
            {"retweet": "retweeted", "reply": "replied_to", "quote": "quoted"}.get(value, "?")
            in kinds
        ),
        "has": lambda: (
            bool(tweet.media)
            if value == "media"
            else bool(tweet.links)
            if value == "links"
            else False
        ),
        "lang": lambda: tweet.lang == value,
    }
    if value and key in checks:
        return checks[key]()
    word = term.lower()
    return re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text) is not None
