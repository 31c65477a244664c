"""The scheduler's job store, as the catalogue holds it: APScheduler's table, read for each job's
next run time (``archiveren status`` and the UI's collector pages) without starting a scheduler."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import inspect, text

if TYPE_CHECKING:
    from catalogue.store import Catalogue

JOB_TABLE = "apscheduler_jobs"


def next_run_times(catalogue: Catalogue) -> dict[str, datetime]:
    """Next run of each scheduled job, read from the job store (for `status` and the UI)."""
    if not inspect(catalogue.engine).has_table(JOB_TABLE):
        return {}
    with catalogue.engine.connect() as connection:
        rows = connection.execute(text(f"SELECT id, next_run_time FROM {JOB_TABLE}")).all()
    return {job_id: datetime.fromtimestamp(when, UTC) for job_id, when in rows if when is not None}
