"""The scheduler's job store, as the catalogue holds it: APScheduler's table, read for each job's
next run time (``archiveren status`` and the UI's collector pages) without starting a scheduler."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import inspect, text

if TYPE_CHECKING:
    from catalogue.store import Catalogue

JOB_TABLE = "apscheduler_jobs"


def job_table(shard: str | None) -> str:
    """The job store table of the scheduler running ``shard`` ('i/n', or None for all sources):
    each shard's scheduler keeps its jobs apart, because an APScheduler job store is meant for
    one scheduler (two sharing one would run every job twice and remove each other's)."""
    if not shard:
        return JOB_TABLE
    index, count = shard.split("/")
    return f"{JOB_TABLE}_{index}_of_{count}"


def next_run_times(catalogue: Catalogue) -> dict[str, datetime]:
    """Next run of each scheduled job, read from every shard's job store (for `status` and the
    UI); a job several shards have (indexing, verification) shows its soonest run."""
    tables = [
        name
        for name in inspect(catalogue.engine).get_table_names()
        if name == JOB_TABLE or re.fullmatch(rf"{JOB_TABLE}_[0-9]+_of_[0-9]+", name)
    ]
    upcoming: dict[str, datetime] = {}
    with catalogue.engine.connect() as connection:
        for table in tables:
            rows = connection.execute(text(f"SELECT id, next_run_time FROM {table}")).all()
            for job_id, when in rows:
                if when is None:
                    continue
                at = datetime.fromtimestamp(when, UTC)
                upcoming[job_id] = min(at, upcoming.get(job_id, at))
    return upcoming
