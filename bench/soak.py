"""A soak run of ``archiveren schedule``, as an operator leaves it: the demo sources on loopback,
every source on a short interval, several runs at once, indexing after each run, the UI serving
searches and an operator's ``archiveren index`` beside it, and one source that fails throughout
(its failures notified to a webhook). Compressed: a 2 s interval makes a minute of the soak
about as many runs as a week of a 20-minute schedule.

It samples the scheduler process (resident memory, threads, open files) against the number of
runs made so far, and afterwards checks what an operator would: the log, the run history, the
notifications, ``verify``, and that the index holds every Post the sources served (the same
sources collected once into a fresh data dir are the reference).

``soak(workdir, seconds)`` is used by tests/archiveren/scheduling/test_soak.py and by bench/run_all.py;
``python -m bench.soak --seconds 600`` runs one by itself and prints its figures.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import yaml

from catalogue.store import Catalogue
from demo_sources import DemoSources
from demo_sources.runner import X_TOKEN_ENV

REPO = Path(__file__).resolve().parents[1]
FAILING_SOURCE = "blog-weg"
PASSWORD = "soak-wachtwoord-1"
LOG_PROBLEMS = (
    "Traceback",
    "raised an exception",
    "IntegrityError",
    "closed by a run that stopped before recording it",
)


@dataclass
class Sample:
    seconds: float
    runs: int
    rss_mb: float
    """Resident memory of the scheduler process that is its own (RssAnon): what a leak grows.
    File-backed pages (RssFile: the mapped search index and libraries) grow with the index and
    are the kernel's to reclaim; they are kept in ``mapped_mb``."""
    mapped_mb: float
    threads: int
    open_files: int


@dataclass
class SoakResult:
    seconds: float
    interval: int
    max_workers: int
    samples: list[Sample]
    runs_by_source: dict[str, list[dict[str, Any]]]
    notifications: list[dict[str, Any]]
    log: str
    index_runs: int
    searches: int
    verify_ok: bool
    posts: dict[str, int]
    reference_posts: dict[str, int]
    reference_seconds: float
    """One full collection of every healthy source, back to back in one process: the same-run
    reference for the soak's pace."""
    problems: list[str] = field(default_factory=list)

    @property
    def runs(self) -> int:
        return sum(
            1
            for runs in self.runs_by_source.values()
            for run in runs
            if run["outcome"] != "skipped"
        )

    @property
    def skipped(self) -> int:
        return sum(
            1
            for runs in self.runs_by_source.values()
            for run in runs
            if run["outcome"] == "skipped"
        )

    @property
    def runs_per_minute(self) -> float:
        return round(self.runs / self.seconds * 60, 1)

    @property
    def reference_runs_per_minute(self) -> float:
        sources = len(self.reference_posts)
        return round(sources / self.reference_seconds * 60, 1) if self.reference_seconds else 0.0

    def after_warm_up(self) -> list[Sample]:
        """Samples from the second half of the soak: startup, imports, the first full collection
        of every source and the allocator's arenas for every worker thread are behind the
        scheduler by then (on this machine its own memory levels off after about 90 s)."""
        return [s for s in self.samples if s.seconds >= self.seconds / 2]

    @property
    def rss_mb_per_1000_runs(self) -> float:
        """Growth of resident memory per thousand runs after warm-up (least squares)."""
        warm = self.after_warm_up()
        if len(warm) < 3 or warm[-1].runs == warm[0].runs:
            return 0.0
        slope = statistics.linear_regression([s.runs for s in warm], [s.rss_mb for s in warm]).slope
        return round(slope * 1000, 2)

    def rss_floor_growth_mb(self) -> float:
        """How far the lowest resident memory of the last quarter after warm-up lies above that
        of the first quarter: the floor moves only with what stays behind, while the runs in
        flight swing the samples around it by some 20-30 MB."""
        warm = self.after_warm_up() or self.samples
        quarter = max(1, len(warm) // 4)
        floor = min(s.rss_mb for s in warm[:quarter])
        return round(min(s.rss_mb for s in warm[-quarter:]) - floor, 1)

    def early_and_late(self, what: str) -> list[float]:
        """[median of the first quarter after warm-up, largest, median of the last quarter]:
        threads and open files move with the runs in flight, so single samples say little."""
        values = [getattr(s, what) for s in self.after_warm_up() or self.samples]
        quarter = max(1, len(values) // 4)
        return [
            statistics.median(values[:quarter]),
            max(values),
            statistics.median(values[-quarter:]),
        ]

    def figures(self) -> dict[str, Any]:
        warm = self.after_warm_up() or self.samples
        return {
            "seconds": round(self.seconds),
            "interval_seconds": self.interval,
            "max_workers": self.max_workers,
            "runs": self.runs,
            "skipped": self.skipped,
            "runs_per_minute": self.runs_per_minute,
            "reference_runs_per_minute": self.reference_runs_per_minute,
            "ratio_to_reference": round(self.runs_per_minute / self.reference_runs_per_minute, 2)
            if self.reference_runs_per_minute
            else None,
            "rss_mb_start": warm[0].rss_mb,
            "rss_mb_end": self.samples[-1].rss_mb,
            "rss_mb_per_1000_runs": self.rss_mb_per_1000_runs,
            "rss_floor_growth_mb": self.rss_floor_growth_mb(),
            "mapped_mb_start": warm[0].mapped_mb,
            "mapped_mb_end": self.samples[-1].mapped_mb,
            "threads": self.early_and_late("threads"),
            "open_files": self.early_and_late("open_files"),
            "index_runs_beside": self.index_runs,
            "searches_beside": self.searches,
            "notifications": len(self.notifications),
            "problems": len(self.problems),
        }


class Webhook(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _WebhookHandler)
        self.received: list[dict[str, Any]] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hook"


class _WebhookHandler(BaseHTTPRequestHandler):
    server: Webhook

    def log_message(self, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.received.append(json.loads(body or b"{}"))
        self.send_response(204)
        self.end_headers()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def soak_config(demo: DemoSources, interval: int, max_workers: int, webhook_url: str) -> str:
    config = yaml.safe_load(demo.config_yaml())
    config["sources"].append(
        {"name": FAILING_SOURCE, "type": "feed", "url": f"http://127.0.0.1:{free_port()}/feed/"}
    )
    for source in config["sources"]:
        source["schedule"] = {"interval_seconds": interval}
    config["http"].update({"retries": 0, "timeout_seconds": 10})
    config["scheduler"] = {
        "max_workers": max_workers,
        "index_after_run": True,
        "verify_cron": None,
        "misfire_grace_seconds": 5,
        "notify": {"after_failures": 3, "webhook_url": webhook_url},
    }
    return yaml.safe_dump(config, sort_keys=False, allow_unicode=True)


class Cli:
    def __init__(self, config: Path, data: Path, env: dict[str, str]) -> None:
        self.config, self.data, self.env = config, data, env

    def argv(self, *args: str) -> list[str]:
        return [
            sys.executable,
            "-m",
            "archiveren",
            "--config",
            str(self.config),
            "--data-dir",
            str(self.data),
            *args,
        ]

    def run(self, *args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            self.argv(*args),
            cwd=REPO,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def start(self, *args: str, log: Path) -> subprocess.Popen[bytes]:
        with log.open("ab") as handle:
            return subprocess.Popen(
                self.argv(*args), cwd=REPO, env=self.env, stdout=handle, stderr=subprocess.STDOUT
            )

    def posts_by_source(self, names: list[str]) -> dict[str, int]:
        counts = {}
        for name in names:
            found = self.run("search", f"source:{name}", "--json", "--limit", "1")
            counts[name] = int(json.loads(found.stdout)["total"]) if found.returncode == 0 else -1
        return counts


def sample(pid: int, seconds: float, runs: int) -> Sample:
    status = dict(
        line.split(":", 1)
        for line in Path(f"/proc/{pid}/status").read_text().splitlines()
        if ":" in line
    )
    anon_kb, file_kb = (int(status[field].split()[0]) for field in ("RssAnon", "RssFile"))
    threads = len(os.listdir(f"/proc/{pid}/task"))
    open_files = len(os.listdir(f"/proc/{pid}/fd"))
    return Sample(
        round(seconds, 1),
        runs,
        round(anon_kb / 1024, 1),
        round(file_kb / 1024, 1),
        threads,
        open_files,
    )


def count_runs(catalogue: Catalogue) -> int:
    with catalogue.engine.connect() as connection:
        return int(
            connection.exec_driver_sql(
                "SELECT count(*) FROM runs WHERE outcome != 'skipped'"
            ).scalar()
            or 0
        )


def soak(
    workdir: Path,
    seconds: float,
    *,
    interval: int = 2,
    max_workers: int = 3,
    sample_every: float = 2.0,
    beside_every: float = 15.0,
) -> SoakResult:
    """Run the soak for ``seconds`` in ``workdir`` (made empty first) and gather its result."""
    workdir.mkdir(parents=True, exist_ok=True)
    webhook = Webhook()
    threading.Thread(target=webhook.serve_forever, daemon=True).start()
    with DemoSources() as demo:
        env = {
            **os.environ,
            X_TOKEN_ENV: demo.x_bearer_token,
            "PYTHONPATH": str(REPO),
            "ARCHIVEREN_SOAK_PASSWORD": PASSWORD,
        }
        config = workdir / "soak.yaml"
        config.write_text(soak_config(demo, interval, max_workers, webhook.url), encoding="utf-8")
        cli = Cli(config, workdir / "data", env)
        names = [source["name"] for source in yaml.safe_load(config.read_text())["sources"]]
        added = cli.run(
            "users",
            "add",
            "soak",
            "--role",
            "archivist",
            "--password-env",
            "ARCHIVEREN_SOAK_PASSWORD",
        )
        problems = [] if added.returncode == 0 else [f"users add: {added.stderr.strip()}"]
        port = free_port()
        ui = cli.start("serve", "--port", str(port), log=workdir / "serve.log")
        scheduler = cli.start("-v", "schedule", log=workdir / "schedule.log")
        catalogue = Catalogue.open(workdir / "data")
        samples: list[Sample] = []
        index_runs = searches = 0
        started = time.monotonic()
        next_beside = started + beside_every / 2
        try:
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as browser:
                while (now := time.monotonic()) - started < seconds:
                    if scheduler.poll() is not None:
                        problems.append(
                            f"the scheduler exited with {scheduler.returncode} after {now - started:.0f} s"
                        )
                        break
                    samples.append(sample(scheduler.pid, now - started, count_runs(catalogue)))
                    if now >= next_beside:
                        next_beside = now + beside_every
                        index_runs += 1
                        indexed = cli.run("index", "--wait", "300")
                        if indexed.returncode != 0:
                            problems.append(
                                f"archiveren index beside the scheduler: exit {indexed.returncode}: {indexed.stderr.strip()[-500:]}"
                            )
                        searches += 1
                        problems += _search_through_the_ui(browser)
                    time.sleep(max(0.0, sample_every - (time.monotonic() - now)))
        finally:
            elapsed = time.monotonic() - started
            scheduler.send_signal(signal.SIGTERM)
            try:
                scheduler.wait(timeout=120)
            except subprocess.TimeoutExpired:
                scheduler.kill()
                problems.append("the scheduler did not stop within 120 s of SIGTERM")
            ui.terminate()
            ui.wait(timeout=30)
        runs_by_source = {
            name: [
                _run_dict(run)
                for run in sorted(catalogue.runs(name, limit=100_000), key=lambda r: r.id)
            ]
            for name in names
        }
        catalogue.close()
        indexed = cli.run("index", "--wait", "300")
        if indexed.returncode != 0:
            problems.append(f"final index: {indexed.stderr.strip()[-500:]}")
        verify = cli.run("verify")
        healthy = [name for name in names if name != FAILING_SOURCE]
        posts = cli.posts_by_source(healthy)
        reference = Cli(config, workdir / "reference", env)
        reference_started = time.monotonic()
        collected = reference.run("collect", *healthy)
        reference_seconds = time.monotonic() - reference_started
        if collected.returncode != 0:
            problems.append(f"reference collect: {collected.stdout.strip()[-500:]}")
        reference.run("index")
        reference_posts = reference.posts_by_source(healthy)
    webhook.shutdown()
    (workdir / "samples.json").write_text(json.dumps([sample.__dict__ for sample in samples]))
    log = (workdir / "schedule.log").read_text(errors="replace")
    problems += [f"scheduler log: {needle!r}" for needle in LOG_PROBLEMS if needle in log]
    return SoakResult(
        seconds=elapsed,
        interval=interval,
        max_workers=max_workers,
        samples=samples,
        runs_by_source=runs_by_source,
        notifications=list(webhook.received),
        log=log,
        index_runs=index_runs,
        searches=searches,
        verify_ok=verify.returncode == 0,
        posts=posts,
        reference_posts=reference_posts,
        reference_seconds=reference_seconds,
        problems=problems,
    )


def _search_through_the_ui(browser: httpx.Client) -> list[str]:
    if "archiveren_session" not in browser.cookies and not browser.headers.get("X-CSRF-Token"):
        login = browser.post("/login", json={"username": "soak", "password": PASSWORD})
        if login.status_code != 200:
            return [f"UI login: {login.status_code}"]
        browser.headers["X-CSRF-Token"] = login.json().get("csrf_token", "")
    found = browser.get("/api/search", params={"q": "ambtenaar"})
    return (
        [] if found.status_code == 200 else [f"UI search: {found.status_code} {found.text[:200]}"]
    )


def _run_dict(run: Any) -> dict[str, Any]:
    return {
        "outcome": run.outcome,
        "started_at": run.started_at.timestamp(),
        "ended_at": run.ended_at.timestamp() if run.ended_at else None,
        "errors": list(run.errors),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.soak", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--seconds", type=float, default=600)
    parser.add_argument("--interval", type=int, default=2)
    parser.add_argument("--max-workers", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=REPO / "bench" / "out" / "soak")
    args = parser.parse_args(argv)
    result = soak(args.workdir, args.seconds, interval=args.interval, max_workers=args.max_workers)
    print(json.dumps({**result.figures(), "problems": result.problems}))
    return 0 if not result.problems else 1


if __name__ == "__main__":
    sys.exit(main())
