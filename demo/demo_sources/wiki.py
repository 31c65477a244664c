"""A PBworks-style wiki of the network (2008-2012): pages ``/w/page/<id>/<Title>``, their
revision lists ``/w/page-revisions/<id>/<Title>``, a page index ``/w/pages`` and ``FrontPage``.

Each page shows "Page history last edited by NAME 12 years, 6 months ago" (relative to now, as
PBworks does; the exact time is in the ``title`` attribute) and comments as "NAME said at 6:28 pm
on Jul 15, 2009". Pages carry Last-Modified (the last edit) and an ETag, so unchanged pages cost a
304. A wrong title in the URL redirects to the page's canonical address.
"""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import unquote

from demo_sources.dataset import Comment, Dataset, WikiPage, WikiRevision, utcnow
from demo_sources.httpbase import (
    Handler,
    Request,
    Response,
    conditional,
    html,
    redirect,
    route,
)
from demo_sources.markup import Links, ago, esc, local, pbworks_date

FRONT_PAGE_ID = 21459999
ROBOTS_TXT = "User-agent: *\nDisallow: /session/\nDisallow: /api_v2/\n"


class WikiApp:
    server_header = "Apache/2.2.22"

    def __init__(self, data: Dataset, links: Links) -> None:
        self.data = data
        self.links = links
        self.routes: list[tuple[re.Pattern[str], Handler]] = [
            (
                re.compile(r"/"),
                lambda r: redirect(self.url(f"/w/page/{FRONT_PAGE_ID}/FrontPage"), 302),
            ),
            (
                re.compile(r"/robots\.txt"),
                lambda r: Response(200, ROBOTS_TXT.encode(), "text/plain; charset=utf-8"),
            ),
            (re.compile(r"/w/pages"), self.index),
            (re.compile(rf"/w/page/{FRONT_PAGE_ID}/FrontPage"), self.front),
            (re.compile(r"/w/page/(?P<id>\d+)/(?P<title>[^/]+)"), self.page_view),
            (re.compile(r"/w/page-revisions/(?P<id>\d+)/(?P<title>[^/]+)"), self.revisions),
        ]

    def handle(self, request: Request) -> Response:
        with self.data.lock:
            return route(self.routes, request) or self.shell(
                "Page not found", '<p class="error">The page you requested does not exist.</p>', 404
            )

    def url(self, path: str) -> str:
        return self.links.url("wiki", path)

    def find(self, page_id: str) -> WikiPage | None:
        return next((p for p in self.data.wiki_pages if str(p.id) == page_id), None)

    def shell(self, title: str, body: str, status: int = 200) -> Response:
        text = (
            f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>Ambtenaar 2.0 wiki / {esc(title)}</title>\n</head>\n'
            f'<body class="pbworks">\n<div id="header"><a class="workspace-name" href="{self.url("/")}">ambtenaar20</a>'
            f' <a class="nav-pages" href="{self.url("/w/pages")}">Pages &amp; Files</a></div>\n<div id="wiki-wrapper">\n{body}\n</div>\n'
            f'<div id="footer">Powered by PBworks</div>\n</body>\n</html>\n'
        )
        return html(text, status)

    def index(self, request: Request) -> Response:
        pages = sorted(self.data.wiki_pages, key=lambda p: p.title.lower())
        rows = "".join(
            f'<tr class="page-row"><td class="page-name"><a href="{self.url(p.path)}">{esc(p.title)}</a></td>'
            f'<td class="page-editor">{esc(p.last_edit.editor)}</td><td class="page-date" title="{p.last_edit.at.isoformat()}">{ago(p.last_edit.at, utcnow())}</td></tr>'
            for p in pages
        )
        body = f'<h1 id="pagetitle" class="pagetitle">Pages</h1>\n<table id="page-index" class="page-index"><tr><th>Name</th><th>Last edited by</th><th>When</th></tr>{rows}</table>'
        return conditional(request, self.shell("Pages", body), max(p.last_edit.at for p in pages))

    def front(self, request: Request) -> Response:
        links = "".join(
            f'<li><a href="{self.url(p.path)}">{esc(p.title)}</a></li>'
            for p in self.data.wiki_pages
        )
        body = (
            f'<h1 id="pagetitle" class="pagetitle">FrontPage</h1>\n<div id="wikipage" class="wiki"><div id="wikipage-inner">'
            f"<p>Welkom op de wiki van Ambtenaar 2.0. Iedereen mag meeschrijven.</p><ul>{links}</ul></div></div>"
        )
        return conditional(
            request,
            self.shell("FrontPage", body),
            max(p.last_edit.at for p in self.data.wiki_pages),
        )

    def _canonical(
        self, page_id: str, title: str, view: str
    ) -> tuple[WikiPage | None, Response | None]:
        page = self.find(page_id)
        if not page:
            return None, self.shell(
                "Page not found", '<p class="error">The page you requested does not exist.</p>', 404
            )
        if unquote(title) != page.title:
            return None, redirect(self.url(page.path.replace("/w/page/", f"/w/{view}/")))
        return page, None

    def page_view(self, request: Request, id: str, title: str) -> Response:
        page, other = self._canonical(id, title, "page")
        if not page:
            assert other
            return other
        edit = page.last_edit
        tags = " ".join(
            f'<a class="tag" href="{self.url("/w/pages")}?tag={esc(t)}">{esc(t)}</a>'
            for t in page.tags
        )
        paragraphs = "".join(f"<p>{esc(p)}</p>" for p in page.paragraphs)
        body = (
            f'<h1 id="pagetitle" class="pagetitle">{esc(page.title)}</h1>\n'
            f'<div id="pagehistory" class="pagehistory"><a href="{self.url(page.path.replace("/w/page/", "/w/page-revisions/"))}">Page history</a> last edited by '
            f'<span class="user">{esc(edit.editor)}</span> <span class="timestamp" title="{edit.at.isoformat()}">{ago(edit.at, utcnow())}</span></div>\n'
            f'<div id="wikipage" class="wiki"><div id="wikipage-inner">{paragraphs}</div></div>\n<div id="pagetags" class="pagetags">Tags: {tags}</div>\n'
            f'<div id="comments" class="comments"><h3>Comments (<span class="comment-count">{len(page.comments)}</span>)</h3>{"".join(self.comment(c) for c in page.comments)}</div>'
        )
        modified = max([edit.at] + [c.published for c in page.comments])
        return conditional(request, self.shell(page.title, body), modified)

    def comment(self, comment: Comment) -> str:
        return (
            f'<div class="comment" id="comment-{comment.id}"><div class="comment-header"><span class="comment-author">{esc(comment.author)}</span> said '
            f'<span class="comment-date" title="{local(comment.published).isoformat()}">at {pbworks_date(comment.published)}</span></div>'
            f'<div class="comment-body"><p>{esc(comment.text)}</p></div></div>'
        )

    def revisions(self, request: Request, id: str, title: str) -> Response:
        page, other = self._canonical(id, title, "page-revisions")
        if not page:
            assert other
            return other
        rows = "".join(
            f'<li class="revision"><span class="timestamp" title="{r.at.isoformat()}">{pbworks_date(r.at)}</span> by <span class="user">{esc(r.editor)}</span></li>'
            for r in reversed(page.revisions)
        )
        body = f'<h1 id="pagetitle" class="pagetitle">{esc(page.title)}: page history</h1>\n<ol id="revisions" class="revisions">{rows}</ol>\n<p><a href="{self.url(page.path)}">Back to page</a></p>'
        return conditional(request, self.shell(f"{page.title} history", body), page.last_edit.at)

    # --- test controls -----------------------------------------------------------------------

    def edit_page(self, page_id: int, editor: str, paragraphs: list[str] | None = None) -> WikiPage:
        """Record an edit by ``editor`` now (optionally with new text): history and headers move on."""
        with self.data.lock:
            page = next(p for p in self.data.wiki_pages if p.id == page_id)
            page.revisions.append(
                WikiRevision(editor, max(utcnow(), page.last_edit.at + timedelta(seconds=1)))
            )
            if paragraphs is not None:
                page.paragraphs = list(paragraphs)
            self.data.touch("wiki")
            return page
