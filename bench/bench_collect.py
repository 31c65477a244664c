"""Collection benchmark: every demo source (blogs, X API, Mastodon, Ning, wiki on loopback)
collected once by ``collectors.runner.run_sources`` with politeness off (``http.delay_seconds``
0), so the figure is the pipeline's own cost per page, beside the reference of a plain
concurrent httpx fetch of the same URLs (the target URIs of the responses just archived).

    python -m bench.bench_collect --work bench/out/work/collect
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import time
from pathlib import Path
from typing import Any

import httpx
import yaml

from archive import iter_records
from bench.bench_pipeline import peak_rss_mb
from collectors.runner import run_sources
from config import load_config
from demo_sources import X_TOKEN_ENV, DemoSources

REFERENCE_CONCURRENCY = 8


async def _fetch_all(urls: list[str], token: str) -> int:
    limit = asyncio.Semaphore(REFERENCE_CONCURRENCY)
    headers = {"Authorization": f"Bearer {token}", "User-Agent": "archiveren-bench"}
    fetched = 0

    async def fetch(client: httpx.AsyncClient, url: str) -> None:
        nonlocal fetched
        async with limit:
            response = await client.get(url, headers=headers)
            await response.aread()
            fetched += 1

    async with httpx.AsyncClient(timeout=30) as client:
        await asyncio.gather(*(fetch(client, url) for url in urls))
    return fetched


def collect(work: Path) -> dict[str, Any]:
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    with DemoSources() as demo:
        os.environ[X_TOKEN_ENV] = demo.x_bearer_token
        raw = yaml.safe_load(demo.config_yaml())
        raw.setdefault("http", {})["delay_seconds"] = 0
        config_path = work / "archiveren.yaml"
        config_path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
        config = load_config(config_path)
        started = time.perf_counter()
        reports = run_sources(config, work / "data")
        seconds = time.perf_counter() - started
        urls = [
            record.pointer.target_uri
            for record in iter_records(work / "data" / "warcs")
            if record.rec_type == "response"
        ]
        failed = [r.source for r in reports if r.outcome == "failed"]
        if failed:
            raise RuntimeError(f"collection from the demo sources failed for {failed}")
        started = time.perf_counter()
        fetched = asyncio.run(_fetch_all(urls, demo.x_bearer_token))
        reference_seconds = time.perf_counter() - started
    warc_mb = sum(p.stat().st_size for p in (work / "data" / "warcs").glob("*.warc.gz")) / 1e6
    return {
        "sources": len(reports),
        "pages": len(urls),
        "warc_mb": round(warc_mb, 1),
        "seconds": round(seconds, 2),
        "pages_per_s": round(len(urls) / seconds, 1),
        "reference_pages": fetched,
        "reference_seconds": round(reference_seconds, 2),
        "reference_pages_per_s": round(fetched / reference_seconds, 1),
        "ratio_to_reference": round(reference_seconds / seconds, 3),
        "peak_rss_mb": peak_rss_mb(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=Path("bench/out/work/collect"))
    args = parser.parse_args(argv)
    print(json.dumps(collect(args.work)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
