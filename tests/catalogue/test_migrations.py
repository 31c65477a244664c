"""The catalogue upgrades to the newest schema from every earlier revision, on SQLite and on
PostgreSQL, keeping what was written before: an operator may skip releases."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, text

from catalogue.audit_chain import GENESIS, row_digest, verify_chain
from catalogue.audit_queries import chain_rows
from catalogue.store import MIGRATIONS, Catalogue, _head_revision


def _alembic() -> AlembicConfig:
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


CHAINED = "0006"
"""The revision from which audit rows carry their hash chain."""

EARLIER = [
    script.revision
    for script in ScriptDirectory.from_config(_alembic()).walk_revisions()
    if script.revision != _head_revision()
]


def test_the_migrations_form_one_line_to_one_head() -> None:
    assert len(ScriptDirectory.from_config(_alembic()).get_heads()) == 1
    assert EARLIER, "there is history to upgrade from"


@pytest.mark.parametrize("revision", sorted(EARLIER))
def test_a_catalogue_at_an_earlier_revision_upgrades_and_keeps_its_rows(
    tmp_path: Path, catalogue_url: str | None, revision: str
) -> None:
    url = catalogue_url or f"sqlite:///{tmp_path / 'catalogue.sqlite'}"
    engine = create_engine(url)
    config = _alembic()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
        at = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
        row = {"at": at, "detail": json.dumps({"q": "wiki"})}
        if revision >= CHAINED:
            # from the chain's revision on, every row the application writes is chained
            digest = row_digest(GENESIS, at, "anna", "search", {"q": "wiki"})
            connection.execute(
                text(
                    "INSERT INTO audit_log (at, username, action, detail, prev_sha256, sha256) "
                    "VALUES (:at, 'anna', 'search', :detail, :prev, :sha)"
                ),
                {**row, "prev": GENESIS, "sha": digest},
            )
        else:
            connection.execute(
                text(
                    "INSERT INTO audit_log (at, username, action, detail) "
                    "VALUES (:at, 'anna', 'search', :detail)"
                ),
                row,
            )
        connection.execute(
            text(
                "INSERT INTO runs (source, source_type, host, started_at, ended_at, outcome, "
                "counts, errors) VALUES ('blog-a', 'feed', 'oud', :at, :at, 'ok', '{}', '[]')"
            ),
            {"at": datetime(2025, 3, 1, 9, 0, tzinfo=UTC)},
        )
    engine.dispose()

    catalogue = Catalogue.open(tmp_path, catalogue_url)
    assert catalogue.schema_revision() == _head_revision()
    assert [(row.username, row.detail) for row in catalogue.audit_log()] == [
        ("anna", {"q": "wiki"})
    ]
    assert catalogue.last_runs()["blog-a"].outcome == "ok"
    catalogue.audit("carla", "search", query="daarna")
    assert verify_chain(chain_rows(catalogue)).ok
