"""DemoSources starts fast, describes itself as a valid config and serves a stable dataset."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import httpx
import pytest

from config.loader import load_config
from demo_sources import X_TOKEN_ENV, DemoSources, compose_dataset
from foundation.errors import ConfigError


def test_dataset_is_the_same_every_time() -> None:
    first, second = compose_dataset(), compose_dataset()
    assert sorted(first.tweets) == sorted(second.tweets)
    assert [p.title for b in first.blogs.values() for p in b.posts] == [
        p.title for b in second.blogs.values() for p in b.posts
    ]
    assert [c.text for p in first.ning_posts for c in p.comments] == [
        c.text for p in second.ning_posts for c in p.comments
    ]


def test_dataset_has_a_few_hundred_items_by_shared_people() -> None:
    data = compose_dataset()
    counts = data.counts()
    assert sum(v for k, v in counts.items() if "comments" not in k and k != "ning_members") > 300
    zoe = data.people["zoe"]
    assert (zoe.blog, zoe.x, zoe.mastodon, zoe.ning) == (
        "zoe",
        "zoevdmeulen",
        "zoe",
        "ZoevanderMeulen",
    )
    names = {p.name for p in data.people.values()}
    assert {"Zoë van der Meulen", "Jeroen Ćosić", "Ömer Yılmaz"} <= names
    years = {p.published.year for b in data.blogs.values() for p in b.posts}
    assert min(years) <= 2010 and max(years) == 2024


def test_starts_within_half_a_second_on_free_ports() -> None:
    started = time.perf_counter()
    with DemoSources() as demo:
        elapsed = time.perf_counter() - started
        assert set(demo.urls) == {"blog", "ning", "wiki", "x_api", "mastodon", "pleio"}
        assert len({u for u in demo.urls.values()}) == 6
        assert all(
            httpx.get(u + "robots.txt").status_code in (200, 401, 404) for u in demo.urls.values()
        )
    assert elapsed < 0.5


def test_fixed_ports_are_used_and_a_busy_port_is_a_clear_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
        with pytest.raises(ConfigError, match="cannot listen"):
            DemoSources(ports={"blog": port}).start()
    with DemoSources(ports={"wiki": port}) as demo:
        assert demo.urls["wiki"] == f"http://127.0.0.1:{port}/"


def test_config_yaml_is_a_valid_archiveren_config(
    demo_sources_readonly: DemoSources, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    demo = demo_sources_readonly
    path = tmp_path / "sources.yaml"
    path.write_text(demo.config_yaml(data_dir_hint=str(tmp_path)), encoding="utf-8")
    monkeypatch.setenv(X_TOKEN_ENV, demo.x_bearer_token)
    config = load_config(path)
    kinds = [s.type for s in config.sources]
    assert kinds.count("feed") == len(demo.content.blogs) and kinds.count("network") == 2
    assert config.http.delay_seconds == 0
    x = next(s for s in config.sources if s.type == "x")
    assert (
        x.api_base + "/" == demo.urls["x_api"]
        and "#ambtenaar20" in x.queries
        and "jcosic" in x.accounts
    )
    network = {s.profile: s.start_urls[0] for s in config.sources if s.type == "network"}
    assert network["ning"] == demo.urls["ning"] and network["pbworks"].startswith(demo.urls["wiki"])
    for source in config.sources:
        if source.type == "feed":
            assert httpx.get(source.url).status_code == 200


def test_request_log_is_per_site(demo_sources: DemoSources) -> None:
    httpx.get(demo_sources.urls["wiki"] + "w/pages")
    httpx.get(demo_sources.urls["x_api"] + "2/users/by/username/jcosic")
    log = demo_sources.request_log
    assert [(r.path, r.status) for r in log["wiki"]] == [("/w/pages", 200)]
    assert [(r.path, r.status) for r in log["x_api"]] == [("/2/users/by/username/jcosic", 401)]
    assert log["blog"] == [] and log["mastodon"] == []
