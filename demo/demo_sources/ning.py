"""A Ning-style community site, modelled on the Dutch "Ambtenaar 2.0" network (2008-2014).

Pages: home ``/``, blog posts ``/profiles/blogs/<slug>``, forum discussions
``/forum/topics/<slug>``, member profiles ``/profile/<name>``, and list pages with ``?page=N``
(``/profiles/blog/list``, ``/forum/topic/list``, ``/profiles/members/``). Long comment threads
are paged ten at a time with ``?page=N#comments``; ``?commentId=<ning id>`` opens the page that
holds that comment. Like Ning, pages are dynamic: no ETag or Last-Modified, so every re-crawl
gets a page whole and sees it as it is now. The markup a site profile targets is listed in the
package docstring.

Test controls: ``add_post``, ``add_comment``, ``delete_post``; ``remove_comment`` takes a comment
off its page (the count drops, later comments move up a page) and ``restore_comment`` puts it
back where it was. (To make pages fail or stall, see ``DemoServer.misbehave``.)
"""

from __future__ import annotations

import math
import re
from datetime import timedelta
from urllib.parse import urlencode

from demo_sources.compose import slugify
from demo_sources.dataset import Comment, Dataset, NingPost, utcnow
from demo_sources.httpbase import Handler, Request, Response, html, route
from demo_sources.markup import Links, esc, local, ning_date

NETWORK_ID = "6690995"
PER_PAGE = 10
ROBOTS_TXT = "User-agent: *\nDisallow: /main/search/\nDisallow: /main/authorization/\n"


class NingApp:
    server_header = "Apache"

    def __init__(self, data: Dataset, links: Links) -> None:
        self.data = data
        self.links = links
        self.removed: dict[int, tuple[str, Comment]] = {}
        """Comments ``remove_comment`` took off their page, by id, with their post's slug."""
        self.routes: list[tuple[re.Pattern[str], Handler]] = [
            (re.compile(r"/"), self.home),
            (
                re.compile(r"/robots\.txt"),
                lambda r: Response(200, ROBOTS_TXT.encode(), "text/plain; charset=utf-8"),
            ),
            (re.compile(r"/profiles/blog/list"), lambda r: self.listing(r, "blog")),
            (re.compile(r"/forum/topic/list"), lambda r: self.listing(r, "discussion")),
            (re.compile(r"/profiles/members/?"), self.members),
            (
                re.compile(r"/profiles/blogs/(?P<slug>[a-z0-9-]+)"),
                lambda r, slug: self.post(r, "blog", slug),
            ),
            (
                re.compile(r"/forum/topics/(?P<slug>[a-z0-9-]+)"),
                lambda r, slug: self.post(r, "discussion", slug),
            ),
            (re.compile(r"/profile/(?P<name>[A-Za-z0-9]+)"), self.profile),
        ]

    def handle(self, request: Request) -> Response:
        with self.data.lock:
            response = route(self.routes, request) or self.page(
                "Pagina niet gevonden", "<p>Deze pagina bestaat niet (meer).</p>", 404
            )
        response.headers += [("Cache-Control", "no-cache"), ("X-Ning-RequestId", "demo")]
        return response

    def base(self) -> str:
        return self.links.url("ning", "")

    def page(self, title: str, body: str, status: int = 200) -> Response:
        text = (
            f'<!DOCTYPE html>\n<html lang="nl">\n<head>\n<meta charset="utf-8">\n<title>{esc(title)} - Ambtenaar 2.0</title>\n</head>\n'
            f'<body class="xg_theme">\n<div id="xg" class="xg_widget">\n<div id="xg_head"><a class="xg_network_name" href="{self.base()}/">Ambtenaar 2.0</a>\n'
            f'<ul id="xg_navigation"><li><a href="{self.base()}/profiles/blog/list">Blogs</a></li><li><a href="{self.base()}/forum/topic/list">Forum</a></li>'
            f'<li><a href="{self.base()}/profiles/members/">Leden</a></li></ul></div>\n<div id="xg_body">\n{body}\n</div>\n'
            f'<div id="xg_foot">&copy; 2014 Ambtenaar 2.0 &nbsp; Powered by Ning</div>\n</div>\n</body>\n</html>\n'
        )
        return html(text, status)

    def profile_link(self, name: str, css: str = "fn url") -> str:
        member = self.data.ning_members.get(name) or next(
            (m for m in self.data.ning_members.values() if m.display_name == name), None
        )
        if not member:
            return f'<span class="fn">{esc(name)}</span>'
        return f'<a class="{css}" href="{self.base()}{member.path}">{esc(member.display_name)}</a>'

    def item(self, post: NingPost) -> str:
        return (
            f'<li class="xg_list_item" id="{NETWORK_ID}:{"BlogPost" if post.kind == "blog" else "Topic"}:{post.id}"><h3><a class="title" href="{self.base()}{post.path}">{esc(post.title)}</a></h3>'
            f'<p class="byline">Door {self.profile_link(post.author)} op <span class="timestamp" title="{local(post.published).isoformat()}">{ning_date(post.published)}</span></p>'
            f'<p class="small"><span class="comment-count">{len(post.comments)} reacties</span> &middot; <span class="view-count">Weergaven: {post.views}</span></p></li>'
        )

    def pagination(
        self,
        path: str,
        page: int,
        pages: int,
        extra: dict[str, str] | None = None,
        anchor: str = "",
    ) -> str:
        if pages <= 1:
            return ""
        links = []
        if page > 1:
            links.append(
                f'<li><a class="pagination-prev" href="{self.base()}{path}?{urlencode((extra or {}) | {"page": page - 1})}{anchor}">&lsaquo; Vorige</a></li>'
            )
        links.append(f'<li><span class="pagination-current">{page}</span> van {pages}</li>')
        if page < pages:
            links.append(
                f'<li><a class="pagination-next" href="{self.base()}{path}?{urlencode((extra or {}) | {"page": page + 1})}{anchor}">Volgende &rsaquo;</a></li>'
            )
        return f'<ul class="pagination easyclear">{"".join(links)}</ul>'

    def home(self, request: Request) -> Response:
        blogs = "".join(self.item(p) for p in self.data.ning_live("blog")[:5])
        topics = "".join(self.item(p) for p in self.data.ning_live("discussion")[:5])
        body = (
            f'<div class="xg_module module_welcome"><h1>Welkom bij Ambtenaar 2.0</h1><p>Het netwerk voor ambtenaren die het werk anders willen doen.</p></div>\n'
            f'<div class="xg_module module_blog"><div class="xg_module_head"><h2>Laatste blogberichten</h2></div><ul class="xg_list">{blogs}</ul>'
            f'<p><a href="{self.base()}/profiles/blog/list">Alle blogberichten</a></p></div>\n'
            f'<div class="xg_module module_forum"><div class="xg_module_head"><h2>Forum</h2></div><ul class="xg_list">{topics}</ul>'
            f'<p><a href="{self.base()}/forum/topic/list">Alle discussies</a></p></div>'
        )
        return self.page("Ambtenaar 2.0", body)

    def _page_number(self, request: Request, pages: int) -> int | None:
        raw = request.arg("page") or "1"
        number = int(raw) if raw.isdigit() else 0
        return number if 1 <= number <= max(pages, 1) else None

    def listing(self, request: Request, kind: str) -> Response:
        posts = self.data.ning_live(kind)
        pages = math.ceil(len(posts) / PER_PAGE)
        number = self._page_number(request, pages)
        if number is None:
            return self.page("Pagina niet gevonden", "<p>Deze pagina bestaat niet.</p>", 404)
        chosen = posts[(number - 1) * PER_PAGE : number * PER_PAGE]
        title = "Blogberichten" if kind == "blog" else "Forum"
        path = "/profiles/blog/list" if kind == "blog" else "/forum/topic/list"
        items = "".join(self.item(p) for p in chosen)
        body = f'<div class="xg_module xg_module_list {"xg_blog_list" if kind == "blog" else "xg_forum_list"}"><div class="xg_module_head"><h1>{title}</h1></div><ul class="xg_list">{items}</ul>{self.pagination(path, number, pages)}</div>'
        return self.page(title, body)

    def members(self, request: Request) -> Response:
        members = sorted(self.data.ning_members.values(), key=lambda m: m.display_name)
        pages = math.ceil(len(members) / PER_PAGE)
        number = self._page_number(request, pages)
        if number is None:
            return self.page("Pagina niet gevonden", "<p>Deze pagina bestaat niet.</p>", 404)
        items = "".join(
            f'<li class="member vcard"><a class="fn url" href="{self.base()}{m.path}">{esc(m.display_name)}</a> <span class="org">{esc(m.location)}</span></li>'
            for m in members[(number - 1) * PER_PAGE : number * PER_PAGE]
        )
        return self.page(
            "Leden",
            f'<div class="xg_module xg_member_list"><div class="xg_module_head"><h1>Leden</h1></div><ul class="xg_list">{items}</ul>{self.pagination("/profiles/members/", number, pages)}</div>',
        )

    def profile(self, request: Request, name: str) -> Response:
        member = self.data.ning_members.get(name)
        if not member:
            return self.page("Pagina niet gevonden", "<p>Dit lid bestaat niet.</p>", 404)
        posts = "".join(
            self.item(p) for p in self.data.ning_posts if p.author == name and not p.deleted
        )
        body = (
            f'<div class="xg_module xg_profile vcard" id="profile-{esc(member.name)}"><div class="xg_module_head"><h1 class="fn">{esc(member.display_name)}</h1></div>\n'
            f'<div class="xg_module_body"><dl class="profile-details"><dt>Organisatie</dt><dd class="org">{esc(member.location)}</dd>'
            f'<dt>Lid sinds</dt><dd class="member-since"><span class="timestamp" title="{local(member.joined).isoformat()}">{ning_date(member.joined)}</span></dd>'
            f'<dt>Over mij</dt><dd class="about">{esc(member.about)}</dd></dl></div></div>\n'
            f'<div class="xg_module xg_profile_posts"><div class="xg_module_head"><h2>Bijdragen van {esc(member.display_name)}</h2></div><ul class="xg_list">{posts}</ul></div>'
        )
        return self.page(member.display_name, body)

    def post(self, request: Request, kind: str, slug: str) -> Response:
        post = next(
            (
                p
                for p in self.data.ning_posts
                if p.kind == kind and p.slug == slug and not p.deleted
            ),
            None,
        )
        if not post:
            return self.page(
                "Pagina niet gevonden", "<p>Dit bericht is verwijderd of bestaat niet.</p>", 404
            )
        pages = max(math.ceil(len(post.comments) / PER_PAGE), 1)
        wanted = request.arg("commentId")
        if wanted:
            index = next(
                (
                    i
                    for i, c in enumerate(post.comments)
                    if f"{NETWORK_ID}:Comment:{c.id}" == wanted
                ),
                None,
            )
            number: int | None = index // PER_PAGE + 1 if index is not None else 1
        else:
            number = self._page_number(request, pages)
        if number is None:
            return self.page("Pagina niet gevonden", "<p>Deze pagina bestaat niet.</p>", 404)
        css = "xg_blog xg_blog_detail" if kind == "blog" else "xg_forum xg_forum_detail"
        label = "BlogPost" if kind == "blog" else "Topic"
        tags = ", ".join(
            f'<a rel="tag" href="{self.base()}/profiles/blog/list?tag={esc(t)}">{esc(t)}</a>'
            for t in post.tags
        )
        category = (
            f'<p class="small category">Categorie: <span class="category-name">{esc(post.category)}</span></p>'
            if post.category
            else ""
        )
        paragraphs = "".join(f"<p>{esc(p)}</p>" for p in post.paragraphs)
        comments = "".join(
            self.comment(c) for c in post.comments[(number - 1) * PER_PAGE : number * PER_PAGE]
        )
        body = (
            f'<div class="xg_module {css}" id="{NETWORK_ID}:{label}:{post.id}">\n<div class="xg_module_head"><h1 class="entry-title">{esc(post.title)}</h1></div>\n'
            f'<div class="xg_module_body">\n<p class="byline">Geplaatst door {self.profile_link(post.author, "author fn url")} op '
            f'<span class="published timestamp" title="{local(post.published).isoformat()}">{ning_date(post.published)}</span></p>\n'
            f'<div class="postbody entry-content xg_user_generated">{paragraphs}</div>\n{category}<p class="small tags">Tags: {tags}</p>\n'
            f'<p class="small view-count">Weergaven: {post.views}</p>\n</div>\n</div>\n'
            f'<div class="xg_module xg_module_comment_wall" id="comments">\n<div class="xg_module_head"><h2>Reacties (<span class="comment-count">{len(post.comments)}</span>)</h2></div>\n'
            f'<div class="xg_module_body">\n{comments}{self.pagination(post.path, number, pages, anchor="#comments")}</div>\n</div>'
        )
        return self.page(post.title, body)

    def comment(self, comment: Comment) -> str:
        return (
            f'<dl class="comment vcard xg_lightborder" id="{NETWORK_ID}:Comment:{comment.id}">\n'
            f'<dt>Reactie van {self.profile_link(comment.author)} op <span class="timestamp" title="{local(comment.published).isoformat()}">{ning_date(comment.published)}</span></dt>\n'
            f'<dd><div class="comment-body xg_user_generated"><p>{esc(comment.text)}</p></div></dd>\n</dl>\n'
        )

    # --- test controls -----------------------------------------------------------------------

    def add_post(self, kind: str, title: str, paragraphs: list[str], author: str) -> NingPost:
        """Publish a blog post (``kind='blog'``) or discussion as member profile ``author``."""
        with self.data.lock:
            post = NingPost(
                kind,
                max(p.id for p in self.data.ning_posts) + 1,
                slugify(title),
                title,
                author,
                utcnow(),
                list(paragraphs),
                0,
                [],
            )
            self.data.ning_posts.append(post)
            self.data.touch("ning")
            return post

    def add_comment(self, slug: str, author: str, text: str) -> Comment:
        with self.data.lock:
            post = next(p for p in self.data.ning_posts if p.slug == slug and not p.deleted)
            last = max([post.published] + [c.published for c in post.comments])
            comment = Comment(
                max(c.id for p in self.data.ning_posts for c in p.comments) + 1,
                author,
                max(utcnow(), last + timedelta(minutes=1)),
                text,
            )
            post.comments.append(comment)
            self.data.touch("ning")
            return comment

    def delete_post(self, slug: str) -> NingPost:
        with self.data.lock:
            post = next(p for p in self.data.ning_posts if p.slug == slug and not p.deleted)
            post.deleted = True
            self.data.touch("ning")
            return post

    def remove_comment(self, slug: str, comment_id: int) -> Comment:
        """Take comment ``comment_id`` off post ``slug``'s page, as its author or a moderator
        would: the comment count drops and the comments after it move up."""
        with self.data.lock:
            post = next(p for p in self.data.ning_posts if p.slug == slug and not p.deleted)
            comment = next(c for c in post.comments if c.id == comment_id)
            post.comments.remove(comment)
            self.removed[comment.id] = (slug, comment)
            self.data.touch("ning")
            return comment

    def restore_comment(self, comment_id: int) -> Comment:
        """Put a removed comment back in its place (comments are in the order they were made)."""
        with self.data.lock:
            slug, comment = self.removed.pop(comment_id)
            post = next(p for p in self.data.ning_posts if p.slug == slug and not p.deleted)
            post.comments.append(comment)
            post.comments.sort(key=lambda c: (c.published, c.id))
            self.data.touch("ning")
            return comment
