"""Demo sources: an "internet in a box" on loopback for ``archiveren demo`` and every test.

Six HTTP servers over one deterministic dataset of Dutch civil servants' public work (the same
person has a blog, an X handle, a Mastodon account and a Ning profile)::

    from demo_sources import DemoSources
    with DemoSources(host="127.0.0.1", ports=None) as demo:  # ports={"blog": 8101, ...} to fix them
        demo.urls              # {"blog": "http://127.0.0.1:P/", "ning", "wiki", "x_api", "mastodon", "pleio"}
        demo.x_bearer_token    # the token the X emulator accepts
        demo.config_yaml()     # an archiveren sources config naming every site
        demo.content           # the Dataset (typed) the sites render from
        demo.blog.add_post(...); demo.blog.edit_post(...); demo.blog.delete_post(...)
        demo.x.force_rate_limit(after_requests=3, reset_in_seconds=2)
        demo.request_log       # {"blog": [LoggedRequest(method, path, status, headers), ...], ...}

Sites: ``blog`` (WordPress blogs, see ``blog``), ``ning`` (Ning community), ``wiki`` (PBworks
wiki), ``x_api`` (X API v2 emulator), ``mastodon`` (Mastodon API emulator), ``pleio`` (a Pleio
site's GraphQL API, see ``pleio``). Run them by hand
with ``python -m demo_sources --ports default`` (ports 8101-8106).

Markup a site profile can rely on (stable; change it only together with the extractors):

- Blog permalink (WordPress): ``article.post`` (id ``post-N``) > ``h1.entry-title``,
  ``time.entry-date.published[datetime]``, ``time.updated[datetime]``, ``.byline .author .fn``,
  ``div.entry-content``; comments ``ol.commentlist li.comment`` (id ``comment-N``, nested in
  ``ol.children``) > ``.comment-author .fn``, ``.comment-meta time[datetime]``,
  ``.comment-content``. Home pages carry ``<link rel="alternate" type="application/rss+xml">``.
- Ning post or discussion: ``div.xg_blog_detail`` / ``div.xg_forum_detail`` (id
  ``6690995:BlogPost:N`` / ``6690995:Topic:N``) > ``h1.entry-title``, ``p.byline a.author``
  (href ``/profile/<name>``), ``span.published[title=ISO time]``, ``div.postbody``,
  ``p.view-count`` ("Weergaven: 808"), ``p.category .category-name``, ``p.tags a[rel=tag]``;
  comments ``div#comments dl.comment`` (id ``6690995:Comment:N``) > ``dt`` ("Reactie van NAME op
  20 Februari 2014 op 15.16") with ``a.fn`` and ``span.timestamp[title=ISO time]``,
  ``dd .comment-body``; paging ``ul.pagination a.pagination-next`` / ``a.pagination-prev``.
  Lists: ``ul.xg_list li.xg_list_item h3 a.title``. Profiles: ``div.xg_profile h1.fn``,
  ``dd.org``, ``dd.member-since``, ``dd.about``.
- PBworks page: ``h1#pagetitle``, ``div#pagehistory`` ("Page history last edited by NAME 12
  years, 6 months ago") > ``span.user``, ``span.timestamp[title=ISO time]``;
  ``div#wikipage-inner``; ``div#pagetags a.tag``; comments ``div#comments div.comment`` >
  ``span.comment-author``, ``span.comment-date[title=ISO time]`` ("NAME said at 6:28 pm on Jul
  15, 2009"), ``div.comment-body``. Index: ``table#page-index td.page-name a``.

Some posts carry hostile markup (``HOSTILE_SNIPPETS``) in titles, texts and comments, escaped
as the real platforms escape it, and one WordPress post has a raw ``<script>`` in its body.
"""

from demo_sources.compose import HOSTILE_BLOG_TITLE, HOSTILE_SNIPPETS, compose_dataset
from demo_sources.dataset import Dataset
from demo_sources.httpbase import LoggedRequest
from demo_sources.runner import DEFAULT_PORTS, SITES, X_QUERY, X_TOKEN_ENV, DemoSources
from demo_sources.x_client import XEmulatorClient, point_tweepy_at

__all__ = [
    "DEFAULT_PORTS",
    "HOSTILE_BLOG_TITLE",
    "HOSTILE_SNIPPETS",
    "SITES",
    "X_QUERY",
    "X_TOKEN_ENV",
    "Dataset",
    "DemoSources",
    "LoggedRequest",
    "XEmulatorClient",
    "compose_dataset",
    "point_tweepy_at",
]
