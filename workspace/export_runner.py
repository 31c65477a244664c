"""Running one queued export job: resolve its query as search does (``legal_hold:`` and
``hold:`` through the catalogue), count what it will export, build the package with
``exports.run_export`` while its progress goes to the catalogue, zip a package directory into
one file to download, and record the package's size and SHA-256, or the reason it failed."""

from __future__ import annotations

import logging
import shutil
from datetime import UTC, datetime
from pathlib import Path

from catalogue.export_jobs import fail_job, finish_job, record_progress
from catalogue.schema import ExportJobRow
from exports import run_export
from exports.package import sha256_file
from exports.zipped import zip_directory
from foundation.errors import ArchiverenError
from indexer.query_model import SearchRequest
from workspace import Workspace
from workspace.hold_query import resolve as resolve_holds

log = logging.getLogger("exports")
SUFFIXES = {"bag": "", "transfer": "", "wacz": ".wacz", "csv": ".csv", "jsonl": ".jsonl"}


def job_target(ws: Workspace, job: ExportJobRow) -> Path:
    """Where the job's package is written: its id and the time it started, never reused."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return ws.exports_dir / f"export-{job.id}-{job.fmt}-{stamp}{SUFFIXES.get(job.fmt, '')}"


def run_job(ws: Workspace, job: ExportJobRow, case_number: str = "") -> None:
    """Build ``job``'s package and record how it ended; never raises for a failed export."""
    catalogue = ws.catalogue()
    try:
        request = resolve_holds(
            catalogue,
            SearchRequest(
                query=job.query,
                filters=job.filters,
                facets=[],
                date_histogram=None,
                highlight=False,
                limit=0,
            ),
        )
        total = ws.backend().search(request).total
        record_progress(catalogue, job.id, 0, 0, total=total)
        target = job_target(ws, job)
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        path = run_export(
            ws,
            query=request.query,
            filters=request.filters,
            fmt=job.fmt,
            out=target,
            reason=job.reason,
            user=job.created_by,
            case=case_number,
            excel=job.excel,
            on_progress=lambda done, written: record_progress(catalogue, job.id, done, written),
        )
        if path.is_dir():
            packaged = zip_directory(path, path.with_name(path.name + ".zip"))
            shutil.rmtree(path)
            path = packaged
        finish_job(
            catalogue, job.id, path=str(path), size=path.stat().st_size, sha256=sha256_file(path)
        )
    except ArchiverenError as exc:
        fail_job(catalogue, job.id, str(exc))
        catalogue.audit(
            job.created_by, "export_failed", export_job=job.id, fmt=job.fmt, error=str(exc)
        )
    except Exception as exc:  # the worker must outlive any export; the log keeps the traceback
        log.exception("export job %s failed", job.id)
        message = f"the export stopped on an unexpected {exc.__class__.__name__}: {exc}"
        fail_job(catalogue, job.id, message)
        catalogue.audit(
            job.created_by, "export_failed", export_job=job.id, fmt=job.fmt, error=message
        )
