"""Export benchmark: ``exports.run_export`` of every Post in an indexed benchmark
workspace (the tantivy workspace ``bench.bench_pipeline`` leaves behind), as a BagIt bag (WACZ
subset, MDTO per record, listings, report) or a CSV listing: seconds, Posts/s, package size and
the process's peak memory, beside the reference of the backend's bare ``scan`` of the same Posts.

    python -m bench.bench_export bench/out/work/index-tantivy-100000 --format bag
"""

from __future__ import annotations

import argparse
import json
import shutil
import time
from pathlib import Path
from typing import Any

from bench.bench_pipeline import bench_config, peak_rss_mb
from exports import run_export
from indexer.query_model import SearchRequest
from workspace import Workspace

TARGET_PEAK_MB = 300.0


def _size_mb(path: Path) -> float:
    if path.is_file():
        return path.stat().st_size / 1e6
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6


def _workspace(work: Path) -> Workspace:
    ws = Workspace(config_path=work / "archiveren.yaml", data_dir=work)
    ws.use_config(bench_config("tantivy", None, ""))
    return ws


def scan_reference(work: Path) -> dict[str, Any]:
    """The backend's bare scan of every Post (what any export must at least do)."""
    ws = _workspace(work)
    try:
        started = time.perf_counter()
        posts = sum(
            1
            for _ in ws.backend().scan(
                SearchRequest(query="", facets=[], date_histogram=None, highlight=False)
            )
        )
        seconds = time.perf_counter() - started
    finally:
        ws.close()
    return {
        "posts": posts,
        "seconds": round(seconds, 2),
        "posts_per_s": round(posts / seconds),
        "peak_rss_mb": peak_rss_mb(),
    }


def export_all(work: Path, fmt: str) -> dict[str, Any]:
    """Export every Post of the workspace at ``work`` in ``fmt``; the package is removed after."""
    ws = _workspace(work)
    out = work / "exports" / f"bench.{fmt}"
    shutil.rmtree(out, ignore_errors=True) if out.is_dir() else out.unlink(missing_ok=True)
    try:
        posts = ws.backend().count()
        started = time.perf_counter()
        run_export(
            ws,
            query="",
            filters={},
            fmt=fmt,
            out=out,
            reason="benchmark: export van alle berichten",
            user="bench",
        )
        seconds = time.perf_counter() - started
        size = _size_mb(out)
    finally:
        ws.close()
        shutil.rmtree(out, ignore_errors=True) if out.is_dir() else out.unlink(missing_ok=True)
    peak = peak_rss_mb()
    return {
        "format": fmt,
        "posts": posts,
        "seconds": round(seconds, 2),
        "posts_per_s": round(posts / seconds),
        "package_mb": round(size, 1),
        "peak_rss_mb": peak,
        "target_peak_mb": TARGET_PEAK_MB,
        "target_met": peak < TARGET_PEAK_MB,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("work", type=Path, help="an indexed workspace left by bench.bench_pipeline")
    parser.add_argument("--format", default="bag", choices=("bag", "csv", "scan"))
    args = parser.parse_args(argv)
    result = (
        scan_reference(args.work) if args.format == "scan" else export_all(args.work, args.format)
    )
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
