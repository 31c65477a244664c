"""A tweet or toot as it was captured, shown as one card: the API answer archived for it is a
whole page of posts, so the card picks out this Post's object (by its id) and shows its author,
text, media, counts and capture; the page's JSON stays one click away, pretty-printed, with this
Post's object marked."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup, escape

from foundation.post import Post

CHOSEN = "__archiveren_chosen_post__"
COUNTS = {
    "x": (("reply_count", "replies"), ("retweet_count", "reposts"), ("like_count", "likes")),
    "mastodon": (
        ("replies_count", "replies"),
        ("reblogs_count", "reposts"),
        ("favourites_count", "likes"),
    ),
}


@dataclass(frozen=True)
class PostCard:
    native_id: str
    counts: dict[str, int] = field(default_factory=dict)
    raw: Markup = Markup("")
    """The API answer, pretty-printed, this Post's object inside <mark id="chosen-json">."""


def native_id(post: Post) -> str:
    """The platform's own id of a tweet ('x:123') or toot ('mastodon:host:456')."""
    return post.id.rsplit(":", 1)[-1]


def post_card(post: Post, payload: bytes) -> PostCard | None:
    """The card for ``post`` from the archived API answer ``payload``; None when the answer is
    not JSON or does not hold the post (then the capture is shown as it is)."""
    if post.platform not in COUNTS:
        return None
    try:
        answer = json.loads(payload)
    except (ValueError, UnicodeDecodeError):
        return None
    wanted = native_id(post)
    found = _find(answer, wanted)
    if found is None:
        return None
    chosen, path = found
    return PostCard(
        native_id=wanted, counts=_counts(post.platform, chosen), raw=_marked(answer, path)
    )


def _find(
    value: Any, wanted: str, path: tuple[Any, ...] = ()
) -> tuple[dict[str, Any], tuple[Any, ...]] | None:
    """The first object whose id is ``wanted`` and that is a post (it has text or content),
    with the path of keys and indexes that leads to it."""
    if isinstance(value, dict):
        if str(value.get("id", "")) == wanted and ("text" in value or "content" in value):
            return value, path
        children: Any = value.items()
    elif isinstance(value, list):
        children = enumerate(value)
    else:
        return None
    for key, child in children:
        found = _find(child, wanted, (*path, key))
        if found is not None:
            return found
    return None


def _counts(platform: str, chosen: dict[str, Any]) -> dict[str, int]:
    source = chosen.get("public_metrics", chosen) if platform == "x" else chosen
    if not isinstance(source, dict):
        return {}
    return {
        name: int(source[key])
        for key, name in COUNTS[platform]
        if isinstance(source.get(key), int) and not isinstance(source.get(key), bool)
    }


def _marked(answer: Any, path: tuple[Any, ...]) -> Markup:
    """The answer pretty-printed, with the object at ``path`` wrapped in a mark."""
    holder = answer
    for key in path[:-1]:
        holder = holder[key]
    chosen = holder[path[-1]] if path else answer
    if not path:
        return Markup('<mark id="chosen-json">{}</mark>').format(
            json.dumps(answer, indent=2, ensure_ascii=False)
        )
    holder[path[-1]] = CHOSEN
    try:
        text = json.dumps(answer, indent=2, ensure_ascii=False)
    finally:
        holder[path[-1]] = chosen
    before, _, after = text.partition(f'"{CHOSEN}"')
    line = before[before.rfind("\n") + 1 :]
    indent = len(line) - len(line.lstrip(" "))
    inner = json.dumps(chosen, indent=2, ensure_ascii=False).replace("\n", "\n" + " " * indent)
    return Markup('{}<mark id="chosen-json">{}</mark>{}').format(
        escape(before), escape(inner), escape(after)
    )
