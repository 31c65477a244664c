"""Typed settings for archiveren. Every field's description is its documentation: it feeds
``config/sources.example.yaml`` and the error messages."""

from __future__ import annotations

import re
from typing import Annotated, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.triggers.cron import CronTrigger
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

ENV_NAME = re.compile(r"^[A-Z_][A-Z0-9_]*$")


def _http_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(
            "expected an http:// or https:// URL with a host, e.g. https://example.org/"
        )
    return value


def _crontab(value: str) -> str:
    try:
        CronTrigger.from_crontab(value)
    except ValueError as exc:
        raise ValueError(
            f"expected a crontab expression of five fields, e.g. '0 */6 * * *' ({exc})"
        ) from None
    return value


def _env_name(value: str) -> str:
    if not ENV_NAME.match(value):
        raise ValueError(
            "expected the name of an environment variable (capitals, digits and _, e.g. X_BEARER_TOKEN), never the secret itself"
        )
    return value


HttpUrl = Annotated[str, AfterValidator(_http_url)]
"""An absolute http(s) URL: a scheme and a host, so no request goes to ':///robots.txt'."""
Crontab = Annotated[str, AfterValidator(_crontab)]
"""minute hour day month weekday, as cron and APScheduler read them."""
EnvName = Annotated[str, AfterValidator(_env_name)]
"""The name of the environment variable that holds a secret; the secret is never in the file."""


def _known_zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown time zone {value!r}; use an IANA name such as 'Europe/Amsterdam'"
        ) from None
    return value


TimeZoneName = Annotated[str, AfterValidator(_known_zone)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Schedule(_Strict):
    cron: Crontab | None = Field(default=None, description="crontab expression, e.g. '0 */6 * * *'")
    interval_seconds: int | None = Field(
        default=None, ge=1, description="run every N seconds instead of a cron"
    )
    jitter_seconds: int = Field(
        default=0, ge=0, description="random delay so sources on one host do not fire together"
    )


class Retention(_Strict):
    category: str = Field(
        default="", description="records category in the organisation's selectielijst, e.g. '1.1'"
    )
    years: int | None = Field(
        default=None, ge=0, description="retention period in years; empty means keep permanently"
    )


class _SourceBase(_Strict):
    name: str = Field(
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$",
        description="unique name of the source (letters, digits, _ . -)",
    )
    organisation: str = Field(default="", description="organisation whose record this is")
    enabled: bool = Field(
        default=True, description="disabled sources are neither collected nor scheduled"
    )
    schedule: Schedule | None = Field(
        default=None, description="when `archiveren schedule` runs this source"
    )
    retention: Retention = Field(default_factory=Retention)
    obey_robots: bool = Field(default=True, description="obey robots.txt (overriding is logged)")
    delay_seconds: float | None = Field(
        default=None, ge=0, description="politeness delay per host; default from http.delay_seconds"
    )


class FeedSource(_SourceBase):
    """A blog: a feed URL or a site URL whose feed is autodiscovered."""

    type: Literal["feed"]
    url: HttpUrl = Field(
        description="feed URL, or a site URL whose <link rel='alternate'> names the feed"
    )
    site: list[str] = Field(
        default_factory=list,
        description="URL prefixes of the pages this source speaks for (its blog); empty: the directory of 'url' above any feed segment (https://host/zoe/feed/ -> https://host/zoe/). Entries linking elsewhere are kept as this source's record of a foreign URL, never as the other site's own post",
    )
    capture_pages: bool = Field(
        default=True, description="also capture each entry's permalink page"
    )
    capture_images: bool = Field(
        default=False,
        description="also capture images on permalink pages (capture_page_assets takes them"
        " with the rest of what a page loads)",
    )
    capture_page_assets: bool = Field(
        default=True,
        description="also capture what each permalink page loads to look as it does: its"
        " stylesheets (and the fonts, images and stylesheets they name), images and scripts, so"
        " its full replay is faithful",
    )
    page_assets_max_files: int = Field(
        default=50, ge=0, description="files a page's assets may take at most; more are skipped"
    )
    page_assets_max_bytes: int = Field(
        default=20_000_000,
        ge=0,
        description="bytes a page's assets may take at most; a file beyond is skipped or cut off",
    )
    wp_json: bool = Field(
        default=True,
        description="read a WordPress post's comments through the site's REST API (wp-json)"
        " too, when its pages offer it",
    )
    backfill_depth: int = Field(
        default=10,
        ge=0,
        description="how many older feed pages (?paged=N) to follow on the first harvest",
    )
    timezone: TimeZoneName = Field(
        default="Europe/Amsterdam",
        description="zone of the dates the blog's pages print without one (its comments'), e.g."
        " 'America/New_York'; every date is stored in UTC",
    )


class XSource(_SourceBase):
    """Posts on X through the API v2."""

    type: Literal["x"]
    api_base: HttpUrl = Field(
        default="https://api.x.com", description="API base URL (the demo emulator for trials)"
    )
    accounts: list[str] = Field(default_factory=list, description="account handles without @")
    lists: list[str] = Field(default_factory=list, description="X List ids")
    queries: list[str] = Field(
        default_factory=list, description="search queries, e.g. '#ambtenaar20'"
    )
    bearer_token_env: EnvName = Field(
        description="name of the environment variable holding the bearer token"
    )
    max_pages: int = Field(default=50, ge=1, description="API pages per account/list/query per run")
    capture_media: bool = Field(
        default=True,
        description="archive the photos, videos, GIFs, avatars and card images posts show",
    )
    media_per_run: int = Field(
        default=500,
        ge=0,
        description="media files fetched per run at most; more are counted as skipped",
    )
    edit_versions: bool = Field(
        default=True,
        description="look up the earlier versions of edited tweets by id (one call per 100 "
        "versions not archived yet), so each becomes a version of its Post",
    )
    deletion_checks: bool = Field(
        default=True,
        description="notice tweets deleted at X: each run after the first reads every account's "
        "newest page again (one call per account) and looks up the tweets it no longer shows "
        "(one call per 100 ids); a tweet X answers it knows no more gets a tombstone",
    )


class XArchiveSource(_SourceBase):
    """An X account archive zip ('download your data')."""

    type: Literal["x_archive"]
    path: str = Field(description="path to the archive zip")


class MastodonSource(_SourceBase):
    """Statuses on a Mastodon instance."""

    type: Literal["mastodon"]
    instance: HttpUrl = Field(description="instance base URL, e.g. https://social.overheid.nl")
    accounts: list[str] = Field(
        default_factory=list, description="accounts as user or @user@instance"
    )
    hashtags: list[str] = Field(default_factory=list, description="hashtags without #")
    access_token_env: EnvName | None = Field(
        default=None,
        description="environment variable holding an access token, if the instance needs one",
    )
    include_replies: bool = Field(
        default=True, description="also fetch each status's context (replies)"
    )
    max_pages: int = Field(default=50, ge=1)
    capture_media: bool = Field(
        default=True,
        description="archive the photos, videos, GIFs, avatars and card images posts show",
    )
    media_per_run: int = Field(
        default=500,
        ge=0,
        description="media files fetched per run at most; more are counted as skipped",
    )


PleioSubtype = Literal["blog", "news", "discussion", "question", "wiki", "event"]
PLEIO_SUBTYPES: tuple[PleioSubtype, ...] = (
    "blog",
    "news",
    "discussion",
    "question",
    "wiki",
    "event",
)


class PleioSource(_SourceBase):
    """A Pleio site through its GraphQL API (Elgg-era sites: type network, profile pleio)."""

    type: Literal["pleio"]
    url: HttpUrl = Field(
        description="the site's address, e.g. https://ambtenaar20.pleio.nl/ (its API is <url>/graphql)"
    )
    subtypes: list[PleioSubtype] = Field(
        default_factory=lambda: list(PLEIO_SUBTYPES),
        min_length=1,
        description="which content to collect: blog, news, discussion, question, wiki, event"
        " (default all); each with its comment threads",
    )
    access_token_env: EnvName | None = Field(
        default=None,
        description="environment variable holding a bearer token, if the site is closed to"
        " visitors",
    )
    page_size: int = Field(
        default=50, ge=1, le=100, description="entities asked for per API request"
    )
    max_pages: int = Field(
        default=100,
        ge=1,
        description="most entity-list requests per subtype per run; the next run continues"
        " where this one stopped",
    )


class NetworkSource(_SourceBase):
    """A network site (Ning-style community, PBworks-style wiki, Pleio) crawled with Scrapy."""

    type: Literal["network"]
    start_urls: list[HttpUrl] = Field(min_length=1, description="where the crawl starts")
    crawl: Literal["site", "page"] | None = Field(
        default=None,
        description="'site': follow links from the start URLs (within allow, deny, max_depth and"
        " max_pages); 'page': keep only the start pages and the further pages of their comment"
        " lists; empty: 'site' when every start URL is a site's root or max_depth is set, else"
        " 'page' (a start URL that names one page stays on that page)",
    )
    allow: list[str] = Field(
        default_factory=list,
        description="regular expressions (searched in the whole URL) of the links a site crawl"
        " follows; empty: every link on the start URLs' hosts",
    )
    deny: list[str] = Field(
        default_factory=list,
        description="regular expressions (searched in the whole URL) of links never followed,"
        " even when allow admits them",
    )
    profile: str = Field(
        default="generic",
        description="site profile for extraction: ning, pbworks, pleio or generic, or the path"
        " of a profile YAML file (docs/profiles.md)",
    )
    max_depth: int = Field(
        default=5,
        ge=0,
        description="how many links deep a site crawl goes from the start URLs (the next page of"
        " a comment list is the same page, not a level deeper); 0: the start pages only",
    )
    max_pages: int = Field(
        default=1000,
        ge=1,
        description="most URLs one run fetches, whatever their depth; links past it wait for a"
        " later run",
    )
    capture_page_assets: bool = Field(
        default=False,
        description="also capture what each page fetched whole loads to look as it does: its"
        " stylesheets (and the fonts, images and stylesheets they name), images and scripts,"
        " each once a run, so its full replay is faithful (any host the page names, within"
        " robots.txt)",
    )
    page_assets_max_files: int = Field(
        default=50, ge=0, description="files a page's assets may take at most; more are skipped"
    )
    page_assets_max_bytes: int = Field(
        default=20_000_000,
        ge=0,
        description="bytes one of a page's assets may take at most (Scrapy drops a larger one,"
        " counted as failed)",
    )

    @property
    def crawls_site(self) -> bool:
        """Whether the crawl follows links past its start pages: ``crawl``, else a site's root
        or an explicit ``max_depth`` says so."""
        if self.crawl is not None:
            return self.crawl == "site"
        if "max_depth" in self.model_fields_set:
            return True
        return all(urlsplit(url).path in ("", "/") for url in self.start_urls)


SourceConfig = Annotated[
    FeedSource | XSource | XArchiveSource | MastodonSource | NetworkSource | PleioSource,
    Field(discriminator="type"),
]
SOURCE_TYPES = ("feed", "x", "x_archive", "mastodon", "network", "pleio")


class HttpSettings(_Strict):
    contact: str = Field(
        default="archief@example.org", description="contact address put in the User-Agent"
    )
    delay_seconds: float = Field(
        default=1.0, ge=0, description="politeness delay between requests to one host"
    )
    concurrency_per_host: int = Field(
        default=2, ge=1, description="requests in flight at once to one host"
    )
    timeout_seconds: float = Field(
        default=30.0, gt=0, description="connect and read timeout of one request"
    )
    max_response_bytes: int = Field(
        default=50 * 1024 * 1024,
        ge=1024,
        description="responses larger than this are cut off and marked truncated",
    )
    retries: int = Field(
        default=4, ge=0, description="retries for 429, 5xx and timeouts, with exponential backoff"
    )


def _no_keys_in_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.username is not None or parts.password is not None:
        raise ValueError(
            "the endpoint URL must not hold a user name or password; the keys come from the "
            "variables access_key_env and secret_key_env name"
        )
    return value


class S3StorageSettings(_Strict):
    """An S3-compatible bucket for closed WARC files (used when archive.storage is s3)."""

    endpoint_url: Annotated[HttpUrl, AfterValidator(_no_keys_in_url)] = Field(
        description="the S3 endpoint, e.g. https://s3.example.org or http://127.0.0.1:18333"
    )
    bucket: str = Field(
        pattern=r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$",
        description="bucket name (3-63 lower-case letters, digits, dots and hyphens); created when missing",
    )
    prefix: str = Field(
        default="",
        pattern=r"^([A-Za-z0-9._-]+/)*$",
        description="key prefix inside the bucket, ending in / (e.g. warcs/); empty for none",
    )
    region: str = Field(default="us-east-1", description="the region the endpoint signs for")
    access_key_env: EnvName = Field(
        default="ARCHIVEREN_S3_ACCESS_KEY",
        description="environment variable holding the access key id (never in the file)",
    )
    secret_key_env: EnvName = Field(
        default="ARCHIVEREN_S3_SECRET_KEY",
        description="environment variable holding the secret key (never in the file, never logged)",
    )
    keep_local: bool = Field(
        default=False,
        description="keep the local copy of a WARC file after its upload was verified",
    )
    upload_attempts: int = Field(
        default=3, ge=1, le=20, description="tries per file before the upload is reported failed"
    )


class ArchiveSettings(_Strict):
    prefix: str = Field(
        default="archiveren", pattern=r"^[A-Za-z0-9_-]+$", description="WARC file name prefix"
    )
    rollover_bytes: int = Field(
        default=1_000_000_000, ge=1024, description="start a new WARC file after this size"
    )
    rollover_seconds: int = Field(
        default=86_400,
        ge=60,
        description="under `schedule`, a source's runs append to its open WARC file; it is closed (and a new one started by the next capture) once it is this old",
    )
    operator: str = Field(default="", description="operator named in each warcinfo record")
    storage: Literal["local", "s3"] = Field(
        default="local",
        description="where closed WARC files are kept: local (the data dir) or s3 (the bucket in archive.s3; written locally first, uploaded once closed and timestamped, checked, then removed locally)",
    )
    s3: S3StorageSettings | None = Field(default=None, description="the bucket, when storage is s3")

    @model_validator(mode="after")
    def _s3_needs_a_bucket(self) -> ArchiveSettings:
        if self.storage == "s3" and self.s3 is None:
            raise ValueError(
                "archive.storage is s3 but archive.s3 is missing; give its endpoint_url and bucket"
            )
        return self


class SearchSettings(_Strict):
    search_backend: Literal["tantivy", "elasticsearch", "opensearch"] = Field(
        default="tantivy",
        description="tantivy (embedded, no server) or an Elasticsearch/OpenSearch cluster",
    )
    hosts: list[HttpUrl] = Field(
        default_factory=lambda: ["http://127.0.0.1:9200"],
        description="engine URLs (elasticsearch/opensearch): every node a client may use; when one does not answer, the request goes to the next",
    )
    index_name: str = Field(default="archiveren-posts", description="alias name in the engine")
    number_of_shards: int = Field(
        default=1,
        ge=1,
        le=1024,
        description="primary shards of a new index (elasticsearch/opensearch); more spread one index over more nodes, fixed once the index exists (change it, then `index --rebuild`)",
    )
    number_of_replicas: int = Field(
        default=0,
        ge=0,
        le=16,
        description="copies of each shard on other nodes (elasticsearch/opensearch); 0 on a single node, 1 or more on a cluster so that losing a node loses nothing; applied to the live index at the next indexing run",
    )
    refresh_interval: str | None = Field(
        default=None,
        pattern=r"^(-1|[0-9]+(ms|s|m|h))$",
        description="how often new Posts become searchable (elasticsearch/opensearch), e.g. '1s' or '30s'; empty: the engine's default (1s); an indexing run makes its own Posts searchable when it ends either way",
    )
    index_workers: int | None = Field(
        default=None,
        ge=0,
        le=64,
        description="processes that extract Posts while indexing; empty: one per CPU core for a large backlog, 0: none (extract in the indexing process)",
    )
    api_key_env: EnvName | None = Field(
        default=None, description="environment variable with an API key"
    )
    username_env: EnvName | None = None
    password_env: EnvName | None = None
    verify_certs: bool = True
    ca_certs: str | None = None


class ServerSettings(_Strict):
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    secret_key_env: EnvName | None = Field(
        default=None,
        description="environment variable holding the session signing key; a random key is kept in the data dir otherwise",
    )
    trusted_user_header: str | None = Field(
        default=None,
        description="trust this header (set by an authenticating reverse proxy) for the user name",
    )
    metrics_token_env: EnvName | None = Field(
        default=None,
        description="environment variable holding a bearer token that lets a Prometheus scraper read /metrics (admins can always)",
    )


class NotifySettings(_Strict):
    after_failures: int = Field(
        default=3, ge=1, description="notify when a source failed this many runs in a row"
    )
    webhook_url: HttpUrl | None = Field(
        default=None, description="POST a JSON message here on repeated failures"
    )
    email_to: str | None = Field(
        default=None, description="send an e-mail here on repeated failures"
    )
    smtp_host: str = Field(default="127.0.0.1", description="SMTP server for e-mail notifications")
    smtp_port: int = Field(default=25, ge=1, le=65535)
    email_from: str = Field(default="archiveren@localhost")


class SchedulerSettings(_Strict):
    index_after_run: bool = Field(
        default=True, description="index new WARCs right after each collection run"
    )
    index_interval_seconds: int | None = Field(
        default=None, ge=1, description="also index on this interval"
    )
    verify_cron: Crontab | None = Field(
        default="30 3 * * 0", description="when `verify` runs (crontab); empty: never"
    )
    misfire_grace_seconds: int = Field(
        default=300,
        ge=1,
        description="a run that could not start on time still starts within this many seconds",
    )
    max_workers: int = Field(default=4, ge=1, description="sources that may run at the same time")
    shard: str | None = Field(
        default=None,
        pattern=r"^[0-9]+/[0-9]+$",
        description="'i/n' (i from 1 to n): this host runs the sources whose name hashes to shard i of n (for several collector hosts: give each its own i; a scheduler whose shard another live scheduler holds, or that runs all sources beside sharded ones, refuses to start)",
    )
    lock_stale_seconds: int = Field(
        default=6 * 3600, ge=60, description="a run lock older than this is considered abandoned"
    )
    notify: NotifySettings = Field(default_factory=NotifySettings)

    @field_validator("shard")
    @classmethod
    def _shard_in_range(cls, value: str | None) -> str | None:
        if value is None:
            return None
        index, count = (int(part) for part in value.split("/"))
        if count < 1 or not 1 <= index <= count:
            raise ValueError(
                f"shard {value!r}: 'i/n' needs n of at least 1 and i from 1 to n "
                "(shards are numbered from 1; with n collector hosts each takes its own i)"
            )
        return value


def _no_credentials(value: str) -> str:
    parts = urlsplit(value)
    if parts.username is not None or parts.password is not None:
        raise ValueError(
            "an authority's URL must not hold a user name or password (secrets never go in the config file)"
        )
    return value


TsaUrl = Annotated[HttpUrl, AfterValidator(_no_credentials)]
"""An authority's URL, without credentials in it (they would reach logs and the sidecars)."""


class EvidenceSettings(_Strict):
    tsa_urls: list[TsaUrl] = Field(
        default_factory=list,
        description="RFC 3161 time-stamping authorities that sign the record tree of every closed WARC file; empty: no timestamps",
    )
    ca_files: list[str] = Field(
        default_factory=list,
        description="CA certificate files (PEM) the authorities' tokens must chain to; needed when tsa_urls is set",
    )
    timeout_seconds: float = Field(
        default=10.0, gt=0, description="how long to wait for an authority's answer"
    )
    stamp_interval_seconds: int = Field(
        default=600,
        ge=10,
        description="under `schedule`, how often closed WARC files that lack a token are stamped",
    )
    signing_key_file: str = Field(
        default="",
        description="the organisation's signing key (PEM, ECDSA P-384, made by `archiveren keys create`), relative to this file; when set, WACZ exports and bags are signed with it (and timestamped by tsa_urls); keep it 0600, it is never logged",
    )

    @model_validator(mode="after")
    def _authorities_need_a_ca(self) -> EvidenceSettings:
        if self.tsa_urls and not self.ca_files:
            raise ValueError(
                "evidence.tsa_urls is set but evidence.ca_files is empty; name the CA certificate (PEM) each authority's tokens chain to"
            )
        return self

    @property
    def enabled(self) -> bool:
        return bool(self.tsa_urls)


class ArchiverenConfig(_Strict):
    organisation: str = Field(
        default="", description="default organisation for sources that name none"
    )
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL of the catalogue; default SQLite in the data dir"
    )
    display_timezone: TimeZoneName = Field(
        default="Europe/Amsterdam",
        description="zone in which the UI and the command line show times (labelled, e.g. CET);"
        " stored times stay UTC",
    )
    http: HttpSettings = Field(default_factory=HttpSettings)
    archive: ArchiveSettings = Field(default_factory=ArchiveSettings)
    search: SearchSettings = Field(default_factory=SearchSettings)
    server: ServerSettings = Field(default_factory=ServerSettings)
    scheduler: SchedulerSettings = Field(default_factory=SchedulerSettings)
    evidence: EvidenceSettings = Field(default_factory=EvidenceSettings)
    sources: list[SourceConfig] = Field(default_factory=list)

    @model_validator(mode="after")
    def _names_are_unique(self) -> ArchiverenConfig:
        seen: set[str] = set()
        for source in self.sources:
            if source.name in seen:
                raise ValueError(f"source name {source.name!r} is used twice; names must be unique")
            seen.add(source.name)
        return self

    def source(self, name: str) -> SourceConfig:
        for source in self.sources:
            if source.name == name:
                return source
        raise KeyError(name)
