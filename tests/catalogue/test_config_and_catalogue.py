"""The example config documents every option and validates; the catalogue migrates and keeps
runs, source state, WARC files, watermarks, users and the audit log."""

from __future__ import annotations

from pathlib import Path

import pytest

from catalogue.store import Catalogue, _head_revision
from config import load_config, secret_from_env
from config.example import render_example
from foundation.errors import CatalogueError, ConfigError
from workspace import Workspace

REPO = Path(__file__).resolve().parents[2]


def test_example_config_is_generated_from_the_models() -> None:
    committed = (REPO / "config" / "sources.example.yaml").read_text(encoding="utf-8")
    assert committed == render_example(), (
        "run: python -m config.example > config/sources.example.yaml"
    )


def test_example_config_validates_with_its_secret_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("X_BEARER_TOKEN", "t")
    config = load_config(REPO / "config" / "sources.example.yaml")
    assert {source.type for source in config.sources} == {
        "feed",
        "x",
        "x_archive",
        "mastodon",
        "network",
        "pleio",
    }


def test_secret_from_env_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GEEN_TOKEN", raising=False)
    with pytest.raises(ConfigError, match="GEEN_TOKEN"):
        secret_from_env("GEEN_TOKEN", what="bearer token", source="x-bzk")
    monkeypatch.setenv("GEEN_TOKEN", "geheim")
    assert secret_from_env("GEEN_TOKEN", what="bearer token") == "geheim"


def test_catalogue_migrates_once_and_reopens(tmp_path: Path, catalogue_url: str | None) -> None:
    first = Catalogue.open(tmp_path, catalogue_url)
    assert first.schema_revision() == _head_revision()
    first.close()
    again = Catalogue.open(tmp_path, catalogue_url)
    assert again.schema_revision() == _head_revision()


def test_runs_are_recorded_with_outcome_and_counts(
    tmp_path: Path, catalogue_url: str | None
) -> None:
    catalogue = Catalogue.open(tmp_path, catalogue_url)
    run = catalogue.start_run("blog-a", "feed")
    catalogue.finish_run(
        run, "partial", {"requests": 12, "errors": 1}, ["http://127.0.0.1:9/x: timeout"]
    )
    last = catalogue.last_runs()["blog-a"]
    assert (last.outcome, last.counts["requests"], last.errors) == (
        "partial",
        12,
        ["http://127.0.0.1:9/x: timeout"],
    )
    assert last.ended_at is not None and last.ended_at >= last.started_at


def test_source_state_round_trips(tmp_path: Path, catalogue_url: str | None) -> None:
    catalogue = Catalogue.open(tmp_path, catalogue_url)
    assert catalogue.source_state("x-bzk") == {}
    catalogue.save_source_state("x-bzk", {"since_id": {"minbzk": "1790"}}, "x")
    catalogue.save_source_state("x-bzk", {"since_id": {"minbzk": "1800"}})
    assert catalogue.source_state("x-bzk") == {"since_id": {"minbzk": "1800"}}


def test_watermarks_and_warc_files(tmp_path: Path, catalogue_url: str | None) -> None:
    catalogue = Catalogue.open(tmp_path, catalogue_url)
    catalogue.register_warc("a.warc.gz", 1000, "ab" * 32, 7)
    catalogue.save_watermark("a.warc.gz", 500, False)
    catalogue.save_watermark("a.warc.gz", 1000, True)
    assert catalogue.watermarks() == {"a.warc.gz": (1000, True)}
    assert [(f.name, f.size) for f in catalogue.warc_files()] == [("a.warc.gz", 1000)]
    catalogue.reset_watermarks()
    assert catalogue.watermarks() == {}


def test_users_are_unique_and_audit_is_kept(tmp_path: Path, catalogue_url: str | None) -> None:
    catalogue = Catalogue.open(tmp_path, catalogue_url)
    catalogue.add_user("zoë", "hash", "archivist")
    with pytest.raises(CatalogueError, match="already exists"):
        catalogue.add_user("zoë", "hash", "admin")
    catalogue.audit("zoë", "search", query="omgevingswet", filters={"platform": ["x"]})
    entry = catalogue.audit_log("search")[0]
    assert (entry.username, entry.detail["query"]) == ("zoë", "omgevingswet")


def test_unreachable_database_gives_a_clear_error_without_password(tmp_path: Path) -> None:
    with pytest.raises(CatalogueError) as caught:
        Catalogue.open(tmp_path, "postgresql://archief:geheim@127.0.0.1:1/archiveren")
    assert "geheim" not in str(caught.value) and "127.0.0.1:1" in str(caught.value)


def test_a_command_opens_the_catalogue_its_config_names_even_before_reading_the_config(
    tmp_path: Path, postgres_url: str
) -> None:
    """`verify`, `users` and `status` ask for the catalogue first: with ``database_url`` set
    they once opened a new, empty SQLite catalogue in the data dir instead."""
    config = tmp_path / "archiveren.yaml"
    config.write_text(f"database_url: {postgres_url}\nsources: []\n", encoding="utf-8")
    workspace = Workspace(config_path=config, data_dir=tmp_path / "data")
    assert workspace.catalogue().engine.dialect.name == "postgresql"
    workspace.close()
    assert not (tmp_path / "data" / "catalogue.sqlite").exists()


def test_a_collector_and_the_indexer_making_a_source_row_at_once_both_succeed(
    tmp_path: Path, catalogue_url: str | None
) -> None:
    """The soak's 'UNIQUE constraint failed: sources.name': a source's first run saving its
    state while the indexer records the source's retention rule."""
    import threading

    catalogue = Catalogue.open(tmp_path, catalogue_url)
    failures: list[BaseException] = []

    def at_once(*calls: object) -> None:
        barrier = threading.Barrier(len(calls))

        def run(call: object) -> None:
            barrier.wait()
            try:
                call()  # type: ignore[operator]
            except BaseException as exc:  # noqa: BLE001 - collected and reported below
                failures.append(exc)

        threads = [threading.Thread(target=run, args=(call,)) for call in calls]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    for n in range(15):
        name = f"bron-{n}"
        at_once(
            lambda name=name: catalogue.save_source_state(name, {"etag": "x"}, "feed"),
            lambda name=name: catalogue.save_indexer_state(name, {"retention": "1.1"}),
        )
    assert not failures, failures
    assert all(catalogue.source_state(f"bron-{n}") == {"etag": "x"} for n in range(15))
