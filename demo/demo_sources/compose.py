"""Compose the demo world from the hand-written Dutch pool in ``content/`` with a fixed seed.

The same call always gives the same dataset (same ids, dates, titles and texts), so tests can
assert on it. Everything the five sites show comes from here: blogs (2008-2024), tweets
(2011-2024), toots (2022-2024), the Ning network (2008-2014) and the wiki (2008-2012), including
replies, reposts, an edited and a deleted post per platform, and a few posts carrying hostile
markup (``HOSTILE_SNIPPETS``) for XSS tests.
"""

from __future__ import annotations

import random
import re
import unicodedata
from datetime import datetime, timedelta
from functools import cache
from importlib import resources
from typing import Any

import yaml

from demo_sources.dataset import (
    Blog,
    BlogPost,
    Comment,
    Dataset,
    NingMember,
    NingPost,
    Person,
    WikiPage,
    WikiRevision,
    XList,
)
from demo_sources.social import at, compose_toots, compose_tweets, random_dates

SEED = 20082024
HOSTILE_SNIPPETS = ("<script>alert(1)</script>", '"><img src=x onerror=alert(1)>')
HOSTILE_BLOG_TITLE = f"Pas op met {HOSTILE_SNIPPETS[0]} in webformulieren"
OUTSIDERS = ["Marieke Bos", "Henk Jansen", "Ingrid Çelik", "Wim van 't Hof", "Saskia Öztürk"]
# per blog: number of posts and the first year; zoe's blog has 3 feed pages of 10
BLOG_PLAN = {"zoe": (24, 2016), "jeroen": (14, 2009), "omer": (11, 2012), "anneke": (8, 2010)}
NING_TOPICS = ["ambtenaar20", "samenwerken", "opendata", "digitaal"]
LONG_THREAD_COMMENTS = 27


@cache
def load_pool() -> dict[str, Any]:
    """The parsed content files (people and the text pool), read once per process."""
    folder = resources.files("demo_sources") / "content"
    pool: dict[str, Any] = yaml.safe_load((folder / "pool.yaml").read_text(encoding="utf-8"))
    pool["people"] = yaml.safe_load((folder / "people.yaml").read_text(encoding="utf-8"))["people"]
    return pool


def slugify(text: str) -> str:
    """WordPress-style slug: ASCII-folded, lower case, words joined by hyphens."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")


class Composer:
    """Holds the seeded random generator and id counters while the world is built."""

    def __init__(self, seed: int = SEED) -> None:
        self.rng = random.Random(seed)
        self.pool = load_pool()
        self.next_comment_id = 1001
        self.next_post_id = 101

    def sentences(self, topic: str) -> list[str]:
        return list(self.pool["topics"][topic]["sentences"])

    def paragraphs(self, topic: str, count: int) -> list[str]:
        """``count`` paragraphs of 2-3 sentences; no sentence twice in one text."""
        sizes = [self.rng.randint(2, 3) for _ in range(count)]
        pool = self.sentences(topic)
        picked = self.rng.sample(pool, k=min(len(pool), sum(sizes)))
        result = []
        for size in sizes:
            if picked:
                result.append(" ".join(picked[:size]))
                picked = picked[size:]
        return result

    def comments(
        self,
        n: int,
        after: datetime,
        authors: list[tuple[str, str | None]],
        owner: tuple[str, str | None] | None = None,
    ) -> list[Comment]:
        """``n`` comments after ``after`` by ``authors``; the owner sometimes answers the first one."""
        result: list[Comment] = []
        when = after
        for _ in range(n):
            when = when + timedelta(minutes=self.rng.randint(20, 60 * 48))
            name, key = self.rng.choice(authors)
            result.append(
                Comment(
                    self.next_comment_id, name, when, self.rng.choice(self.pool["comments"]), key
                )
            )
            self.next_comment_id += 1
        if owner and result and self.rng.random() < 0.5:
            first = result[0]
            reply = Comment(
                self.next_comment_id,
                owner[0],
                first.published + timedelta(hours=3),
                self.rng.choice(self.pool["replies"]),
                owner[1],
                parent_id=first.id,
            )
            self.next_comment_id += 1
            result.insert(1, reply)
        return result

    def commenters(self, people: dict[str, Person], exclude: str) -> list[tuple[str, str | None]]:
        known: list[tuple[str, str | None]] = [
            (p.name, p.key) for p in people.values() if p.key != exclude
        ]
        return known + [(name, None) for name in OUTSIDERS]


def compose_people(c: Composer) -> dict[str, Person]:
    people: dict[str, Person] = {}
    for raw in c.pool["people"]:
        person = Person(
            key=raw["key"],
            name=raw["name"],
            organisation=raw["organisation"],
            role=raw["role"],
            bio=raw["bio"],
            ning=raw["ning"],
            topics=list(raw["topics"]),
            blog=raw.get("blog"),
            blog_title=raw.get("blog_title"),
            x=raw.get("x"),
            mastodon=raw.get("mastodon"),
            joined=at(2008, c.rng.randint(3, 12), c.rng.randint(1, 28), c.rng.randint(8, 20)),
        )
        # X user ids of accounts from 2009-2012 have 8-10 digits
        person.x_id = str(c.rng.randrange(10**8, 10**10)) if person.x else ""
        person.mastodon_id = (
            str((int(at(2022, 11, 1).timestamp() * 1000) + c.rng.randrange(10**9)) << 16)
            if person.mastodon
            else ""
        )
        people[person.key] = person
    return people


def compose_blogs(c: Composer, people: dict[str, Person]) -> dict[str, Blog]:
    blogs: dict[str, Blog] = {}
    for key, (count, first_year) in BLOG_PLAN.items():
        person = people[key]
        assert person.blog and person.blog_title
        titles = {
            t: c.rng.sample(c.pool["topics"][t]["titles"], k=len(c.pool["topics"][t]["titles"]))
            for t in person.topics
        }
        posts: list[BlogPost] = []
        used: set[str] = set()
        for i, published in enumerate(
            random_dates(c.rng, count, at(first_year, 2), at(2024, 6, 30))
        ):
            topic = person.topics[i % len(person.topics)]
            title = titles[topic][(i // len(person.topics)) % len(titles[topic])]
            part = 2
            while title in used:
                title = f"{title.split(' (deel')[0]} (deel {part})"
                part += 1
            used.add(title)
            updated = published + timedelta(days=c.rng.randint(1, 30)) if i % 7 == 3 else published
            post = BlogPost(
                id=c.next_post_id,
                blog=person.blog,
                slug=slugify(title),
                title=title,
                author=key,
                published=published,
                updated=updated,
                paragraphs=c.paragraphs(topic, c.rng.randint(3, 5)),
                categories=[topic.capitalize()],
                tags=list(c.pool["topics"][topic]["hashtags"][:2]),
                image=f"{slugify(title)}.png" if i % 4 == 1 else None,
            )
            c.next_post_id += 1
            post.comments = c.comments(
                c.rng.randint(0, 5), published, c.commenters(people, key), (person.name, key)
            )
            posts.append(post)
        blogs[person.blog] = Blog(
            person.blog, person.blog_title, person.bio, key, posts, max(p.updated for p in posts)
        )
    blogs["anneke"].posts.append(hostile_blog_post(c, people))
    return blogs


def hostile_blog_post(c: Composer, people: dict[str, Person]) -> BlogPost:
    """A post whose title and text carry markup a careless viewer would execute."""
    published = at(2021, 3, 9, 10)
    post = BlogPost(
        id=c.next_post_id,
        blog="anneke",
        slug=slugify(HOSTILE_BLOG_TITLE),
        title=HOSTILE_BLOG_TITLE,
        author="anneke",
        published=published,
        updated=published,
        paragraphs=[
            f"Een tester vulde dit in het naamveld in: {HOSTILE_SNIPPETS[1]} en het formulier toonde het zonder meer.",
            f"Ook {HOSTILE_SNIPPETS[0]} kwam ongefilterd in de bevestigingsmail terecht. Valideer invoer altijd aan de serverkant.",
        ],
        categories=["Woo"],
        tags=["informatiebeveiliging"],
        raw_html=HOSTILE_SNIPPETS[0],
    )
    c.next_post_id += 1
    post.comments = [
        Comment(
            c.next_comment_id,
            "Henk Jansen",
            published + timedelta(hours=2),
            f"Bij ons ook: {HOSTILE_SNIPPETS[1]}",
        )
    ]
    c.next_comment_id += 1
    return post


def compose_ning(
    c: Composer, people: dict[str, Person]
) -> tuple[dict[str, NingMember], list[NingPost]]:
    members: dict[str, NingMember] = {}
    for person in people.values():
        members[person.ning] = NingMember(
            person.ning, person.name, person.organisation, person.joined, person.bio, person.key
        )
    for name in OUTSIDERS:
        profile = re.sub(
            r"[^A-Za-z]", "", unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
        )
        members[profile] = NingMember(
            profile,
            name,
            "Nederland",
            at(2009, c.rng.randint(1, 12), c.rng.randint(1, 28)),
            "Lid van het netwerk.",
        )
    names = list(members)
    authors = [(m.display_name, m.person_key) for m in members.values()]
    posts: list[NingPost] = []
    slugs: set[str] = set()

    def unique_slug(title: str) -> str:
        slug, n = slugify(title), 1
        while slug in slugs:
            slug, n = f"{slugify(title)}-{n}", n + 1
        slugs.add(slug)
        return slug

    for i, published in enumerate(random_dates(c.rng, 30, at(2008, 6), at(2014, 12))):
        topic = NING_TOPICS[i % len(NING_TOPICS)]
        title = c.pool["topics"][topic]["titles"][
            (i // len(NING_TOPICS)) % len(c.pool["topics"][topic]["titles"])
        ]
        post = NingPost(
            "blog",
            7000 + i,
            unique_slug(title),
            title,
            c.rng.choice(names),
            published,
            c.paragraphs(topic, c.rng.randint(2, 4)),
            c.rng.randint(40, 2500),
            list(c.pool["topics"][topic]["hashtags"][:2]),
        )
        post.comments = c.comments(c.rng.randint(0, 8), published, authors)
        posts.append(post)
    for i, published in enumerate(
        random_dates(c.rng, len(c.pool["discussions"]), at(2008, 9), at(2013, 12))
    ):
        title = c.pool["discussions"][i]
        topic = NING_TOPICS[i % len(NING_TOPICS)]
        post = NingPost(
            "discussion",
            8000 + i,
            unique_slug(title),
            title,
            c.rng.choice(names),
            published,
            c.paragraphs(topic, 2),
            c.rng.randint(100, 4000),
            [topic],
            category=topic.capitalize(),
        )
        post.comments = c.comments(
            LONG_THREAD_COMMENTS if i == 0 else c.rng.randint(2, 12), published, authors
        )
        posts.append(post)
    posts[-1].comments.append(
        Comment(
            c.next_comment_id,
            "Wim van 't Hof",
            posts[-1].published + timedelta(days=1),
            f"Kijk wat er gebeurt als ik dit plak: {HOSTILE_SNIPPETS[0]}",
        )
    )
    c.next_comment_id += 1
    return members, posts


def compose_wiki(c: Composer, people: dict[str, Person]) -> list[WikiPage]:
    editors = [people[k].name for k in ("sjoerd", "fatima", "bram", "keesjan", "jeroen")]
    pages: list[WikiPage] = []
    for i, raw in enumerate(c.pool["wiki"]):
        created = at(2008, 4) + timedelta(days=c.rng.randint(0, 700))
        edits = random_dates(
            c.rng, c.rng.randint(1, 6), created, created + timedelta(days=c.rng.randint(30, 1200))
        )
        revisions = [WikiRevision(c.rng.choice(editors), created)] + [
            WikiRevision(c.rng.choice(editors), when) for when in edits
        ]
        paragraphs = [" ".join(raw["sentences"])] + c.paragraphs(
            ("samenwerken", "ambtenaar20")[i % 2], 2
        )
        page = WikiPage(
            21460000 + c.rng.randrange(10**5) * 10 + i,
            raw["title"],
            paragraphs,
            revisions,
            tags=["ambtenaar20"],
        )
        page.comments = c.comments(
            c.rng.randint(0, 4), created, [(n, None) for n in editors + OUTSIDERS]
        )
        pages.append(page)
    pages[5].comments.append(
        Comment(
            c.next_comment_id,
            "Saskia Öztürk",
            pages[5].revisions[0].at + timedelta(days=2),
            f"Test van de wiki-editor: {HOSTILE_SNIPPETS[1]}",
        )
    )
    c.next_comment_id += 1
    return pages


def compose_dataset(seed: int = SEED) -> Dataset:
    """Build a fresh, mutable demo world; the same seed always gives the same world."""
    c = Composer(seed)
    people = compose_people(c)
    blogs = compose_blogs(c, people)
    tweets = compose_tweets(c.rng, c.pool, people, blogs)
    x_members = [p.key for p in people.values() if p.x]
    x_lists = {
        "1460392296822812685": XList("1460392296822812685", "Ambtenaar 2.0", "fatima", x_members)
    }
    toots = compose_toots(c.rng, c.pool, people, blogs)
    members, ning_posts = compose_ning(c, people)
    wiki_pages = compose_wiki(c, people)
    latest = {
        "blog": max(b.changed_at for b in blogs.values()),
        "ning": max(max([p.published] + [m.published for m in p.comments]) for p in ning_posts),
        "wiki": max(p.last_edit.at for p in wiki_pages),
        "x_api": max(t.created_at for t in tweets.values()),
        "mastodon": max(t.created_at for t in toots.values()),
    }
    return Dataset(people, blogs, tweets, x_lists, toots, members, ning_posts, wiki_pages, latest)
