"""The audit log is a hash chain: rows appended by several processes at once form one unbroken
chain, rows written before the chain existed are chained by the migration, the database refuses
to change or delete a row, and a row changed or removed behind the application's back is named
by the check."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import create_engine, delete, text, update
from sqlalchemy.exc import IntegrityError

from catalogue.audit_chain import verify_chain
from catalogue.audit_queries import chain_rows
from catalogue.schema import AuditRow
from catalogue.store import MIGRATIONS, Catalogue

APPENDER = """
import sys
from pathlib import Path
from catalogue.store import Catalogue
catalogue = Catalogue.open(Path(sys.argv[1]), sys.argv[4] or None)
for n in range(int(sys.argv[3])):
    catalogue.audit(sys.argv[2], "search", n=n)
"""


def test_appends_from_several_processes_form_one_unbroken_chain(
    tmp_path: Path, catalogue_url: str | None
) -> None:
    Catalogue.open(tmp_path, catalogue_url).close()
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", APPENDER, str(tmp_path), f"proces{n}", "40", catalogue_url or ""]
        )
        for n in range(3)
    ]
    assert [writer.wait(timeout=120) for writer in writers] == [0, 0, 0]
    catalogue = Catalogue.open(tmp_path, catalogue_url)
    report = verify_chain(chain_rows(catalogue))
    assert report.ok and report.rows == 120


def test_the_migration_chains_rows_written_before_it(
    tmp_path: Path, catalogue_url: str | None
) -> None:
    url = catalogue_url or f"sqlite:///{tmp_path / 'catalogue.sqlite'}"
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    engine = create_engine(url)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0004")
        for n, who in enumerate(("anna", "bert", "Ömer")):
            connection.execute(
                text(
                    "INSERT INTO audit_log (at, username, action, detail) VALUES (:at, :u, 'login', :d)"
                ),
                {
                    "at": datetime(2026, 1, 1, 9, n, tzinfo=UTC),
                    "u": who,
                    "d": json.dumps({"n": n, "é": "ü"}),
                },
            )
    engine.dispose()
    catalogue = Catalogue.open(tmp_path, catalogue_url)
    catalogue.audit("carla", "search", query="wiki")
    report = verify_chain(chain_rows(catalogue))
    assert report.ok and report.rows == 4


def test_rows_cannot_be_changed_or_deleted_through_the_catalogue(
    tmp_path: Path, catalogue_url: str | None
) -> None:
    catalogue = Catalogue.open(tmp_path, catalogue_url)
    catalogue.audit("anna", "login")
    with pytest.raises(IntegrityError, match="append-only"), catalogue.session() as session:
        session.execute(delete(AuditRow))
    with pytest.raises(IntegrityError, match="append-only"), catalogue.session() as session:
        session.execute(update(AuditRow).values(username="mallory"))
    assert len(catalogue.audit_log()) == 1


@pytest.mark.parametrize(
    ("tamper", "broken_at"),
    [
        ('UPDATE audit_log SET detail = \'{"query": "iets anders"}\' WHERE id = 3', 3),
        ("DELETE FROM audit_log WHERE id = 2", 3),
        ("UPDATE audit_log SET at = '2020-01-01 00:00:00.000000' WHERE id = 4", 4),
    ],
)
def test_a_row_changed_or_removed_outside_the_application_breaks_the_chain_there(
    tmp_path: Path, catalogue_url: str | None, tamper: str, broken_at: int
) -> None:
    catalogue = Catalogue.open(tmp_path, catalogue_url)
    for n in range(5):
        catalogue.audit("anna", "search", query=f"vraag {n}")
    catalogue.close()
    behind_its_back = create_engine(catalogue_url or f"sqlite:///{tmp_path / 'catalogue.sqlite'}")
    with behind_its_back.begin() as connection:
        if behind_its_back.dialect.name == "sqlite":
            connection.execute(text("DROP TRIGGER audit_log_no_update"))
            connection.execute(text("DROP TRIGGER audit_log_no_delete"))
        else:
            connection.execute(text("DROP TRIGGER audit_log_append_only ON audit_log"))
        connection.execute(text(tamper))
    behind_its_back.dispose()
    report = verify_chain(chain_rows(Catalogue.open(tmp_path, catalogue_url)))
    assert not report.ok and report.broken_at == broken_at
    assert f"audit row {broken_at}" in report.problem
