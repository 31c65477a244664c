"""The export queue in a real SQLite catalogue: a job is claimed once, whoever asks; a job left
running by a process that is gone is queued again, and fails with the reason after its last
attempt; a running job cannot be deleted; the migration down to 0006 and up again keeps it."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config as AlembicConfig

from catalogue.export_jobs import (
    MAX_ATTEMPTS,
    claim_next,
    delete_export_job,
    export_job,
    queue_export,
    recover_abandoned,
)
from catalogue.schema import ExportJobRow
from catalogue.store import MIGRATIONS, Catalogue, this_holder
from foundation.errors import CatalogueError


def queued(catalogue: Catalogue) -> int:
    return queue_export(
        catalogue, user="carla", fmt="csv", reason="Woo 2026-114", query="wiki", filters={}
    ).id


def dead_holder() -> str:
    gone = subprocess.Popen(["true"])
    gone.wait()
    return f"{this_holder().rpartition(':')[0]}:{gone.pid}"


def test_a_job_is_claimed_once_and_its_queuing_is_audited(tmp_path: Path) -> None:
    catalogue = Catalogue.open(tmp_path)
    job_id = queued(catalogue)
    first = claim_next(catalogue, "host-a:1")
    assert first is not None and first.id == job_id and first.status == "running"
    assert claim_next(catalogue, "host-b:2") is None
    logged = catalogue.audit_log(action="export_queued")[0]
    assert logged.detail["export_job"] == job_id and logged.detail["reason"] == "Woo 2026-114"


def test_a_job_left_running_by_a_dead_process_is_queued_again_then_failed(
    tmp_path: Path,
) -> None:
    catalogue = Catalogue.open(tmp_path)
    job_id = queued(catalogue)
    for attempt in range(1, MAX_ATTEMPTS + 1):
        assert claim_next(catalogue, dead_holder()) is not None
        assert recover_abandoned(catalogue) == [job_id]
        row = export_job(catalogue, job_id)
        assert row is not None
        assert row.status == ("failed" if attempt == MAX_ATTEMPTS else "queued")
    assert row is not None and f"{MAX_ATTEMPTS} times" in (row.error or "")
    requeued = catalogue.audit_log(action="export_requeued")
    assert len(requeued) == MAX_ATTEMPTS - 1 and requeued[0].detail["export_job"] == job_id
    assert catalogue.audit_log(action="export_failed")[0].detail["export_job"] == job_id


def test_a_live_process_keeps_its_job_and_a_running_job_is_not_deleted(tmp_path: Path) -> None:
    catalogue = Catalogue.open(tmp_path)
    job_id = queued(catalogue)
    claim_next(catalogue, this_holder())
    assert recover_abandoned(catalogue) == []
    with pytest.raises(CatalogueError, match="still running"):
        delete_export_job(catalogue, job_id, "ad")


def test_the_export_jobs_migration_goes_down_and_up(tmp_path: Path) -> None:
    catalogue = Catalogue.open(tmp_path)
    queued(catalogue)
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    with catalogue.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0006")
    with catalogue.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    with catalogue.session() as session:
        assert session.query(ExportJobRow).count() == 0
