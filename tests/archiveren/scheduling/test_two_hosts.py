"""Two collector hosts on one PostgreSQL catalogue: two `archiveren schedule` processes, each
standing for a host (ARCHIVEREN_HOST_NAME) with its own scheduler.shard, write into one shared
archive (a shared file system here; a bucket in a deployment). Every source runs on exactly one
host, once per period; every WARC file carries its host's name, so none collides; one indexer
afterwards finds the Posts of both hosts' sources. A third scheduler without a shard, or with a
shard already taken, is refused with a message that says what to change.

About 35 s on the project's busy 2-core machine."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from archive.naming import closed_warcs
from archiveren.scheduler import in_shard
from catalogue.jobs import next_run_times
from catalogue.store import Catalogue
from indexer.query_model import SearchRequest
from tests.archiveren.scheduling.conftest import feed_source, start_scheduler, stop, write_config
from workspace import Workspace

pytestmark = pytest.mark.slow
SOURCES = [f"bron-{n}" for n in range(8)]
PERIOD = 4
HOSTS = {"1/2": "collector-a", "2/2": "collector-b"}


class Blogs(ThreadingHTTPServer):
    """One feed per source at /NAME/feed/, two posts each, on loopback."""

    daemon_threads = True

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class BlogsHandler(BaseHTTPRequestHandler):
    server: Blogs

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        name, _, rest = self.path.strip("/").partition("/")
        if self.path == "/robots.txt":
            body, content_type = b"User-agent: *\nAllow: /\n", "text/plain"
        elif rest == "feed":
            base = f"{self.server.url}/{name}"
            items = "".join(
                f"<item><title>{name} bericht {n}</title><link>{base}/p/{n}/</link><guid>{base}/p/{n}/</guid>"
                f"<pubDate>{format_datetime(datetime(2024, 2, n + 1, tzinfo=UTC))}</pubDate><description>{name} over samenwerken</description></item>"
                for n in range(2)
            )
            body = f'<?xml version="1.0"?><rss version="2.0"><channel><title>{name}</title><link>{base}/</link><description>d</description>{items}</channel></rss>'.encode()
            content_type = "application/rss+xml"
        elif rest.startswith("p/"):
            body = f"<html><body><article><h1>{name}</h1><p>{self.path}</p></article></body></html>".encode()
            content_type = "text/html; charset=utf-8"
        else:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def blogs() -> Iterator[Blogs]:
    server = Blogs(("127.0.0.1", 0), BlogsHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


def host_config(path: Path, blogs: Blogs, url: str, shard: str | None) -> Path:
    sources = "".join(feed_source(name, f"{blogs.url}/{name}", interval=PERIOD) for name in SOURCES)
    extra = ", index_after_run: false" + (f", shard: '{shard}'" if shard else "")
    return write_config(path, sources, extra, url)


def refused(process: subprocess.Popen[bytes], log: Path) -> str:
    """The output of a scheduler that should have refused to run, once it has exited."""
    try:
        code = process.wait(90)
    except subprocess.TimeoutExpired:
        stop(process)
        pytest.fail(f"a scheduler ran beside the sharded ones: {log.read_text()}")
    assert code != 0
    return log.read_text(encoding="utf-8")


def test_two_sharded_hosts_run_every_source_once_per_period_and_one_indexer_reads_both(
    blogs: Blogs, tmp_path: Path, postgres_url: str
) -> None:
    data = tmp_path / "shared"
    configs = {
        shard: host_config(tmp_path / f"{host}.yaml", blogs, postgres_url, shard)
        for shard, host in HOSTS.items()
    }
    began = time.monotonic()
    hosts = [
        start_scheduler(configs[shard], data, tmp_path / f"{host}.log", host_name=host)
        for shard, host in HOSTS.items()
    ]
    try:
        time.sleep(PERIOD + 2)
        unsharded_config = host_config(tmp_path / "c.yaml", blogs, postgres_url, None)
        third = start_scheduler(
            unsharded_config, data, tmp_path / "collector-c.log", host_name="collector-c"
        )
        fourth = start_scheduler(
            configs["2/2"], data, tmp_path / "collector-d.log", host_name="collector-d"
        )
        unsharded = refused(third, tmp_path / "collector-c.log")
        taken = refused(fourth, tmp_path / "collector-d.log")
        time.sleep(PERIOD)
    finally:
        codes = [stop(process) for process in hosts]
    periods = (time.monotonic() - began) / PERIOD
    assert codes == [0, 0]

    assert "1/2 (held by collector-a:" in unsharded and "2/2 (held by collector-b:" in unsharded
    assert "give every collector host its own scheduler.shard" in unsharded
    assert "Traceback" not in unsharded
    assert "shard 2/2 is already running by collector-b:" in taken

    catalogue = Catalogue.open(data, postgres_url)
    try:
        runs = {
            name: sorted(catalogue.runs(name, limit=100), key=lambda r: r.id) for name in SOURCES
        }
        registered = sorted(row.name for row in catalogue.warc_files())
        upcoming = next_run_times(catalogue)  # what `status` and the UI read, from both shards
    finally:
        catalogue.close()
    for name, source_runs in runs.items():
        owner = next(host for shard, host in HOSTS.items() if in_shard(name, shard))
        ran = [run for run in source_runs if run.outcome != "skipped"]
        assert len(ran) >= 2, f"{name} ran {len(ran)} times"
        assert {run.host.rpartition(":")[0] for run in ran} == {owner}, name
        # Both hosts running a source would make about twice as many runs as periods.
        assert len(ran) <= periods + 1, f"{name} ran {len(ran)} times in {periods:.1f} periods"

    assert {f"collect:{name}" for name in SOURCES} <= set(upcoming)

    files = [path.name for path in closed_warcs(data / "warcs")]
    assert registered == files
    assert all(name.endswith(("-collector-a.warc.gz", "-collector-b.warc.gz")) for name in files)
    assert any(name.endswith("-collector-a.warc.gz") for name in files)
    assert any(name.endswith("-collector-b.warc.gz") for name in files)

    indexed = subprocess.run(
        [
            sys.executable,
            "-m",
            "archiveren",
            "--config",
            str(configs["1/2"]),
            "--data-dir",
            str(data),
            "index",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert indexed.returncode == 0, indexed.stderr
    workspace = Workspace(config_path=configs["1/2"], data_dir=data)
    try:
        posts = list(workspace.backend().scan(SearchRequest(query="")))
    finally:
        workspace.close_backend()
    assert {post.source for post in posts} == set(SOURCES)
    for post in posts:
        owner = next(host for shard, host in HOSTS.items() if in_shard(post.source, shard))
        assert post.capture is not None and post.capture.warc_file.endswith(f"-{owner}.warc.gz")
