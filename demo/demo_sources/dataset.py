"""The demo world as typed values: people and everything they published on the five demo sites.

One ``Dataset`` is shared by all servers, so the same civil servant has a blog, an X handle, a
Mastodon account and a Ning profile. Servers render responses from it on every request, which
is why mutations (add, edit, delete) are visible on the next request. All mutation and rendering
happens under ``Dataset.lock``; ``changed_at`` per site feeds the Last-Modified headers.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import quote


def utcnow() -> datetime:
    """Now, in UTC, to the second (HTTP dates have no fractions)."""
    return datetime.now(UTC).replace(microsecond=0)


@dataclass
class Person:
    key: str
    name: str
    organisation: str
    role: str
    bio: str
    ning: str
    topics: list[str]
    blog: str | None = None
    blog_title: str | None = None
    x: str | None = None
    x_id: str = ""
    mastodon: str | None = None
    mastodon_id: str = ""
    joined: datetime = field(default_factory=utcnow)


@dataclass
class Comment:
    id: int
    author: str
    published: datetime
    text: str
    author_key: str | None = None
    parent_id: int | None = None


@dataclass
class BlogPost:
    id: int
    blog: str
    slug: str
    title: str
    author: str
    published: datetime
    updated: datetime
    paragraphs: list[str]
    categories: list[str]
    tags: list[str]
    comments: list[Comment] = field(default_factory=list)
    image: str | None = None
    raw_html: str = ""
    deleted: bool = False

    @property
    def path(self) -> str:
        return f"/{self.blog}/{self.published:%Y/%m}/{self.slug}/"

    @property
    def image_path(self) -> str | None:
        if not self.image:
            return None
        return f"/{self.blog}/wp-content/uploads/{self.published:%Y/%m}/{self.image}"


@dataclass
class Blog:
    slug: str
    title: str
    description: str
    owner: str
    posts: list[BlogPost]
    changed_at: datetime

    def live_posts(self) -> list[BlogPost]:
        """Posts a reader sees, newest first."""
        posts = [p for p in self.posts if not p.deleted]
        return sorted(posts, key=lambda p: (p.published, p.id), reverse=True)


@dataclass
class Media:
    key: str
    filename: str
    width: int
    height: int
    alt: str
    kind: str = "photo"
    """'photo', or 'video': then ``filename`` is its poster image and MP4 variants exist."""


@dataclass
class Tweet:
    id: str
    author: str
    created_at: datetime
    text: str
    conversation_id: str
    referenced: list[tuple[str, str]] = field(default_factory=list)
    in_reply_to_user_id: str | None = None
    links: list[tuple[str, str]] = field(default_factory=list)
    media: list[Media] = field(default_factory=list)
    edit_history: list[str] = field(default_factory=list)
    superseded: bool = False
    deleted: bool = False
    lang: str = "nl"

    def __post_init__(self) -> None:
        if not self.edit_history:
            self.edit_history = [self.id]

    @property
    def visible(self) -> bool:
        """Shown in timelines and search: not deleted and not replaced by a newer edit."""
        return not self.deleted and not self.superseded


@dataclass
class XList:
    id: str
    name: str
    owner: str
    members: list[str]


@dataclass
class Toot:
    id: str
    author: str
    created_at: datetime
    text: str
    in_reply_to_id: str | None = None
    reblog_of: str | None = None
    edited_at: datetime | None = None
    media: list[Media] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)
    deleted: bool = False
    language: str = "nl"
    earlier: list[tuple[datetime, str]] = field(default_factory=list)
    """Earlier wordings, oldest first, with when each was made (the edit history)."""


@dataclass
class NingMember:
    name: str
    display_name: str
    location: str
    joined: datetime
    about: str
    person_key: str | None = None

    @property
    def path(self) -> str:
        return f"/profile/{self.name}"


@dataclass
class NingPost:
    kind: str
    id: int
    slug: str
    title: str
    author: str
    published: datetime
    paragraphs: list[str]
    views: int
    tags: list[str]
    comments: list[Comment] = field(default_factory=list)
    category: str = ""
    deleted: bool = False

    @property
    def path(self) -> str:
        base = "/profiles/blogs/" if self.kind == "blog" else "/forum/topics/"
        return base + self.slug


@dataclass
class WikiRevision:
    editor: str
    at: datetime


@dataclass
class WikiPage:
    id: int
    title: str
    paragraphs: list[str]
    revisions: list[WikiRevision]
    comments: list[Comment] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)

    @property
    def path(self) -> str:
        return f"/w/page/{self.id}/{quote(self.title)}"

    @property
    def last_edit(self) -> WikiRevision:
        return self.revisions[-1]


@dataclass
class Dataset:
    """Everything the five sites publish. ``changed_at`` holds the last mutation per site."""

    people: dict[str, Person]
    blogs: dict[str, Blog]
    tweets: dict[str, Tweet]
    x_lists: dict[str, XList]
    toots: dict[str, Toot]
    ning_members: dict[str, NingMember]
    ning_posts: list[NingPost]
    wiki_pages: list[WikiPage]
    changed_at: dict[str, datetime]
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False, compare=False)

    def person(self, key: str) -> Person:
        return self.people[key]

    def person_by_x(self, username: str) -> Person | None:
        wanted = username.lower()
        return next((p for p in self.people.values() if p.x and p.x.lower() == wanted), None)

    def person_by_x_id(self, user_id: str) -> Person | None:
        return next((p for p in self.people.values() if p.x and p.x_id == user_id), None)

    def person_by_mastodon(self, username: str) -> Person | None:
        wanted = username.lower()
        return next(
            (p for p in self.people.values() if p.mastodon and p.mastodon.lower() == wanted), None
        )

    def person_by_mastodon_id(self, account_id: str) -> Person | None:
        return next(
            (p for p in self.people.values() if p.mastodon and p.mastodon_id == account_id), None
        )

    def visible_tweets(self) -> list[Tweet]:
        """Tweets that timelines show, newest first (ids are snowflakes, so id order is time order)."""
        return sorted(
            (t for t in self.tweets.values() if t.visible), key=lambda t: int(t.id), reverse=True
        )

    def visible_toots(self) -> list[Toot]:
        return sorted(
            (t for t in self.toots.values() if not t.deleted), key=lambda t: int(t.id), reverse=True
        )

    def ning_live(self, kind: str) -> list[NingPost]:
        posts = [p for p in self.ning_posts if p.kind == kind and not p.deleted]
        return sorted(posts, key=lambda p: (p.published, p.id), reverse=True)

    def touch(self, site: str) -> None:
        """Record that ``site`` changed now, so its Last-Modified headers move on."""
        self.changed_at[site] = utcnow()

    def counts(self) -> dict[str, int]:
        """How many items each site shows now; handy for tests and the demo banner."""
        return {
            "blog_posts": sum(len(b.live_posts()) for b in self.blogs.values()),
            "blog_comments": sum(
                len(p.comments) for b in self.blogs.values() for p in b.live_posts()
            ),
            "tweets": len(self.visible_tweets()),
            "toots": len(self.visible_toots()),
            "ning_blog_posts": len(self.ning_live("blog")),
            "ning_discussions": len(self.ning_live("discussion")),
            "ning_comments": sum(len(p.comments) for p in self.ning_posts if not p.deleted),
            "ning_members": len(self.ning_members),
            "wiki_pages": len(self.wiki_pages),
        }
