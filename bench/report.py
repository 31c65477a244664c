"""The benchmark report: the targets named in the issues judged met or not met from the run's
figures, and bench/RESULTS.md rendered from the results document that ``bench.run_all``
writes as bench/results.json (every figure beside its same-run reference)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

BEFORE_SIMPLIFICATION = Path(__file__).with_name("before_simplification.json")
"""tantivy's WARC -> index figures on the code before issue 22's simpler indexer, shown beside
each run's own."""
INDEX_TARGET = 10_000
SEARCH_P95_MS = 100.0
PEAK_TARGETS_MB = {"read": 200.0, "index": 500.0, "export": 300.0}
SOAK_RSS_MB_PER_1000_RUNS = 25.0


def _measured(figures: Any) -> bool:
    return isinstance(figures, dict) and "not_measured" not in figures


def targets(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per target: what, the figure, met (True/False) or None when not measured."""
    rows: list[dict[str, Any]] = []
    engine = doc["engine"]["flavour"]
    for tweets, figures in doc["pipeline"].items():
        for backend in ("tantivy", engine):
            if backend not in figures:
                continue
            what = f"WARC → index ≥ {INDEX_TARGET:,} Posts/s end to end ({backend}, {int(tweets):,} tweets)"
            if _measured(figures[backend]):
                rate = figures[backend]["posts_per_s"]
                rows.append(
                    {"target": what, "figure": f"{rate:,} Posts/s", "met": rate >= INDEX_TARGET}
                )
            else:
                rows.append(
                    {"target": what, "figure": figures[backend]["not_measured"], "met": None}
                )
    search_1m = doc["search"].get("1000000", {}).get("tantivy")
    what = f"search p95 ≤ {SEARCH_P95_MS:.0f} ms at 1M Posts on tantivy (whole mix, with facets)"
    if _measured(search_1m):
        p95 = search_1m["searches"]["whole mix"]["p95_ms"]
        rows.append({"target": what, "figure": f"{p95} ms", "met": p95 <= SEARCH_P95_MS})
    else:
        rows.append(
            {
                "target": what,
                "figure": "not measured in this plan (run `python -m bench.run_all --full`)",
                "met": None,
            }
        )
    for posts, figures in doc["search"].items():
        if posts != "1000000" and _measured(figures.get("tantivy")):
            p95 = figures["tantivy"]["searches"]["whole mix"]["p95_ms"]
            rows.append(
                {
                    "target": f"(same target at {int(posts):,} Posts, tantivy)",
                    "figure": f"{p95} ms",
                    "met": p95 <= SEARCH_P95_MS,
                }
            )
    for posts, page in doc.get("ui", {}).items():
        what = f"search page server time ≤ {page.get('target_ms', 300):.0f} ms (p95) at {int(posts):,} Posts, tantivy"
        if _measured(page):
            rows.append(
                {
                    "target": what,
                    "figure": f"{page['page_p95_ms']} ms (backend search p95 {page['backend_p95_ms']} ms)",
                    "met": page["page_p95_ms"] <= page["target_ms"],
                }
            )
        else:
            rows.append({"target": what, "figure": page["not_measured"], "met": None})
    soak = doc.get("soak")
    if soak:
        what = f"scheduler memory after warm-up grows ≤ {SOAK_RSS_MB_PER_1000_RUNS:.0f} MB per 1,000 runs; threads and open files do not grow"
        flat = (
            soak["threads"][2] <= soak["threads"][0] + 4
            and soak["open_files"][2] <= soak["open_files"][0] + 10
        )
        rows.append(
            {
                "target": what,
                "figure": f"{soak['rss_mb_per_1000_runs']} MB per 1,000 runs ({soak['runs']:,} runs, {soak['runs_per_minute']} a minute); threads {soak['threads'][0]} → {soak['threads'][2]}, open files {soak['open_files'][0]} → {soak['open_files'][2]}",
                "met": soak["rss_mb_per_1000_runs"] <= SOAK_RSS_MB_PER_1000_RUNS
                and flat
                and not soak["problems"],
            }
        )
    for stage, peak in peak_memory(doc):
        kind = stage.split()[0]
        limit = PEAK_TARGETS_MB.get(kind)
        if limit is not None:
            rows.append(
                {
                    "target": f"peak memory < {limit:.0f} MB: {stage}",
                    "figure": f"{peak} MB",
                    "met": peak < limit,
                }
            )
    return rows


def peak_memory(doc: dict[str, Any]) -> list[tuple[str, float]]:
    """(stage, peak RSS MB of its process, largest over its runs) for every stage run."""
    rows: list[tuple[str, float]] = [
        ("archive (write + raw gzip + warcio read)", doc["archive"]["stage"]["peak_rss_mb"])
    ]
    rows.append(
        (
            "read WARCs (fastwarc reader child of the archive stage)",
            doc["archive"]["read_fastwarc"]["peak_rss_mb"],
        )
    )
    for tweets, figures in doc["corpora"].items():
        rows.append((f"corpus generation {int(tweets):,} tweets", figures["stage"]["peak_rss_mb"]))
    for tweets, figures in doc["pipeline"].items():
        for name, stage in figures.items():
            if _measured(stage):
                label = "read" if name == "read" else f"index {name}"
                rows.append((f"{label} {int(tweets):,} tweets", stage["stage"]["peak_rss_mb"]))
    for posts, figures in doc["search"].items():
        for name, stage in figures.items():
            if _measured(stage):
                rows.append(
                    (
                        f"search {name} {int(posts):,} Posts (index + queries)",
                        stage["stage"]["peak_rss_mb"],
                    )
                )
    if "collection" in doc:
        rows.append(("collect demo sources", doc["collection"]["stage"]["peak_rss_mb"]))
    for name, figures in doc["export"].items():
        fmt, posts = name.split("-")
        rows.append(
            (
                f"{'export' if fmt != 'scan' else 'scan (export reference)'} {fmt} {int(posts):,} Posts",
                figures["stage"]["peak_rss_mb"],
            )
        )
    return rows


def _verdict(met: bool | None) -> str:
    return "not measured" if met is None else "**met**" if met else "**not met**"


def _table(header: list[str], rows: list[list[Any]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return lines + [""]


def _runs(stage: dict[str, Any]) -> str:
    info = stage["stage"]
    return f"{info['runs']} (load {', '.join(str(x) for x in info['load_average_after'])})"


def before_simplification() -> dict[str, Any]:
    """The recorded figures from before the simpler indexer, by tweets; empty without the file."""
    try:
        return dict(json.loads(BEFORE_SIMPLIFICATION.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return {}


def _before(before: dict[str, Any], tweets: str, backend: str) -> str:
    figures = before.get("tweets", {}).get(tweets) if backend == "tantivy" else None
    if not figures:
        return ""
    return f"{figures['posts_per_s']:,} ({figures['ratio_to_read']})"


def render_report(doc: dict[str, Any]) -> str:
    machine, engine = doc["machine"], doc["engine"]
    out = [
        "# archiveren benchmark results",
        "",
        f"Plan `{doc['plan']}`, started {doc['started_at']}, took {doc['duration_seconds']} s. "
        "Produced by `make bench` (`python -m bench.run_all`; `--quick` for the CI subset, `--full` "
        "for 1M Posts and a 1 GB WARC). Every figure is the median over its runs (peak memory: the "
        "largest), measured beside its reference in the same run; the raw figures are in "
        "[results.json](results.json).",
        "",
        "## Machine",
        "",
    ]
    libraries = ", ".join(f"{k} {v}" for k, v in machine["libraries"].items())
    out += _table(
        ["", ""],
        [
            ["CPU", f"{machine['cpu']}, {machine['cores']} cores"],
            ["memory", f"{machine['memory_gb']} GB"],
            ["OS, Python", f"{machine['os']}, Python {machine['python']}"],
            ["libraries", libraries],
            ["search engine", f"{engine['url'] or 'none'} ({engine['about']})"],
            [
                "load average (1/5/15 min) at start",
                " / ".join(map(str, machine["load_average_start"])),
            ],
            ["load average at end", " / ".join(map(str, machine.get("load_average_end", [])))],
        ],
    )
    out += [
        "Other work shares this 2-core machine; each table gives the 1-minute load average after "
        "each run, so a slow figure can be read against how busy the machine was.",
        "",
        "## Targets",
        "",
    ]
    out += _table(
        ["target", "figure", "verdict"],
        [[t["target"], t["figure"], _verdict(t["met"])] for t in doc["targets"]],
    )
    out += ["## Corpora", ""]
    out += _table(
        ["corpus", "size", "WARC files", "written in"],
        [
            [
                f"X API v2 pages, {int(n):,} tweets ({c['pages']:,} pages of 100)",
                f"{c['payload_mb']} MB JSON, {c['warc_mb']} MB WARC.gz",
                c["warc_files"],
                f"{c['write_seconds']} s",
            ]
            for n, c in doc["corpora"].items()
        ],
    )
    archive = doc["archive"]
    out += [
        "Search corpus: `bench.synthetic_posts` (Dutch civil-service vocabulary, Zipf-like; 45% X, "
        "15% Mastodon, 15% blog, 15% network, 5% wiki, 5% web; replies, comments and reposts). "
        f"Archive corpus: {archive['size_mb']} MB of HTML pages ({archive['uncompressed_warc_mb']} MB "
        f"of WARC records, {archive['compressed_mb']} MB compressed).",
        "",
        "## Archive: WARC write and read",
        "",
    ]
    w, r, wr = archive["write"], archive["read_fastwarc"], archive["read_warcio"]
    out += _table(
        ["figure", "archiveren", "reference (same run)", "ratio", "runs"],
        [
            [
                "write (WarcWriter)",
                f"{w['mb_per_s']} MB/s, {w['records_per_s']:,} records/s",
                f"raw gzip per record: {w['raw_gzip_mb_per_s']} MB/s",
                w["ratio_to_raw"],
                _runs(archive),
            ],
            [
                "read (archive.iter_records, fastwarc)",
                f"{r['mb_per_s']} MB/s, {r['records_per_s']:,} records/s",
                f"raw gunzip: {r['raw_gunzip_mb_per_s']} MB/s",
                r["ratio_to_raw"],
                "",
            ],
            [
                "read (warcio ArchiveIterator)",
                f"{wr['mb_per_s']} MB/s, {wr['records_per_s']:,} records/s",
                f"raw gunzip: {r['raw_gunzip_mb_per_s']} MB/s",
                wr["ratio_to_raw"],
                "",
            ],
        ],
    )
    out += ["## WARC → index (indexer.pipeline.index_new_records)", ""]
    before = before_simplification()
    rows = []
    for tweets, figures in doc["pipeline"].items():
        read = figures["read"]
        rows.append(
            [
                f"{int(tweets):,}",
                "bare WARC read (reference)",
                f"{read['posts_per_s']:,}",
                "1",
                f"{read['mb_per_s']} MB/s",
                _runs(read),
                "",
            ]
        )
        for name, stage in figures.items():
            if name == "read":
                continue
            if _measured(stage):
                rows.append(
                    [
                        f"{int(tweets):,}",
                        name,
                        f"{stage['posts_per_s']:,}",
                        round(stage["posts_per_s"] / read["posts_per_s"], 4),
                        f"{stage['seconds']} s for {stage['posts']:,} Posts",
                        _runs(stage),
                        _before(before, tweets, name),
                    ]
                )
            else:
                rows.append(
                    [f"{int(tweets):,}", name, "not measured", "", stage["not_measured"], "", ""]
                )
    out += _table(
        [
            "tweets",
            "path",
            "Posts/s",
            "ratio to read",
            "detail",
            "runs",
            "before the simpler indexer: Posts/s (ratio)",
        ],
        rows,
    )
    if before:
        out += [
            f"Before: tantivy on commit {before['commit'][:10]} ({before['date']}), before issue 22's simpler "
            f"indexer (bench/before_simplification.json); medians of its runs, each against the bare read of the same run.",
            "",
        ]
    out += ["## Search latency (with facets, date histogram, highlights)", ""]
    for posts, figures in doc["search"].items():
        names = list(figures)
        header = ["request"] + [f"{n} p50 / p95 / p99 ms" for n in names]
        queries: list[str] = []
        for stage in figures.values():
            if _measured(stage):
                queries += [q for q in stage["searches"] if q not in queries]
        rows = []
        for query in queries:
            row = [query]
            for stage in figures.values():
                s = stage["searches"].get(query) if _measured(stage) else None
                row.append(f"{s['p50_ms']} / {s['p95_ms']} / {s['p99_ms']}" if s else "—")
            rows.append(row)
        out += [f"### {int(posts):,} Posts", ""]
        for name, stage in figures.items():
            if _measured(stage):
                idx = stage["indexing"]
                out.append(
                    f"- {name}: indexed at {idx.get('posts_per_second', '?'):,} Posts/s (Posts straight into the backend)."
                )
            else:
                out.append(f"- {name}: not measured — {stage['not_measured']}.")
        out += [""] + _table(header, rows)
    if "collection" in doc:
        c = doc["collection"]
        out += ["## Collection from the demo sources (politeness off)", ""]
        out += _table(
            [
                "figure",
                "archiveren (run_sources)",
                "reference: plain concurrent httpx GETs",
                "ratio",
                "runs",
            ],
            [
                [
                    f"{c['pages']} pages from {c['sources']} sources",
                    f"{c['pages_per_s']} pages/s ({c['seconds']} s)",
                    f"{c['reference_pages_per_s']} pages/s ({c['reference_seconds']} s)",
                    c["ratio_to_reference"],
                    _runs(c),
                ]
            ],
        )
    if "soak" in doc:
        k = doc["soak"]
        out += [
            "## Scheduler soak (bench/soak.py: every demo source on a 2 s interval, the UI and `archiveren index` beside it, one source failing)",
            "",
        ]
        out += _table(
            [
                "soak",
                "runs",
                "runs/min",
                "reference runs/min",
                "ratio",
                "skipped",
                "RSS after warm-up → end",
                "MB per 1,000 runs",
                "threads",
                "open files",
                "problems",
            ],
            [
                [
                    f"{k['seconds']} s, {k['max_workers']} at once",
                    f"{k['runs']:,}",
                    k["runs_per_minute"],
                    k["reference_runs_per_minute"],
                    k["ratio_to_reference"],
                    f"{k['skipped']:,}",
                    f"{k['rss_mb_start']} → {k['rss_mb_end']} MB",
                    k["rss_mb_per_1000_runs"],
                    " / ".join(map(str, k["threads"])),
                    " / ".join(map(str, k["open_files"])),
                    len(k["problems"]) if isinstance(k["problems"], list) else k["problems"],
                ]
            ],
        )
        out += [
            "The reference is one full collection of every source, back to back in one process. Memory is the scheduler's own (RssAnon), growth measured over the second half. Threads and open files: median of the first quarter after warm-up / largest / median of the last quarter.",
            "",
        ]
    out += _objectstore_section(doc.get("objectstore"))
    out += _signing_section(doc.get("signing"))
    out += ["## Export (exports.run_export of every Post)", ""]
    rows = []
    for name, e in doc["export"].items():
        fmt, posts = name.split("-")
        if fmt == "scan":
            rows.append(
                [
                    f"{int(posts):,}",
                    "backend scan (reference)",
                    f"{e['seconds']} s",
                    f"{e['posts_per_s']:,}",
                    "",
                    f"{e['stage']['peak_rss_mb']} MB",
                    _runs(e),
                ]
            )
        else:
            rows.append(
                [
                    f"{int(posts):,}",
                    fmt,
                    f"{e['seconds']} s",
                    f"{e['posts_per_s']:,}",
                    f"{e['package_mb']} MB",
                    f"{e['stage']['peak_rss_mb']} MB",
                    _runs(e),
                ]
            )
    out += _table(["Posts", "format", "time", "Posts/s", "package", "peak memory", "runs"], rows)
    out += ["## Peak memory of every stage (ru_maxrss of the stage's own process)", ""]
    out += _table(["stage", "peak MB"], [[stage, peak] for stage, peak in peak_memory(doc)])
    out += [
        "## Ratios checked in CI",
        "",
        "`tests/bench/test_bench_smoke.py` runs the `--quick` subset and fails only when one of these ratios (each to its same-run reference, higher is better) falls below a third of its value in `bench/baseline.json`; absolute times are never checked. This run's ratios:",
        "",
    ]
    out += _table(["ratio", "value"], [[k, v] for k, v in doc["ratios"].items()])
    return "\n".join(out)


def _signing_section(figures: dict[str, Any] | None) -> list[str]:
    """What signing an export adds, beside hashing the package once (its reference)."""
    if figures is None:
        return []
    ratios = figures["ratios"]
    out = [
        f"## Signing an export (bench/bench_signing.py, a {figures['package_mb']} MB package)",
        "",
    ]
    out += _table(
        ["what", "time", "ratio to SHA-256 of the package"],
        [
            ["SHA-256 of the package (reference)", f"{figures['reference_sha256_s']} s", 1],
            [
                "ECDSA P-384 signature of the digest",
                f"{figures['sign_s']} s",
                ratios["sign_vs_sha256"],
            ],
            [
                "the same with an RFC 3161 timestamp (local authority on loopback)",
                f"{figures['sign_and_timestamp_s']} s",
                ratios["sign_and_timestamp_vs_sha256"],
            ],
            [
                "detached signature of a bag's tag manifest",
                f"{figures['tag_manifest_sign_s']} s",
                ratios["tag_manifest_sign_vs_sha256"],
            ],
        ],
    )
    return out


def _objectstore_section(figures: dict[str, Any] | None) -> list[str]:
    """WARC files in the S3 server beside the local disk, measured in the same run."""
    if figures is None:
        return []
    out = ["## WARC files in object storage (SeaweedFS on loopback) beside local disk", ""]
    if "not_measured" in figures:
        return [*out, f"Not measured: {figures['not_measured']}", ""]
    store, read, rand = figures["store"], figures["read_all"], figures["random_reads"]
    out += _table(
        ["what", "local disk (reference)", "object store", "ratio to local"],
        [
            [
                "store closed files (copy + fsync / upload + read back + check)",
                f"{store['local_copy_mb_s']} MB/s",
                f"{store['bucket_mb_s']} MB/s",
                store["ratio_to_local"],
            ],
            [
                "read every record (iter_records)",
                f"{read['local_mb_s']} MB/s",
                f"{read['bucket_mb_s']} MB/s",
                read["ratio_to_local"],
            ],
            [
                f"read {rand['reads']} random records by pointer",
                f"{rand['local_per_s']}/s",
                f"{rand['bucket_per_s']}/s",
                rand["ratio_to_local"],
            ],
        ],
    )
    out += [
        f"{figures['warc_mb']} MB in {figures['files']} files, {figures['records']:,} captures. ",
        "",
    ]
    return out
