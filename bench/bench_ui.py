"""Search page server time: the UI's /search rendered over an existing tantivy index, read from
the app's own Server-Timing header (target: under 300 ms at 1M Posts). The reference, measured
in the same run, is the bare backend search the page is built on.

    python -m bench.bench_ui DATA_DIR [--rounds N]   (DATA_DIR holds an `index`, e.g. one
    left by bench.bench_search)
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from indexer.query_model import SearchRequest
from search_ui.app import create_app
from search_ui.auth import hash_password
from workspace import Workspace

QUERIES = (
    "",
    "ambtenaar",
    "omgevingswet samenwerking",
    '"open data"',
    "platform:x AND woo",
    "digitaal*",
)
PAGE_TARGET_MS = 300.0


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))], 2)


def measure(data_dir: Path, rounds: int) -> dict[str, Any]:
    config = Path(tempfile.mkdtemp()) / "sources.yaml"
    config.write_text("organisation: bench\nsources: []\n", encoding="utf-8")
    ws = Workspace(config_path=config, data_dir=data_dir)
    if ws.catalogue().user("bench") is None:
        ws.catalogue().add_user("bench", hash_password("bench-wachtwoord"), "archivist")
    page_ms: list[float] = []
    backend_ms: list[float] = []
    with TestClient(create_app(ws)) as client:
        client.post(
            "/login", json={"username": "bench", "password": "bench-wachtwoord"}
        ).raise_for_status()
        for _ in range(rounds):
            for query in QUERIES:
                answer = client.get("/search", params={"q": query})
                answer.raise_for_status()
                page_ms.append(float(answer.headers["server-timing"].split("dur=")[1]))
                started = time.perf_counter()
                ws.backend().search(SearchRequest(query=query))
                backend_ms.append((time.perf_counter() - started) * 1000)
    posts = ws.backend().count()
    ws.close()
    p95 = percentile(page_ms, 0.95)
    return {
        "posts": posts,
        "requests": len(page_ms),
        "page_p50_ms": percentile(page_ms, 0.5),
        "page_p95_ms": p95,
        "page_max_ms": round(max(page_ms), 2),
        "backend_p50_ms": percentile(backend_ms, 0.5),
        "backend_p95_ms": percentile(backend_ms, 0.95),
        "page_over_backend_p50": round(
            statistics.median(page_ms) / statistics.median(backend_ms), 2
        ),
        "target_ms": PAGE_TARGET_MS,
        "target_met": p95 <= PAGE_TARGET_MS,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    print(json.dumps(measure(args.data_dir, args.rounds)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
