"""``DemoSources``: start the six demo sites on loopback, each on its own port, over one fresh
dataset, and describe them as an archiveren sources config.

``ports=None`` binds free ports (tests); ``ports={"blog": 8101, ...}`` fixes them (the demo
command). Servers run in daemon threads and start in a few milliseconds; leaving the ``with``
block stops them and frees the ports.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from types import TracebackType
from typing import Self

import yaml

from demo_sources.blog import BlogApp
from demo_sources.compose import compose_dataset
from demo_sources.dataset import Dataset
from demo_sources.httpbase import App, DemoServer, LoggedRequest
from demo_sources.markup import Links
from demo_sources.mastodon import MastodonApp
from demo_sources.ning import NingApp
from demo_sources.pleio import PleioApp
from demo_sources.tsa import LocalTsa
from demo_sources.wiki import WikiApp
from demo_sources.x_api import XApiApp
from foundation.errors import ConfigError

SITES = ("blog", "ning", "wiki", "x_api", "mastodon", "pleio")
DEFAULT_PORTS = {
    "blog": 8101,
    "ning": 8102,
    "wiki": 8103,
    "x_api": 8104,
    "mastodon": 8105,
    "pleio": 8106,
}
X_TOKEN_ENV = "ARCHIVEREN_DEMO_X_TOKEN"
X_QUERY = "#ambtenaar20"
MASTODON_HASHTAG = "ambtenaar20"
X_LIST_ID = "1460392296822812685"


class DemoSources:
    """The internet in a box. Use as a context manager; see the package docstring for the API."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        ports: dict[str, int] | None = None,
        bearer_token: str | None = None,
        tsa_dir: Path | None = None,
    ) -> None:
        unknown = set(ports or {}) - set(SITES) - {"tsa"}
        if unknown:
            raise ConfigError(
                f"demo sources: unknown site name(s) {sorted(unknown)} in ports; use {', '.join(SITES)}"
            )
        self.host = host
        self.content: Dataset = compose_dataset()
        self.links = Links()
        self.blog = BlogApp(self.content, self.links)
        self.ning = NingApp(self.content, self.links)
        self.wiki = WikiApp(self.content, self.links)
        self.x = XApiApp(
            self.content, self.links, bearer_token or "demo-bearer-token-" + secrets.token_hex(8)
        )
        self.mastodon = MastodonApp(self.content, self.links)
        self.pleio = PleioApp(self.content, self.links)
        self._apps: dict[str, App] = {
            "blog": self.blog,
            "ning": self.ning,
            "wiki": self.wiki,
            "x_api": self.x,
            "mastodon": self.mastodon,
            "pleio": self.pleio,
        }
        self._ports = ports or {}
        self.servers: dict[str, DemoServer] = {}
        self.tsa: LocalTsa | None = (
            LocalTsa(tsa_dir, port=self._ports.get("tsa", 0)) if tsa_dir is not None else None
        )
        """With ``tsa_dir``, a local time-stamping authority that the config names."""

    def start(self) -> Self:
        try:
            for site in SITES:
                self.servers[site] = DemoServer(
                    site, self._apps[site], self.host, self._ports.get(site, 0)
                )
        except OSError as exc:
            self.stop()
            raise ConfigError(
                f"demo sources: cannot listen on {self.host} for {site!r} (port {self._ports.get(site, 0)}): {exc}; free the port or choose others"
            ) from None
        for site, server in self.servers.items():
            self.links.bases[site] = server.base_url
            server.start()
        if self.tsa is not None:
            try:
                self.tsa.start()
            except ConfigError:
                self.stop()
                raise
        return self

    def stop(self) -> None:
        for server in self.servers.values():
            server.stop()
        self.servers.clear()
        if self.tsa is not None:
            self.tsa.stop()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def urls(self) -> dict[str, str]:
        """Base URL (with trailing slash) of each site: blog, ning, wiki, x_api, mastodon, pleio."""
        return {site: server.base_url for site, server in self.servers.items()}

    @property
    def x_bearer_token(self) -> str:
        return self.x.bearer_token

    @property
    def request_log(self) -> dict[str, list[LoggedRequest]]:
        """Per site, every request so far as (method, path, status, headers)."""
        return {site: server.request_log for site, server in self.servers.items()}

    def config_yaml(self, data_dir_hint: str | None = None) -> str:
        """A complete archiveren sources config naming every demo site (see config/models.py)."""
        if not self.servers:
            raise ConfigError(
                "demo sources: start them (use `with DemoSources() as demo:`) before asking for their config"
            )
        people = self.content.people
        sources: list[dict[str, object]] = []
        for index, blog in enumerate(self.content.blogs.values()):
            # the first blog is given by its site URL, so the feed must be autodiscovered
            url = (
                self.links.url("blog", f"/{blog.slug}/")
                if index == 0
                else self.links.url("blog", f"/{blog.slug}/feed/")
            )
            sources.append(
                {
                    "name": f"blog-{blog.slug}",
                    "type": "feed",
                    "organisation": people[blog.owner].organisation,
                    "url": url,
                    "backfill_depth": 5,
                }
            )
        sources.append(
            {
                "name": "x-ambtenaren",
                "type": "x",
                "organisation": "Ambtenaar 2.0",
                "api_base": self.urls["x_api"].rstrip("/"),
                "accounts": [p.x for p in people.values() if p.x],
                "lists": [X_LIST_ID],
                "queries": [X_QUERY],
                "bearer_token_env": X_TOKEN_ENV,
                "max_pages": 10,
            }
        )
        sources.append(
            {
                "name": "mastodon-overheid",
                "type": "mastodon",
                "organisation": "Rijksoverheid",
                "instance": self.urls["mastodon"].rstrip("/"),
                "accounts": [p.mastodon for p in people.values() if p.mastodon],
                "hashtags": [MASTODON_HASHTAG],
                "max_pages": 10,
            }
        )
        sources.append(
            {
                "name": "ning-ambtenaar20",
                "type": "network",
                "organisation": "Ambtenaar 2.0",
                "start_urls": [self.urls["ning"]],
                "profile": "ning",
                "max_depth": 4,
                "max_pages": 200,
            }
        )
        sources.append(
            {
                "name": "wiki-ambtenaar20",
                "type": "network",
                "organisation": "Ambtenaar 2.0",
                "start_urls": [self.links.url("wiki", "/w/pages")],
                "profile": "pbworks",
                "max_depth": 3,
                "max_pages": 100,
            }
        )
        sources.append(
            {
                "name": "pleio-ambtenaar20",
                "type": "pleio",
                "organisation": "Ambtenaar 2.0",
                "url": self.urls["pleio"],
            }
        )
        config = {
            "organisation": "Demo-overheid",
            "http": {"delay_seconds": 0, "contact": "archief@demo.example"},
            "archive": {"prefix": "demo", "operator": "archiveren demo"},
            "sources": sources,
        }
        if self.tsa is not None:
            config["evidence"] = {
                "tsa_urls": [self.tsa.url],
                "ca_files": [str(self.tsa.ca_file.resolve())],
            }
        header = "# archiveren sources for the demo sites (python -m demo_sources)\n"
        header += f"# X token: export {X_TOKEN_ENV}={self.x_bearer_token}\n"
        if data_dir_hint:
            header += f"# data directory: {data_dir_hint}\n"
        return header + yaml.safe_dump(config, sort_keys=False, allow_unicode=True)
