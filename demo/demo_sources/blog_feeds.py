"""RSS 2.0 and Atom 1.0 feeds for the demo blog host, byte for byte in WordPress's shape: the same
namespaces, CDATA sections, ``?p=ID`` guids, ``dc:creator``, ``slash:comments`` and ten items a
page (``?paged=N``, 404 past the last page, as WordPress does)."""

from __future__ import annotations

from datetime import datetime

from demo_sources.dataset import Blog, BlogPost, Person
from demo_sources.markup import esc

ITEMS_PER_PAGE = 10
GENERATOR_VERSION = "6.5.2"


def cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def rfc822(when: datetime) -> str:
    return when.strftime("%a, %d %b %Y %H:%M:%S +0000")


def iso(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def post_html(post: BlogPost, image_url: str | None) -> str:
    """The post body as WordPress stores and serves it (block markup, paragraphs escaped)."""
    parts = []
    if image_url:
        parts.append(
            f'<figure class="wp-block-image size-large"><img decoding="async" src="{esc(image_url)}" alt="" class="wp-image-{post.id + 5000}"/></figure>'
        )
    parts += [f"<p>{esc(p)}</p>" for p in post.paragraphs]
    if post.raw_html:
        parts.append(post.raw_html)
    return "\n".join(parts)


def excerpt(post: BlogPost) -> str:
    words = " ".join(post.paragraphs).split()
    text = " ".join(words[:55])
    return esc(text) + (" [&hellip;]" if len(words) > 55 else "")


def page_of(posts: list[BlogPost], paged: int) -> list[BlogPost] | None:
    """Posts on feed page ``paged`` (1-based); None past the last page."""
    start = (paged - 1) * ITEMS_PER_PAGE
    if paged < 1 or (start >= len(posts) and paged > 1):
        return None
    return posts[start : start + ITEMS_PER_PAGE]


def rss(
    blog: Blog,
    owner: Person,
    posts: list[BlogPost],
    base: str,
    updated: datetime,
    image_url: dict[int, str],
) -> str:
    home = f"{base}/{blog.slug}/"
    items = []
    for post in posts:
        link = base + post.path
        categories = "".join(
            f"\n\t\t<category>{cdata(c)}</category>" for c in post.categories + post.tags
        )
        items.append(
            f"""	<item>
		<title>{esc(post.title)}</title>
		<link>{link}</link>
		<comments>{link}#respond</comments>
		<dc:creator>{cdata(owner.name)}</dc:creator>
		<pubDate>{rfc822(post.published)}</pubDate>{categories}
		<guid isPermaLink="false">{home}?p={post.id}</guid>
		<description>{cdata(excerpt(post))}</description>
		<content:encoded>{cdata(post_html(post, image_url.get(post.id)))}</content:encoded>
		<wfw:commentRss>{link}feed/</wfw:commentRss>
		<slash:comments>{len(post.comments)}</slash:comments>
	</item>"""
        )
    return f"""<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"
	xmlns:content="http://purl.org/rss/1.0/modules/content/"
	xmlns:wfw="http://wellformedweb.org/CommentAPI/"
	xmlns:dc="http://purl.org/dc/elements/1.1/"
	xmlns:atom="http://www.w3.org/2005/Atom"
	xmlns:sy="http://purl.org/rss/1.0/modules/syndication/"
	xmlns:slash="http://purl.org/rss/1.0/modules/slash/"
	>

<channel>
	<title>{esc(blog.title)}</title>
	<atom:link href="{home}feed/" rel="self" type="application/rss+xml" />
	<link>{home}</link>
	<description>{esc(blog.description)}</description>
	<lastBuildDate>{rfc822(updated)}</lastBuildDate>
	<language>nl-NL</language>
	<sy:updatePeriod>
	hourly	</sy:updatePeriod>
	<sy:updateFrequency>
	1	</sy:updateFrequency>
	<generator>https://wordpress.org/?v={GENERATOR_VERSION}</generator>
{chr(10).join(items)}
	</channel>
</rss>
"""


def atom(
    blog: Blog,
    owner: Person,
    posts: list[BlogPost],
    base: str,
    updated: datetime,
    image_url: dict[int, str],
) -> str:
    home = f"{base}/{blog.slug}/"
    entries = []
    for post in posts:
        link = base + post.path
        categories = "".join(
            f'\n\t\t<category scheme="{home}" term="{esc(c)}" />'
            for c in post.categories + post.tags
        )
        entries.append(
            f"""	<entry>
		<author>
			<name>{esc(owner.name)}</name>
			<uri>{home}</uri>
		</author>

		<title type="html">{cdata(esc(post.title))}</title>
		<link rel="alternate" type="text/html" href="{link}" />

		<id>{home}?p={post.id}</id>
		<updated>{iso(post.updated)}</updated>
		<published>{iso(post.published)}</published>{categories}
		<summary type="html">{cdata(excerpt(post))}</summary>

		<content type="html" xml:base="{link}">{cdata(post_html(post, image_url.get(post.id)))}</content>

		<link rel="replies" type="text/html" href="{link}#comments" thr:count="{len(post.comments)}" />
		<link rel="replies" type="application/atom+xml" href="{link}feed/atom/" thr:count="{len(post.comments)}" />
		<thr:total>{len(post.comments)}</thr:total>
	</entry>"""
        )
    return f"""<?xml version="1.0" encoding="UTF-8"?><feed
  xmlns="http://www.w3.org/2005/Atom"
  xmlns:thr="http://purl.org/syndication/thread/1.0"
  xml:lang="nl-NL"
  >
	<title type="text">{esc(blog.title)}</title>
	<subtitle type="text">{esc(blog.description)}</subtitle>

	<updated>{iso(updated)}</updated>

	<link rel="alternate" type="text/html" href="{home}" />
	<id>{home}feed/atom/</id>
	<link rel="self" type="application/atom+xml" href="{home}feed/atom/" />

	<generator uri="https://wordpress.org/" version="{GENERATOR_VERSION}">WordPress</generator>
{chr(10).join(entries)}
</feed>
"""
