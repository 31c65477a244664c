"""What changes at the demo sources between collection rounds, so that `archiveren demo` shows
versions and tombstones after two runs: before round 2 a blog post is edited in place, a tweet
is edited through X's edit chain, a toot is edited (the instance keeps its history), and
another toot, a tweet and another blog post are deleted and a comment is removed from a Ning
discussion. Each change is made on content the
collectors look at again in round 2: the newest of its kind, or (for a deletion) content that the
page a collector reads again still reaches past, so its absence is a deletion and no roll-over."""

from __future__ import annotations

from collections.abc import Callable

from demo_sources.runner import DemoSources


def _edit_blog_post(demo: DemoSources) -> str:
    blog = next(iter(demo.content.blogs.values()))
    post = max((p for p in blog.posts if not p.deleted), key=lambda p: p.published)
    demo.blog.edit_post(
        blog.slug,
        post.slug,
        title=post.title + " (bijgewerkt)",
        paragraphs=[*post.paragraphs, "Aanvulling: de presentatie staat nu online."],
    )
    return f"blog {blog.slug}: post {post.slug!r} edited"


def _edit_tweet(demo: DemoSources) -> str:
    tweet = next(
        t
        for t in demo.content.visible_tweets()
        if len(t.edit_history) == 1 and not t.referenced and "http" not in t.text
    )
    newer = demo.x.edit_tweet(tweet.id, tweet.text + " (Correctie: donderdag, niet woensdag.)")
    return f"x: tweet {tweet.id} edited (now {newer.id}, edit chain of 2)"


def _edit_toot(demo: DemoSources) -> str:
    toot = next(
        t
        for t in demo.content.visible_toots()
        if not t.reblog_of and not t.in_reply_to_id and not t.edited_at
    )
    demo.mastodon.edit_status(toot.id, toot.text + " (Correctie: het begint om tien uur.)")
    return f"mastodon: status {toot.id} edited (history of 2)"


def _delete_toot(demo: DemoSources) -> str:
    toot = next(
        t
        for t in demo.content.visible_toots()
        if not t.reblog_of and not t.in_reply_to_id and not t.edited_at
    )
    demo.mastodon.delete_status(toot.id)
    return f"mastodon: status {toot.id} deleted"


def _delete_tweet(demo: DemoSources) -> str:
    tweet = max(
        (
            t
            for t in demo.content.visible_tweets()
            if len(t.edit_history) == 1 and not t.referenced and demo.content.person(t.author).x
        ),
        key=lambda t: t.created_at,
    )
    demo.x.delete_tweet(tweet.id)
    return f"x: tweet {tweet.id} deleted"


def _delete_blog_post(demo: DemoSources) -> str:
    """The second newest post of the first blog (its newest is the one edited): the feed still
    reaches past it, so its absence there is no roll-over; its permalink then answers 404."""
    blog = next(iter(demo.content.blogs.values()))
    posts = sorted((p for p in blog.posts if not p.deleted), key=lambda p: p.published)
    post = posts[-2]
    demo.blog.delete_post(blog.slug, post.slug)
    return f"blog {blog.slug}: post {post.slug!r} deleted"


def _remove_ning_comment(demo: DemoSources) -> str:
    discussion = next(p for p in demo.content.ning_posts if p.comments and not p.deleted)
    comment = demo.ning.remove_comment(discussion.slug, discussion.comments[0].id)
    return f"ning: comment {comment.id} removed from {discussion.slug!r}"


ROUND_CHANGES: dict[int, tuple[Callable[[DemoSources], str], ...]] = {
    2: (
        _edit_blog_post,
        _edit_tweet,
        _edit_toot,
        _delete_toot,
        _delete_tweet,
        _delete_blog_post,
        _remove_ning_comment,
    ),
}
"""Round number -> the changes made at the sources before that round is collected."""


def change_sources(demo: DemoSources, round_number: int) -> list[str]:
    """Make the changes of ``round_number`` (none for a round without any); what was done."""
    return [change(demo) for change in ROUND_CHANGES.get(round_number, ())]
