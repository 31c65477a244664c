"""The demo blog host: several civil servants' WordPress blogs under one host, as /<blog>/.

Serves the home page with feed autodiscovery, paged RSS and Atom feeds, permalink pages in
WordPress theme markup with threaded comments, uploaded images, robots.txt (``/private/`` is
disallowed and exists, so a crawler that ignores robots.txt is caught), a 301 from ``/<blog>/feed``
to ``/<blog>/feed/``, real 404s, and a theme stylesheet (with a header image it names) on
every page. ``BlogApp`` also carries the test controls (add, edit, delete and restore a post,
add a comment); every change moves the blog's Last-Modified on.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from demo_sources.blog_feeds import GENERATOR_VERSION, atom, page_of, post_html, rss
from demo_sources.compose import slugify
from demo_sources.dataset import Blog, BlogPost, Comment, Dataset, utcnow
from demo_sources.httpbase import (
    Handler,
    Request,
    Response,
    conditional,
    html,
    json_response,
    redirect,
    route,
)
from demo_sources.markup import Links, dutch_date, esc, local, png

ROBOTS_TXT = "User-agent: *\nDisallow: /private/\n"
THEME = "/wp-content/themes/ambtenaar"
THEME_CSS = """/* Theme Name: Ambtenaar (demo) */
body { font-family: Georgia, serif; margin: 0 auto; max-width: 46rem; }
.site-header { background: #f4efe6 url(header.png) no-repeat right top; padding: 1rem; }
h1.entry-title, h1.page-title { color: #8b1a1a; }
.comment-list { list-style: none; }
"""
"""The demo theme's stylesheet: the heading colour is what a full replay's test reads back."""


class BlogApp:
    server_header = "nginx/1.24.0"

    def __init__(self, data: Dataset, links: Links) -> None:
        self.data = data
        self.links = links
        b = r"(?P<blog>[a-z0-9-]+)"
        self.routes: list[tuple[re.Pattern[str], Handler]] = [
            (re.compile(r"/"), self.index),
            (re.compile(r"/robots\.txt"), self.robots),
            (re.compile(r"/private/.*"), self.private),
            (re.compile(rf"{THEME}/style\.css"), self.theme_css),
            (re.compile(rf"{THEME}/header\.png"), self.theme_image),
            (re.compile(rf"/{b}/"), self.home),
            (re.compile(rf"/{b}/page/(?P<paged>\d+)/"), self.home),
            (re.compile(rf"/{b}"), lambda r, blog: self.slash(r, f"/{blog}/")),
            (re.compile(rf"/{b}/feed"), lambda r, blog: self.slash(r, f"/{blog}/feed/")),
            (re.compile(rf"/{b}/feed/"), lambda r, blog: self.feed(r, blog, "rss")),
            (re.compile(rf"/{b}/feed/atom/"), lambda r, blog: self.feed(r, blog, "atom")),
            (re.compile(rf"/{b}/wp-json/wp/v2/comments"), self.comments_api),
            (re.compile(rf"/{b}/(?P<y>\d{{4}})/(?P<m>\d\d)/(?P<slug>[a-z0-9-]+)/"), self.post),
            (
                re.compile(rf"/{b}/(?P<y>\d{{4}})/(?P<m>\d\d)/(?P<slug>[a-z0-9-]+)"),
                lambda r, blog, y, m, slug: self.slash(r, f"/{blog}/{y}/{m}/{slug}/"),
            ),
            (
                re.compile(rf"/{b}/wp-content/uploads/\d{{4}}/\d\d/(?P<name>[a-z0-9-]+\.png)"),
                self.image,
            ),
        ]

    # --- serving -----------------------------------------------------------------------------

    def handle(self, request: Request) -> Response:
        if request.method not in ("GET", "HEAD"):
            return html(
                self.page("Methode niet toegestaan", "<p>Alleen lezen.</p>"),
                405,
                [("Allow", "GET, HEAD")],
            )
        with self.data.lock:
            return route(self.routes, request) or self.not_found()

    def base(self) -> str:
        return self.links.url("blog", "")

    def blog(self, slug: str) -> Blog | None:
        return self.data.blogs.get(slug)

    def image_urls(self, posts: list[BlogPost]) -> dict[int, str]:
        return {p.id: self.base() + p.image_path for p in posts if p.image_path}

    def last_modified(self, blog: Blog) -> datetime:
        dates = (
            [blog.changed_at]
            + [p.updated for p in blog.posts]
            + [c.published for p in blog.posts for c in p.comments]
        )
        return max(dates)

    def not_found(self) -> Response:
        return html(
            self.page(
                "Pagina niet gevonden",
                '<section class="error-404 not-found"><h1 class="page-title">Oeps! Die pagina kan niet worden gevonden.</h1></section>',
            ),
            404,
        )

    def slash(self, request: Request, path: str) -> Response:
        query = request.target.partition("?")[2]
        return redirect(self.base() + path + (f"?{query}" if query else ""))

    def robots(self, request: Request) -> Response:
        return Response(200, ROBOTS_TXT.encode(), "text/plain; charset=utf-8")

    def theme_css(self, request: Request) -> Response:
        return Response(200, THEME_CSS.encode(), "text/css; charset=utf-8")

    def theme_image(self, request: Request) -> Response:
        return Response(200, png("theme-header", 320, 40), "image/png")

    def private(self, request: Request) -> Response:
        return html(self.page("Concepten", "<p>Interne concepten, niet voor publicatie.</p>"))

    def index(self, request: Request) -> Response:
        items = "".join(
            f'<li><a href="{self.base()}/{b.slug}/">{esc(b.title)}</a></li>'
            for b in self.data.blogs.values()
        )
        return html(
            self.page(
                "Blogs van ambtenaren",
                f'<h1>Blogs van ambtenaren</h1><ul class="blog-list">{items}</ul>',
            )
        )

    def home(self, request: Request, blog: str, paged: str | None = None) -> Response:
        found = self.blog(blog)
        number = int(paged or request.arg("paged") or 1)
        posts = page_of(found.live_posts(), number) if found else None
        if not found or posts is None:
            return self.not_found()
        articles = "".join(
            f'<article id="post-{p.id}" class="post-{p.id} post type-post status-publish hentry">'
            f'<header class="entry-header"><h2 class="entry-title"><a href="{self.base()}{p.path}" rel="bookmark">{esc(p.title)}</a></h2>'
            f'<time class="entry-date published" datetime="{p.published.isoformat()}">{dutch_date(p.published)}</time></header>'
            f'<div class="entry-summary"><p>{esc(p.paragraphs[0])}</p></div></article>'
            for p in posts
        )
        nav = ""
        if number * 10 < len(found.live_posts()):
            nav += f'<a class="next page-numbers" href="{self.base()}/{blog}/page/{number + 1}/">Oudere berichten</a>'
        if number > 1:
            nav += f'<a class="prev page-numbers" href="{self.base()}/{blog}/page/{number - 1}/">Nieuwere berichten</a>'
        body = f'<main id="main" class="site-main">{articles}<nav class="navigation pagination"><div class="nav-links">{nav}</div></nav></main>'
        return conditional(
            request, html(self.page(found.title, body, found)), self.last_modified(found)
        )

    def feed(self, request: Request, blog: str, kind: str) -> Response:
        found = self.blog(blog)
        posts = page_of(found.live_posts(), int(request.arg("paged") or 1)) if found else None
        if not found or posts is None:
            return self.not_found()
        owner = self.data.person(found.owner)
        updated = self.last_modified(found)
        render = rss if kind == "rss" else atom
        text = render(found, owner, posts, self.base(), updated, self.image_urls(posts))
        content_type = (
            "application/rss+xml; charset=UTF-8"
            if kind == "rss"
            else "application/atom+xml; charset=UTF-8"
        )
        return conditional(request, Response(200, text.encode("utf-8"), content_type), updated)

    def post(self, request: Request, blog: str, y: str, m: str, slug: str) -> Response:
        found = self.blog(blog)
        live = found.live_posts() if found else []
        post = next(
            (p for p in live if p.slug == slug and f"{p.published:%Y/%m}" == f"{y}/{m}"), None
        )
        if not found or not post:
            return self.not_found()
        modified = max([post.updated] + [c.published for c in post.comments])
        return conditional(
            request,
            html(self.page(post.title, self.article(found, post, live), found, post)),
            modified,
        )

    def comments_api(self, request: Request, blog: str) -> Response:
        """``/wp-json/wp/v2/comments?post=ID``: the post's comments as WordPress's REST API
        lists them (newest first, paged, X-WP-Total and X-WP-TotalPages)."""
        found = self.blog(blog)
        wanted = request.arg("post") or ""
        post = next((p for p in (found.live_posts() if found else []) if str(p.id) == wanted), None)
        if post is None:
            return json_response(
                {
                    "code": "rest_post_invalid_id",
                    "message": "Ongeldig bericht-ID.",
                    "data": {"status": 404},
                },
                404,
            )
        per_page = max(1, min(100, int(request.arg("per_page") or "10")))
        number = max(1, int(request.arg("page") or "1"))
        ordered = sorted(post.comments, key=lambda c: c.published, reverse=True)
        shown = ordered[(number - 1) * per_page : number * per_page]
        link = self.base() + post.path
        items = [
            {
                "id": c.id,
                "post": post.id,
                "parent": c.parent_id or 0,
                "author": 0,
                "author_name": c.author,
                "author_url": "",
                "date": local(c.published).strftime("%Y-%m-%dT%H:%M:%S"),
                "date_gmt": c.published.strftime("%Y-%m-%dT%H:%M:%S"),
                "content": {"rendered": f"<p>{esc(c.text)}</p>\n"},
                "link": f"{link}#comment-{c.id}",
                "status": "approved",
                "type": "comment",
            }
            for c in shown
        ]
        pages = max(1, -(-len(ordered) // per_page))
        return json_response(
            items, 200, [("X-WP-Total", str(len(ordered))), ("X-WP-TotalPages", str(pages))]
        )

    def image(self, request: Request, blog: str, name: str) -> Response:
        found = self.blog(blog)
        if not found or not any(p.image == name and not p.deleted for p in found.posts):
            return self.not_found()
        return conditional(
            request, Response(200, png(f"{blog}/{name}"), "image/png"), found.changed_at
        )

    # --- markup ------------------------------------------------------------------------------

    def page(
        self, title: str, body: str, blog: Blog | None = None, post: BlogPost | None = None
    ) -> str:
        head = ""
        site = ""
        if blog:
            home = f"{self.base()}/{blog.slug}/"
            head = (
                f'<link rel="alternate" type="application/rss+xml" title="{esc(blog.title)} &raquo; Feed" href="{home}feed/" />\n'
                f'<link rel="alternate" type="application/atom+xml" title="{esc(blog.title)} &raquo; Atom-feed" href="{home}feed/atom/" />\n'
            )
            site = f'<header id="masthead" class="site-header"><p class="site-title"><a href="{home}" rel="home">{esc(blog.title)}</a></p><p class="site-description">{esc(blog.description)}</p></header>'
        full_title = esc(title) + (
            f" &#8211; {esc(blog.title)}" if blog and title != blog.title else ""
        )
        if post and blog:
            head += (
                f'<link rel="https://api.w.org/" href="{self.base()}/{blog.slug}/wp-json/" />\n'
                f"<link rel='shortlink' href='{self.base()}/{blog.slug}/?p={post.id}' />\n"
            )
        if post:
            head += f'<link rel="canonical" href="{self.base()}{post.path}" />\n<meta property="og:type" content="article" />\n'
            head += f'<meta property="article:published_time" content="{post.published.isoformat()}" />\n<meta property="article:modified_time" content="{post.updated.isoformat()}" />\n'
        return (
            f'<!DOCTYPE html>\n<html lang="nl-NL">\n<head>\n<meta charset="UTF-8">\n<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{full_title}</title>\n"
            f"<link rel='stylesheet' id='ambtenaar-style-css' href='{self.base()}{THEME}/style.css?ver=1.0' media='all' />\n{head}"
            f'<meta name="generator" content="WordPress {GENERATOR_VERSION}" />\n</head>\n<body class="wp-theme-twentytwentyone">\n<div id="page" class="site">{site}\n{body}\n'
            f'<footer class="site-footer"><a href="https://wordpress.org/">Ondersteund door WordPress</a></footer></div>\n</body>\n</html>\n'
        )

    def article(self, blog: Blog, post: BlogPost, live: list[BlogPost]) -> str:
        owner = self.data.person(post.author)
        link = self.base() + post.path
        image = self.base() + post.image_path if post.image_path else None
        cats = ", ".join(
            f'<a href="{self.base()}/{blog.slug}/category/{slugify(c)}/" rel="category tag">{esc(c)}</a>'
            for c in post.categories
        )
        tags = ", ".join(
            f'<a href="{self.base()}/{blog.slug}/tag/{slugify(t)}/" rel="tag">{esc(t)}</a>'
            for t in post.tags
        )
        index = live.index(post)
        nav = ""
        if index + 1 < len(live):
            nav += f'<div class="nav-previous"><a href="{self.base()}{live[index + 1].path}" rel="prev">{esc(live[index + 1].title)}</a></div>'
        if index > 0:
            nav += f'<div class="nav-next"><a href="{self.base()}{live[index - 1].path}" rel="next">{esc(live[index - 1].title)}</a></div>'
        return (
            f'<main id="main" class="site-main">\n<article id="post-{post.id}" class="post-{post.id} post type-post status-publish format-standard hentry">\n'
            f'<header class="entry-header"><h1 class="entry-title">{esc(post.title)}</h1>\n'
            f'<div class="entry-meta"><span class="posted-on"><a href="{link}" rel="bookmark">'
            f'<time class="entry-date published" datetime="{post.published.isoformat()}">{dutch_date(post.published)}</time>'
            f'<time class="updated" datetime="{post.updated.isoformat()}">{dutch_date(post.updated)}</time></a></span> '
            f'<span class="byline">door <span class="author vcard"><a class="url fn n" href="{self.base()}/{blog.slug}/author/{post.author}/">{esc(owner.name)}</a></span></span></div></header>\n'
            f'<div class="entry-content">\n{post_html(post, image)}\n</div>\n'
            f'<footer class="entry-footer"><span class="cat-links">Geplaatst in {cats}</span> <span class="tags-links">Tags: {tags}</span></footer>\n</article>\n'
            f'<nav class="navigation post-navigation"><div class="nav-links">{nav}</div></nav>\n{self.comments(post, link)}</main>'
        )

    def comments(self, post: BlogPost, link: str) -> str:
        if not post.comments:
            return '<div id="comments" class="comments-area"><div id="respond" class="comment-respond"><h3 class="comment-reply-title">Geef een reactie</h3></div></div>'

        def item(comment: Comment, depth: int) -> str:
            children = [c for c in post.comments if c.parent_id == comment.id]
            nested = (
                f'<ol class="children">{"".join(item(c, depth + 1) for c in children)}</ol>'
                if children
                else ""
            )
            t = local(comment.published)
            return (
                f'<li id="comment-{comment.id}" class="comment depth-{depth}">\n<article id="div-comment-{comment.id}" class="comment-body">\n'
                f'<footer class="comment-meta"><div class="comment-author vcard"><b class="fn">{esc(comment.author)}</b> <span class="says">schreef:</span></div>'
                f'<div class="comment-metadata"><a href="{link}#comment-{comment.id}"><time datetime="{comment.published.isoformat()}">{dutch_date(comment.published)} om {t:%H:%M}</time></a></div></footer>\n'
                f'<div class="comment-content"><p>{esc(comment.text)}</p></div>\n</article>{nested}</li>\n'
            )

        top = "".join(item(c, 1) for c in post.comments if c.parent_id is None)
        count = len(post.comments)
        heading = f"{count} reactie{'s' if count != 1 else ''} op &ldquo;{esc(post.title)}&rdquo;"
        return f'<div id="comments" class="comments-area">\n<h2 class="comments-title">{heading}</h2>\n<ol class="commentlist">\n{top}</ol>\n</div>'

    # --- test controls -----------------------------------------------------------------------

    def _bump(self, blog: Blog) -> datetime:
        """A change time strictly after the blog's last one, so Last-Modified always moves on."""
        blog.changed_at = max(utcnow(), self.last_modified(blog) + timedelta(seconds=1))
        return blog.changed_at

    def _find(self, blog: str, post: str | int) -> BlogPost:
        found = self.data.blogs[blog]
        match = next(
            (p for p in found.posts if not p.deleted and (p.slug == post or p.id == post)), None
        )
        if match is None:
            raise KeyError(f"blog {blog!r} has no live post {post!r}")
        return match

    def add_post(
        self,
        blog: str,
        title: str,
        paragraphs: list[str] | str,
        *,
        published: datetime | None = None,
        tags: list[str] | None = None,
    ) -> BlogPost:
        """Publish a new post on ``blog``; it heads the feed on the next request."""
        with self.data.lock:
            found = self.data.blogs[blog]
            when = self._bump(found)
            post = BlogPost(
                id=max(p.id for b in self.data.blogs.values() for p in b.posts) + 1,
                blog=blog,
                slug=slugify(title),
                title=title,
                author=found.owner,
                published=published or when,
                updated=published or when,
                paragraphs=[paragraphs] if isinstance(paragraphs, str) else list(paragraphs),
                categories=["Algemeen"],
                tags=list(tags or []),
            )
            found.posts.append(post)
            return post

    def edit_post(
        self,
        blog: str,
        post: str | int,
        *,
        title: str | None = None,
        paragraphs: list[str] | str | None = None,
    ) -> BlogPost:
        """Change a post's title and/or text; its updated date becomes now."""
        with self.data.lock:
            match = self._find(blog, post)
            match.updated = self._bump(self.data.blogs[blog])
            if title is not None:
                match.title = title
            if paragraphs is not None:
                match.paragraphs = [paragraphs] if isinstance(paragraphs, str) else list(paragraphs)
            return match

    def delete_post(self, blog: str, post: str | int) -> BlogPost:
        """Take a post down: it leaves the feeds and its permalink answers 404."""
        with self.data.lock:
            match = self._find(blog, post)
            match.deleted = True
            self._bump(self.data.blogs[blog])
            return match

    def restore_post(self, blog: str, post: str | int) -> BlogPost:
        """Put a deleted post back: it is in the feeds again and its permalink answers."""
        with self.data.lock:
            match = self._any(blog, post)
            match.deleted = False
            self._bump(self.data.blogs[blog])
            return match

    def _any(self, blog: str, post: str | int) -> BlogPost:
        match = next(
            (p for p in self.data.blogs[blog].posts if p.slug == post or p.id == post), None
        )
        if match is None:
            raise KeyError(f"blog {blog!r} has no post {post!r}")
        return match

    def add_comment(self, blog: str, post: str | int, author: str, text: str) -> Comment:
        with self.data.lock:
            match = self._find(blog, post)
            when = self._bump(self.data.blogs[blog])
            comment = Comment(
                max(
                    (c.id for b in self.data.blogs.values() for p in b.posts for c in p.comments),
                    default=1000,
                )
                + 1,
                author,
                when,
                text,
            )
            match.comments.append(comment)
            return comment
