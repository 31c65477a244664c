"""WARC -> index benchmark: the real indexing pipeline (``indexer.pipeline.index_new_records``
over a workspace whose archive is a synthetic X collection from ``bench.x_corpus``) into tantivy
or an Elasticsearch/OpenSearch node, in Posts/s, beside the bare read of the same files
(``archive.iter_records``, every payload read) as its reference. Each function is one stage
that the runner starts in its own process, so the process's peak RSS is the stage's. The
stages import archiveren themselves: multiprocessing runs this main module again in every
extraction worker, and it should cost them what the `archiveren` command's costs, next to nothing.

    python -m bench.bench_pipeline read bench/out/corpus/x-10000
    python -m bench.bench_pipeline index bench/out/corpus/x-10000 --backend tantivy
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from config.models import ArchiverenConfig

TARGET_POSTS_PER_S = 10_000


def peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def read_reference(corpus: Path) -> dict[str, Any]:
    """Bare read of the corpus's WARCs: every record, every response payload, nothing parsed."""
    from archive import iter_records

    manifest = json.loads((corpus / "corpus.json").read_text())
    records = payload = 0
    started = time.perf_counter()
    for record in iter_records(corpus / "warcs"):
        records += 1
        if record.rec_type == "response":
            payload += len(record.raw_payload())
    seconds = time.perf_counter() - started
    return {
        "tweets": manifest["tweets"],
        "records": records,
        "payload_mb": round(payload / 1e6, 1),
        "seconds": round(seconds, 3),
        "posts_per_s": round(manifest["tweets"] / seconds),
        "mb_per_s": round(payload / 1e6 / seconds, 1),
        "peak_rss_mb": peak_rss_mb(),
    }


def bench_config(backend: str, engine_url: str | None, index_name: str) -> ArchiverenConfig:
    from config.models import ArchiverenConfig, Retention, SearchSettings, XSource

    search = SearchSettings(search_backend=backend)  # type: ignore[arg-type]
    if backend != "tantivy":
        search = SearchSettings(
            search_backend=backend,  # type: ignore[arg-type]
            hosts=[engine_url or "http://127.0.0.1:9200"],
            index_name=index_name,
        )
    source = XSource(
        name="x-bench",
        type="x",
        organisation="Ministerie van BZK",
        accounts=["bench"],
        bearer_token_env="ARCHIVEREN_BENCH_X_TOKEN",
        retention=Retention(category="1.1", years=10),
    )
    return ArchiverenConfig(organisation="Rijksoverheid", search=search, sources=[source])


def index_corpus(
    corpus: Path,
    work: Path,
    backend: str = "tantivy",
    engine_url: str | None = None,
    keep: bool = False,
) -> dict[str, Any]:
    """Index the corpus into a fresh workspace at ``work`` (its ``warcs`` links to the corpus);
    the engine's index is dropped afterwards unless ``keep``."""
    from indexer.pipeline import index_new_records
    from workspace import Workspace

    manifest = json.loads((corpus / "corpus.json").read_text())
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    (work / "warcs").symlink_to((corpus / "warcs").resolve(), target_is_directory=True)
    ws = Workspace(config_path=work / "archiveren.yaml", data_dir=work)
    index_name = f"archiveren-bench-{uuid.uuid4().hex[:8]}"
    ws.use_config(bench_config(backend, engine_url, index_name))
    try:
        # The clock starts with the workspace open, as an operator's is: creating its catalogue
        # and importing the libraries are one-off costs, not indexing, and so is creating the
        # engine's index. Opening the tantivy index and starting the extraction workers are
        # part of every run (`archiveren index`), so they are timed.
        ws.catalogue()
        if backend == "tantivy":
            import indexer.backends  # noqa: F401
        else:
            ws.backend()
        started = time.perf_counter()
        report = index_new_records(ws)
        indexed = ws.backend().count()  # also waits until the last batch is searchable
        seconds = time.perf_counter() - started
        if report.errors:
            raise RuntimeError(f"indexing {corpus} reported errors: {report.errors[:3]}")
        if backend != "tantivy" and not keep:
            ws.backend().drop()  # type: ignore[attr-defined]
    finally:
        ws.close()
    return {
        "backend": backend,
        "tweets": manifest["tweets"],
        "posts": indexed,
        "seconds": round(seconds, 2),
        "posts_per_s": round(indexed / seconds),
        "target_posts_per_s": TARGET_POSTS_PER_S,
        "target_met": indexed / seconds >= TARGET_POSTS_PER_S,
        "peak_rss_mb": peak_rss_mb(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("stage", choices=("read", "index"))
    parser.add_argument("corpus", type=Path, help="a directory written by bench.x_corpus")
    parser.add_argument(
        "--backend", default="tantivy", choices=("tantivy", "elasticsearch", "opensearch")
    )
    parser.add_argument("--engine-url", default=None)
    parser.add_argument("--work", type=Path, default=Path("bench/out/work/pipeline"))
    args = parser.parse_args(argv)
    if args.stage == "read":
        result = read_reference(args.corpus)
    else:
        result = index_corpus(args.corpus, args.work, args.backend, args.engine_url)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
