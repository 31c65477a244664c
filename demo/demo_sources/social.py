"""Compose the short-form posts of the demo world: tweets for the X emulator and toots for Mastodon.

Both follow the same plan: originals per account drawn from the topic pool (some linking to the
author's blog posts, some with a photo), then conversations (replies and replies to replies),
reposts, a quote (X), one edit and one deletion. Ids are snowflakes derived from the creation
time, exactly as on the real platforms, so id order is time order and ``since_id`` works.
"""

from __future__ import annotations

import itertools
import random
import string
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from demo_sources.dataset import Blog, Media, Person, Toot, Tweet

X_EPOCH_MS = 1288834974657
HOSTILE_POST = 'Testje voor het contactformulier: <script>alert(1)</script> en "><img src=x onerror=alert(1)> #ambtenaar20'


def at(year: int, month: int = 1, day: int = 1, hour: int = 12) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


def random_dates(rng: random.Random, n: int, start: datetime, end: datetime) -> list[datetime]:
    span = int((end - start).total_seconds())
    return sorted(start + timedelta(seconds=rng.randrange(span)) for _ in range(n))


def x_snowflake(when: datetime, seq: int) -> str:
    return str(((int(when.timestamp() * 1000) - X_EPOCH_MS) << 22) | (seq & 0x3FFFFF))


def mastodon_snowflake(when: datetime, seq: int) -> str:
    return str((int(when.timestamp() * 1000) << 16) | (seq & 0xFFFF))


class _TextPicker:
    """Hands out pool posts for a topic, each at most once, then falls back to sentence + hashtag."""

    def __init__(self, rng: random.Random, pool: dict[str, Any]) -> None:
        self.rng, self.pool = rng, pool
        self.left = {
            t: rng.sample(v["posts"], k=len(v["posts"])) for t, v in pool["topics"].items()
        }

    def text(self, topic: str) -> str:
        if self.left[topic]:
            post: str = self.left[topic].pop()
            return post
        info = self.pool["topics"][topic]
        return f"{self.rng.choice(info['sentences'])} #{self.rng.choice(info['hashtags'])}"


def _blog_link(
    rng: random.Random, person: Person, blogs: dict[str, Blog], when: datetime
) -> tuple[str, str] | None:
    """A blog post of ``person`` published before ``when``, as (title, 'blog:' + path)."""
    if not person.blog or rng.random() >= 0.3:
        return None
    earlier = [p for p in blogs[person.blog].posts if p.published < when and not p.deleted]
    if not earlier:
        return None
    post = rng.choice(earlier)
    return post.title, f"blog:{post.path}"


def _tco(rng: random.Random) -> str:
    return "https://t.co/" + "".join(rng.choices(string.ascii_letters + string.digits, k=10))


def _photo(key: str, rng: random.Random) -> Media:
    return Media(
        key,
        f"{key}.png",
        1200,
        675,
        rng.choice(
            ["Foto van de bijeenkomst", "Dia uit de presentatie", "Whiteboard na de sessie"]
        ),
    )


def compose_tweets(
    rng: random.Random, pool: dict[str, Any], people: dict[str, Person], blogs: dict[str, Blog]
) -> dict[str, Tweet]:
    tweets: dict[str, Tweet] = {}
    seq: Iterator[int] = itertools.count(1)
    picker = _TextPicker(rng, pool)

    def add(
        author: str, when: datetime, text: str, conversation_id: str | None = None, **kw: Any
    ) -> Tweet:
        tid = x_snowflake(when, next(seq))
        tweet = Tweet(tid, author, when, text, conversation_id or tid, **kw)
        tweets[tid] = tweet
        return tweet

    accounts = [p for p in people.values() if p.x]
    originals: list[Tweet] = []
    for person in accounts:
        start = 2011 + rng.randint(0, 2)
        for i, when in enumerate(
            random_dates(rng, rng.randint(14, 20), at(start, 3), at(2024, 6, 30))
        ):
            link = _blog_link(rng, person, blogs, when)
            if link:
                short = _tco(rng)
                tweet = add(
                    person.key, when, f"Nieuwe blog: {link[0]} {short}", links=[(short, link[1])]
                )
            else:
                tweet = add(person.key, when, picker.text(person.topics[i % len(person.topics)]))
            if rng.random() < 0.15:
                tweet.media = [_photo(f"3_{tweet.id}", rng)]
                tweet.text += " " + _tco(rng)
            originals.append(tweet)
    originals.append(add("bram", at(2019, 5, 14, 9), HOSTILE_POST))
    # the first tweet with a photo shows a video instead (no draw from rng: the rest stays put)
    with_media = next(tweet for tweet in originals if tweet.media)
    with_media.media = [replace(with_media.media[0], kind="video", alt="Video van de sessie")]

    def reply(parent: Tweet, author: Person, when: datetime) -> Tweet:
        to = people[parent.author]
        text = f"@{to.x} {rng.choice(pool['replies'])}"
        return add(
            author.key,
            when,
            text,
            parent.conversation_id,
            referenced=[("replied_to", parent.id)],
            in_reply_to_user_id=to.x_id,
        )

    targets = rng.sample(originals[:-1], k=min(36, len(originals) - 1))
    for parent in targets:
        replier = rng.choice([p for p in accounts if p.key != parent.author])
        first = reply(parent, replier, parent.created_at + timedelta(minutes=rng.randint(5, 600)))
        if rng.random() < 0.5:
            reply(
                first,
                people[parent.author],
                first.created_at + timedelta(minutes=rng.randint(3, 120)),
            )
    for original in rng.sample([t for t in originals[:-1] if t not in targets], k=10):
        source = people[original.author]
        retweeter = rng.choice([p for p in accounts if p.key != original.author])
        text = f"RT @{source.x}: {original.text}"
        text = text if len(text) <= 140 else text[:139] + "…"
        add(
            retweeter.key,
            original.created_at + timedelta(hours=rng.randint(1, 30)),
            text,
            referenced=[("retweeted", original.id)],
        )
    for original in rng.sample(originals[:-1], k=6):
        source = people[original.author]
        quoter = rng.choice([p for p in accounts if p.key != original.author])
        short = _tco(rng)
        target = f"https://twitter.com/{source.x}/status/{original.id}"
        add(
            quoter.key,
            original.created_at + timedelta(hours=rng.randint(1, 48)),
            f"{rng.choice(pool['replies'])} {short}",
            referenced=[("quoted", original.id)],
            links=[(short, target)],
        )

    edited = next(
        t
        for t in originals
        if t.author == "jeroen" and not t.media and not t.links and t not in targets
    )
    newer = add(
        edited.author,
        edited.created_at + timedelta(minutes=12),
        edited.text + " Aanvulling: de slides staan nu online.",
        edited.conversation_id,
    )
    edited.superseded = True
    edited.edit_history = newer.edit_history = [edited.id, newer.id]
    targets[3].deleted = True
    return tweets


def compose_toots(
    rng: random.Random, pool: dict[str, Any], people: dict[str, Person], blogs: dict[str, Blog]
) -> dict[str, Toot]:
    toots: dict[str, Toot] = {}
    seq: Iterator[int] = itertools.count(1)
    picker = _TextPicker(rng, pool)

    def add(author: str, when: datetime, text: str, **kw: Any) -> Toot:
        toot = Toot(mastodon_snowflake(when, next(seq)), author, when, text, **kw)
        toots[toot.id] = toot
        return toot

    accounts = [p for p in people.values() if p.mastodon]
    originals: list[Toot] = []
    for person in accounts:
        for i, when in enumerate(
            random_dates(rng, rng.randint(8, 12), at(2022, 11, 15), at(2024, 12, 15))
        ):
            link = _blog_link(rng, person, blogs, when)
            if link:
                toot = add(
                    person.key,
                    when,
                    f"Nieuw op mijn blog: {link[0]} [link:0]",
                    links=[("[link:0]", link[1])],
                )
            else:
                toot = add(person.key, when, picker.text(person.topics[i % len(person.topics)]))
            if rng.random() < 0.15:
                toot.media = [_photo(f"{toot.id}1", rng)]
            originals.append(toot)
    originals.append(add("omer", at(2023, 9, 20, 14), HOSTILE_POST))

    def reply(parent: Toot, author: Person, when: datetime) -> Toot:
        to = people[parent.author]
        return add(
            author.key,
            when,
            f"@{to.mastodon} {rng.choice(pool['replies'])}",
            in_reply_to_id=parent.id,
        )

    targets = rng.sample(originals[:-1], k=14)
    for n, parent in enumerate(targets):
        replier = rng.choice([p for p in accounts if p.key != parent.author])
        first = reply(parent, replier, parent.created_at + timedelta(minutes=rng.randint(5, 600)))
        if n % 2 == 0:
            second = reply(
                first,
                people[parent.author],
                first.created_at + timedelta(minutes=rng.randint(3, 120)),
            )
            if n % 4 == 0:
                reply(second, replier, second.created_at + timedelta(minutes=rng.randint(3, 120)))
    for original in rng.sample([t for t in originals[:-1] if t not in targets], k=6):
        booster = rng.choice([p for p in accounts if p.key != original.author])
        add(
            booster.key,
            original.created_at + timedelta(hours=rng.randint(1, 30)),
            "",
            reblog_of=original.id,
        )
    for original in [t for t in originals if not t.links and t not in targets][:2]:
        original.edited_at = original.created_at + timedelta(minutes=rng.randint(5, 90))
        original.earlier = [(original.created_at, original.text)]
        original.text += " (bewerkt: typfout hersteld)"
    targets[1].deleted = True
    return toots
