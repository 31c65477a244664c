"""scheduler.shard and the claims that keep several collector hosts from doubling the
schedule: shards count from 1 to n, a shard runs on one live scheduler at a time, and a
scheduler for all sources never runs beside sharded ones (nor shards counting to another n)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from archiveren.shards import claim_name, claimed_shard
from catalogue.store import Catalogue
from config.models import SchedulerSettings
from foundation.errors import AlreadyRunning


@pytest.mark.parametrize("shard", ["0/2", "3/2", "1/0"])
def test_a_shard_outside_one_to_n_is_refused_saying_how_shards_count(shard: str) -> None:
    with pytest.raises(ValidationError, match="i from 1 to n"):
        SchedulerSettings(shard=shard)


@pytest.mark.parametrize(
    ("held", "wanted", "refused"),
    [
        ("1/2", "2/2", False),
        ("1/2", "1/2", True),
        ("1/2", None, True),
        (None, "1/2", True),
        ("1/2", "1/3", True),
    ],
)
def test_a_scheduler_is_refused_when_a_live_one_runs_any_of_its_sources(
    tmp_path: Path, held: str | None, wanted: str | None, refused: bool
) -> None:
    catalogue = Catalogue.open(tmp_path)
    other_host = "collector-b:4242"  # a scheduler on another host, alive (fresh heartbeat)
    assert catalogue.acquire_run_lock(claim_name(held), other_host, 600)
    if refused:
        with (
            pytest.raises(
                AlreadyRunning,
                match=f"{'shard ' + wanted if wanted else 'all sources'}.*collector-b:4242",
            ),
            claimed_shard(catalogue, wanted, stale_after_seconds=600),
        ):
            pass
    else:
        with claimed_shard(catalogue, wanted, stale_after_seconds=600):
            pass
    catalogue.release_run_lock(claim_name(held), other_host)
    with claimed_shard(catalogue, wanted, stale_after_seconds=600):
        pass  # free again once the other one stopped
    catalogue.close()
