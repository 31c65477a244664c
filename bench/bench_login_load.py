"""Search page latency while logins hash passwords: the real server (`python -m archiveren serve`
in a subprocess, over the ui tests' small archive) answers /search alone, then while 16 clients
log in with the right password over and over (argon2id, deliberately slow). Reports the median
and p95 wall time of the search page in both phases, and how many logins went through.

    python -m bench.bench_login_load [--parallel 16] [--seconds 8]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from tests.fixtures.ui import ACCOUNTS, _free_socket, build_ui_workspace


def _search_times(client: httpx.Client, seconds: float) -> list[float]:
    times = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        started = time.perf_counter()
        client.get("/search", params={"q": "ambtenaar"}).raise_for_status()
        times.append((time.perf_counter() - started) * 1000)
        time.sleep(0.05)
    return times


def _summary(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    return {
        "median_ms": round(statistics.median(ordered), 1),
        "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))], 1),
        "samples": len(ordered),
    }


def measure(parallel: int, seconds: float) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        ws, _ = build_ui_workspace(Path(tmp))
        ws.close()
        sock = _free_socket()
        port = sock.getsockname()[1]
        sock.close()
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "archiveren",
                "--config",
                str(ws.config_path),
                "--data-dir",
                str(ws.data_dir),
                "serve",
                "--port",
                str(port),
            ],
            env={**os.environ, "PYTHONPATH": os.getcwd()},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(300):
                try:
                    httpx.get(base + "/health")
                    break
                except httpx.TransportError:
                    time.sleep(0.05)
            with httpx.Client(base_url=base, timeout=60) as client:
                username, password = ACCOUNTS["archivist"]
                client.post(
                    "/login", json={"username": username, "password": password}
                ).raise_for_status()
                _search_times(client, 1)  # warm up
                alone = _search_times(client, seconds)
                stop = threading.Event()
                answers: list[int] = []

                def log_in_repeatedly(number: int) -> None:
                    name, secret = list(ACCOUNTS.values())[number % len(ACCOUNTS)]
                    with httpx.Client(base_url=base, timeout=120) as guesser:
                        while not stop.is_set():
                            answers.append(
                                guesser.post(
                                    "/login", json={"username": name, "password": secret}
                                ).status_code
                            )

                threads = [
                    threading.Thread(target=log_in_repeatedly, args=(n,)) for n in range(parallel)
                ]
                for thread in threads:
                    thread.start()
                time.sleep(1)
                loaded = _search_times(client, seconds)
                stop.set()
                for thread in threads:
                    thread.join()
        finally:
            server.terminate()
            server.wait(timeout=20)
    return {
        "alone": _summary(alone),
        f"with_{parallel}_parallel_logins": _summary(loaded),
        "login_answers": {str(code): answers.count(code) for code in sorted(set(answers))},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parallel", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=8.0)
    args = parser.parse_args(argv)
    print(json.dumps(measure(args.parallel, args.seconds), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
