"""``make bench``: run every benchmark, each beside its reference measured in the same run, and
write bench/RESULTS.md and bench/results.json (machine, versions, load, corpus sizes, medians
over several runs, ratios, targets met or not). ``--quick`` is the CI smoke subset (small sizes,
seconds; its ratios are what bench/baseline.json records), ``--full`` adds 1M Posts for
indexing and search, a 1 GB WARC and the 100k bag export. Generated data goes to bench/out/.

    python -m bench.run_all [--quick | --full] [--engine-url URL] [--write-baseline]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.environment import describe_machine
from bench.report import render_report, targets
from bench.stages import REPO, BenchError, Stage

OUT = Path(os.environ.get("ARCHIVEREN_BENCH_OUT") or REPO / "bench" / "out")
BASELINE = REPO / "bench" / "baseline.json"
REGRESSION_FACTOR = 3.0


@dataclass(frozen=True)
class Plan:
    name: str
    archive_mb: int
    archive_repeats: int
    # tweets -> repeats (tantivy and the read reference); this VM's speed swings by a quarter from
    # minute to minute, so the indexing rate is the median of several runs
    pipeline: dict[int, int]
    engine_pipeline: dict[int, int]  # tweets -> repeats (Elasticsearch/OpenSearch)
    search: tuple[int, ...]  # Posts for the search benchmark on both backends
    search_rounds: int
    collect_repeats: int
    exports: tuple[tuple[str, int], ...]  # (format, Posts) from the tantivy workspace
    soak_seconds: int = 0  # the scheduler soak (bench/soak.py); 0: not run
    objectstore_mb: int = 0  # WARC MB stored in and read from the S3 server; 0: not run
    signing_mb: int = 0  # MB of package hashed beside its signature (bench/bench_signing.py)


QUICK = Plan("quick", 5, 1, {2000: 1}, {}, (), 0, 0, (("csv", 2000),))
DEFAULT = Plan(
    "default",
    200,
    3,
    {10_000: 5, 100_000: 5},
    {10_000: 3, 100_000: 1},
    (100_000,),
    60,
    3,
    (("csv", 100_000), ("bag", 10_000)),
    soak_seconds=300,
    objectstore_mb=64,
    signing_mb=64,
)
FULL = Plan(
    "full",
    1000,
    1,
    {10_000: 5, 100_000: 5, 1_000_000: 3},
    {10_000: 3, 100_000: 1},
    (100_000, 1_000_000),
    60,
    3,
    (("csv", 100_000), ("bag", 10_000), ("bag", 100_000)),
    soak_seconds=600,
    objectstore_mb=256,
    signing_mb=256,
)


def find_engine(url: str | None) -> tuple[str | None, str]:
    """(URL of a healthy node or None, what it is or why there is none)."""
    url = url or os.environ.get("ARCHIVEREN_BENCH_ENGINE_URL")
    if url is None:
        status = subprocess.run(
            [sys.executable, str(REPO / "scripts" / "search-engine"), "status"],
            capture_output=True,
            text=True,
        )
        words = status.stdout.split()
        if status.returncode != 0 or not words or not words[0].startswith("http"):
            return (
                None,
                f"no engine node: `scripts/search-engine status` says {status.stdout.strip() or status.stderr.strip()!r}",
            )
        return words[0], " ".join(words[1:])
    url = url.rstrip("/")
    try:
        # The integration-test node answers GET / with 405, so ask its health and node version.
        with urllib.request.urlopen(f"{url}/_cluster/health", timeout=5) as response:
            health = json.load(response)
        with urllib.request.urlopen(
            f"{url}/_nodes/_local?filter_path=nodes.*.version", timeout=5
        ) as response:
            versions = [node["version"] for node in json.load(response)["nodes"].values()]
    except (OSError, ValueError, KeyError) as exc:
        return (
            None,
            f"the engine at {url} does not answer ({exc}); start it with `make engine-start`",
        )
    return url, f"version {', '.join(versions)}, cluster {health.get('status', '?')}"


def corpus_dir(tweets: int) -> Path:
    return OUT / "corpus" / f"x-{tweets}"


def workspace_dir(backend: str, tweets: int) -> Path:
    return OUT / "work" / f"index-{backend}-{tweets}"


def not_measured(reason: str) -> dict[str, Any]:
    return {"not_measured": reason}


def run_plan(plan: Plan, engine_url: str | None, engine_note: str, flavour: str) -> dict[str, Any]:
    results: dict[str, Any] = {"corpora": {}, "archive": {}, "pipeline": {}, "search": {}}

    print(f"archive: {plan.archive_mb} MB of pages", flush=True)
    archive_json = OUT / "archive.json"
    results["archive"] = Stage(
        "archive",
        ["bench.bench_archive", "--size-mb", str(plan.archive_mb), "--out", str(archive_json)],
        plan.archive_repeats,
        json_out=archive_json,
    ).run()

    sizes = sorted(set(plan.pipeline) | set(plan.engine_pipeline) | {s for _, s in plan.exports})
    for tweets in sizes:
        print(f"corpus: {tweets:,} tweets as X API pages", flush=True)
        corpus = Stage(
            f"corpus {tweets}",
            ["bench.x_corpus", "--tweets", str(tweets), "--out", str(corpus_dir(tweets))],
        ).run()
        results["corpora"][str(tweets)] = corpus

    for tweets in sizes:
        figures: dict[str, Any] = {}
        repeats = plan.pipeline.get(tweets, 1)
        print(f"pipeline: {tweets:,} tweets", flush=True)
        figures["read"] = Stage(
            f"read {tweets}",
            ["bench.bench_pipeline", "read", str(corpus_dir(tweets))],
            max(repeats, 3),
        ).run()
        figures["tantivy"] = Stage(
            f"index tantivy {tweets}",
            [
                "bench.bench_pipeline",
                "index",
                str(corpus_dir(tweets)),
                "--work",
                str(workspace_dir("tantivy", tweets)),
            ],
            repeats,
        ).run()
        if tweets in plan.engine_pipeline:
            figures[flavour] = (
                Stage(
                    f"index {flavour} {tweets}",
                    [
                        "bench.bench_pipeline",
                        "index",
                        str(corpus_dir(tweets)),
                        "--backend",
                        flavour,
                        "--engine-url",
                        engine_url,
                        "--work",
                        str(workspace_dir(flavour, tweets)),
                    ],
                    plan.engine_pipeline[tweets],
                ).run()
                if engine_url
                else not_measured(engine_note)
            )
        results["pipeline"][str(tweets)] = figures

    for posts in plan.search:
        print(f"search: {posts:,} synthetic Posts", flush=True)
        tantivy_json = OUT / f"search-tantivy-{posts}.json"
        figures = {
            "tantivy": Stage(
                f"search tantivy {posts}",
                [
                    "bench.bench_search",
                    "--posts",
                    str(posts),
                    "--rounds",
                    str(plan.search_rounds),
                    "--out",
                    str(tantivy_json),
                    "--data-dir",
                    str(OUT / "work" / f"search-tantivy-{posts}"),
                ],
                json_out=tantivy_json,
            ).run()
        }
        if engine_url and posts <= 100_000:
            engine_json = OUT / f"search-{flavour}-{posts}.json"
            figures[flavour] = Stage(
                f"search {flavour} {posts}",
                [
                    "bench.bench_engine_search",
                    "--engine-url",
                    engine_url,
                    "--flavour",
                    flavour,
                    "--posts",
                    str(posts),
                    "--rounds",
                    str(plan.search_rounds),
                    "--out",
                    str(engine_json),
                ],
                json_out=engine_json,
            ).run()
        elif engine_url:
            figures[flavour] = not_measured(
                "1M Posts into the single-node engine (512 MB heap) does not fit the run's time on this machine"
            )
        else:
            figures[flavour] = not_measured(engine_note)
        results["search"][str(posts)] = figures
        results.setdefault("ui", {})[str(posts)] = Stage(
            f"ui search page {posts}",
            ["bench.bench_ui", str(OUT / "work" / f"search-tantivy-{posts}")],
        ).run()

    if plan.collect_repeats:
        print("collection: the demo sources, politeness off", flush=True)
        results["collection"] = Stage(
            "collect",
            ["bench.bench_collect", "--work", str(OUT / "work" / "collect")],
            plan.collect_repeats,
        ).run()

    if plan.objectstore_mb:
        print(f"object store: {plan.objectstore_mb} MB of WARC files beside local disk", flush=True)
        objectstore_json = OUT / "objectstore.json"
        results["objectstore"] = Stage(
            "objectstore",
            [
                "bench.bench_objectstore",
                "--size-mb",
                str(plan.objectstore_mb),
                "--out",
                str(objectstore_json),
            ],
            json_out=objectstore_json,
        ).run()

    if plan.signing_mb:
        print(f"signing: an export's signature beside hashing {plan.signing_mb} MB", flush=True)
        signing_json = OUT / "signing.json"
        results["signing"] = Stage(
            "signing",
            ["bench.bench_signing", "--mb", str(plan.signing_mb), "--out", str(signing_json)],
            json_out=signing_json,
        ).run()

    if plan.soak_seconds:
        print(f"soak: the scheduler for {plan.soak_seconds} s on 2 s intervals", flush=True)
        results["soak"] = Stage(
            "soak",
            [
                "bench.soak",
                "--seconds",
                str(plan.soak_seconds),
                "--workdir",
                str(OUT / "work" / "soak"),
            ],
        ).run()

    results["export"] = {}
    for posts in sorted({s for _, s in plan.exports}):
        work = str(workspace_dir("tantivy", posts))
        results["export"][f"scan-{posts}"] = Stage(
            f"scan {posts}", ["bench.bench_export", work, "--format", "scan"], 3
        ).run()
    for fmt, posts in plan.exports:
        print(f"export: {fmt} of {posts:,} Posts", flush=True)
        work = str(workspace_dir("tantivy", posts))
        results["export"][f"{fmt}-{posts}"] = Stage(
            f"export {fmt} {posts}", ["bench.bench_export", work, "--format", fmt]
        ).run()
    return results


def ratios(results: dict[str, Any]) -> dict[str, float]:
    """The figures the CI smoke check compares with bench/baseline.json: each a ratio to its
    own same-run reference, higher is better, so machine speed and load mostly cancel out."""
    found: dict[str, float] = {
        "archive write / raw gzip": results["archive"]["write"]["ratio_to_raw"],
        "archive read (fastwarc) / raw gunzip": results["archive"]["read_fastwarc"]["ratio_to_raw"],
        "archive read (warcio) / raw gunzip": results["archive"]["read_warcio"]["ratio_to_raw"],
    }
    for tweets, figures in results["pipeline"].items():
        found[f"index tantivy {tweets} / bare WARC read"] = round(
            figures["tantivy"]["posts_per_s"] / figures["read"]["posts_per_s"], 5
        )
    for name, figures in results["export"].items():
        fmt, posts = name.split("-")
        if fmt != "scan":
            found[f"export {name} / scan"] = round(
                figures["posts_per_s"] / results["export"][f"scan-{posts}"]["posts_per_s"], 4
            )
    return found


def regressions(current: dict[str, float], baseline: dict[str, float]) -> list[str]:
    """The ratios more than REGRESSION_FACTOR times worse than recorded (missing ones count)."""
    found = []
    for name, recorded in baseline.items():
        now = current.get(name)
        if now is None:
            found.append(f"{name}: recorded {recorded}, not measured in this run")
        elif now < recorded / REGRESSION_FACTOR:
            found.append(
                f"{name}: {now} is more than {REGRESSION_FACTOR:g}x worse than the recorded {recorded}"
            )
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="CI smoke subset: small sizes, seconds")
    size.add_argument("--full", action="store_true", help="add 1M Posts, a 1 GB WARC, 100k bag")
    parser.add_argument("--engine-url", default=None, help="default: scripts/search-engine status")
    parser.add_argument(
        "--flavour", default="elasticsearch", choices=("elasticsearch", "opensearch")
    )
    parser.add_argument(
        "--report",
        type=Path,
        default=None,
        help="default bench/RESULTS.md (quick: bench/out/quick-RESULTS.md)",
    )
    parser.add_argument(
        "--write-baseline",
        action="store_true",
        help="record this run's ratios in bench/baseline.json",
    )
    parser.add_argument(
        "--check-baseline",
        action="store_true",
        help="exit 1 when a ratio is 3x worse than bench/baseline.json",
    )
    args = parser.parse_args(argv)
    plan = QUICK if args.quick else FULL if args.full else DEFAULT
    report = args.report or (
        OUT / "quick-RESULTS.md" if args.quick else REPO / "bench" / "RESULTS.md"
    )
    OUT.mkdir(parents=True, exist_ok=True)

    engine_url, engine_note = (
        (None, "not part of the quick subset") if args.quick else find_engine(args.engine_url)
    )
    started = time.time()
    document: dict[str, Any] = {
        "plan": plan.name,
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": describe_machine(),
        "engine": {"url": engine_url, "about": engine_note, "flavour": args.flavour},
    }
    print(
        f"bench ({plan.name}); engine: {engine_url or 'not measured'} ({engine_note})", flush=True
    )
    try:
        document.update(run_plan(plan, engine_url, engine_note, args.flavour))
    except BenchError as exc:
        print(f"bench: {exc}", file=sys.stderr)
        return 1
    document["machine"]["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    document["duration_seconds"] = round(time.time() - started)
    document["ratios"] = ratios(document)
    document["targets"] = targets(document)
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text(render_report(document), encoding="utf-8")
    report.with_name("results.json" if not args.quick else "quick-results.json").write_text(
        json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    if args.write_baseline:
        baseline = {
            "plan": plan.name,
            "recorded_at": document["started_at"],
            "rule": "fail when a ratio falls below its recorded value / 3",
            "ratios": document["ratios"],
        }
        BASELINE.write_text(json.dumps(baseline, indent=2) + "\n")
    print(f"wrote {report} ({document['duration_seconds']} s)")
    if args.check_baseline:
        failed = regressions(document["ratios"], json.loads(BASELINE.read_text())["ratios"])
        for line in failed:
            print(f"bench: regression: {line}", file=sys.stderr)
        return 1 if failed else 0
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
