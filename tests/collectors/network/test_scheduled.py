"""The scheduler runs a network source again and again in one process (each crawl in a child
process, so Twisted's one-shot reactor never gets in the way), indexes what it archived, and a
search for a commenter finds the comment linked to the page it was written on."""

from __future__ import annotations

import time
from pathlib import Path

import yaml

from archiveren.scheduler import SchedulerDaemon
from indexer.query_model import SearchRequest
from tests.collectors.network.conftest import LocalSite
from workspace import Workspace


def test_two_scheduled_runs_in_one_process_both_crawl_and_get_indexed(
    ning_site: LocalSite, tmp_path: Path
) -> None:
    config_path = tmp_path / "sources.yaml"
    source = {
        "name": "a20",
        "type": "network",
        "organisation": "BZK",
        "start_urls": [ning_site.url("/")],
        "profile": "ning",
        "delay_seconds": 0,
        "schedule": {"interval_seconds": 1},
    }
    config_path.write_text(
        yaml.safe_dump({"scheduler": {"verify_cron": None}, "sources": [source]}), encoding="utf-8"
    )
    ws = Workspace(config_path=config_path, data_dir=tmp_path / "data")
    daemon = SchedulerDaemon(ws)
    daemon.start()
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            finished = [
                run
                for run in ws.catalogue().runs("a20")
                if run.outcome not in ("running", "skipped")
            ]
            if len(finished) >= 2:
                break
            time.sleep(0.5)
    finally:
        daemon.shutdown()

    # both runs archive the one page in a changed layout (the second hears 304 for it) and say so
    assert [run.outcome for run in finished[:2]] == ["partial", "partial"]
    assert all(run.counts["profile_mismatch"] == 1 for run in finished[:2])
    # the first run fetched the seven pages, the second asked for each again and heard 304
    assert len(ning_site.answered(304)) >= 7

    # the crawl child's closed WARCs are registered in the parent's catalogue
    on_disk = {path.name for path in ws.archive_dir.glob("*.warc.gz")}
    assert on_disk and on_disk <= {row.name for row in ws.catalogue().warc_files()}

    backend = ws.backend()
    result = backend.search(
        SearchRequest(query='author:"Anneke de Wit"', filters={"kind": ["comment"]})
    )
    [hit] = result.hits
    assert hit.post.text == "Herkenbaar! Bij ons helpt een gezamenlijke werksessie."
    thread = backend.get(hit.post.thread_id)
    assert thread is not None and thread.title == "Omgevingswet in de praktijk"
