"""The exports made in the UI and the API: the list (who, when, why, format, size, status,
SHA-256), one job's page with its progress, the download (compliance and admin; each download
in the audit log) and deletion of a package by an admin (file and row, logged)."""

from __future__ import annotations

import logging
import mimetypes
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, RedirectResponse
from starlette.responses import Response

from catalogue.cases import case_number, case_numbers
from catalogue.export_jobs import delete_export_job, export_job, export_jobs
from catalogue.schema import ExportJobRow
from exports.manifest import manifest_path
from foundation.errors import ArchiverenError
from search_ui.auth import CSRF_FIELD, Forbidden, User, check_csrf, require
from search_ui.rendering import render
from workspace import Workspace

router = APIRouter()
log = logging.getLogger("search_ui")


class ExportProblem(ArchiverenError):
    """An export cannot be shown, downloaded or deleted; the pages say why in their language
    (``message_key`` in messages_exports.json)."""

    def __init__(self, message: str, key: str, **values: object) -> None:
        super().__init__(message)
        self.message_key = key
        self.message_values = values


class ExportNotFound(ExportProblem):
    """No export job with this id, or its package is gone; answered with 404."""


class ExportBusy(ExportProblem):
    """The export is still running, so it cannot be deleted yet; answered with 409."""


@dataclass(frozen=True)
class ExportView:
    """An export job as the pages and the API show it."""

    id: int
    status: str
    created_by: str
    created_at: datetime
    fmt: str
    reason: str
    query: str
    filters: dict[str, list[str]]
    case_id: int | None
    total: int | None
    posts_done: int
    bytes_done: int
    size: int | None
    sha256: str | None
    error: str | None
    finished_at: datetime | None
    file_name: str
    case_number: str = ""

    @classmethod
    def of(cls, row: ExportJobRow, case_number: str = "") -> ExportView:
        return cls(
            id=row.id,
            status=row.status,
            created_by=row.created_by,
            created_at=row.created_at,
            fmt=row.fmt,
            reason=row.reason,
            query=row.query,
            filters=row.filters,
            case_id=row.case_id,
            total=row.total,
            posts_done=row.posts_done,
            bytes_done=row.bytes_done,
            size=row.size,
            sha256=row.sha256,
            error=row.error,
            finished_at=row.finished_at,
            file_name=Path(row.path).name if row.path else "",
            case_number=case_number,
        )

    @property
    def download_url(self) -> str:
        return f"/exports/{self.id}/download"

    @property
    def ended(self) -> bool:
        return self.status in ("done", "failed")


def find_job(ws: Workspace, job_id: int) -> ExportJobRow:
    row = export_job(ws.catalogue(), job_id)
    if row is None:
        raise ExportNotFound(
            f"export {job_id} does not exist (it may have been deleted)",
            "exports.not_found",
            id=job_id,
        )
    return row


@router.get("/exports", include_in_schema=False)
def exports_page(
    request: Request, user: Annotated[User, Depends(require("compliance"))]
) -> Response:
    ws: Workspace = request.app.state.ws
    numbers = case_numbers(ws.catalogue())
    jobs = [
        ExportView.of(row, numbers.get(row.case_id or 0, "")) for row in export_jobs(ws.catalogue())
    ]
    message = request.query_params.get("deleted", "")
    return render(
        request, "exports.html", {"jobs": jobs, "deleted": message if message.isdigit() else ""}
    )


@router.get("/exports/{job_id}", include_in_schema=False)
def export_page(
    request: Request, job_id: int, user: Annotated[User, Depends(require("compliance"))]
) -> Response:
    row = find_job(request.app.state.ws, job_id)
    job = ExportView.of(row, case_number(request.app.state.ws.catalogue(), row.case_id))
    return render(request, "export_job.html", {"job": job})


@router.get("/exports/{job_id}/download", include_in_schema=False)
def download(
    request: Request, job_id: int, user: Annotated[User, Depends(require("compliance"))]
) -> Response:
    ws: Workspace = request.app.state.ws
    row = find_job(ws, job_id)
    if row.status != "done" or not row.path or not Path(row.path).is_file():
        raise ExportNotFound(
            f"export {job_id} has no package to download (status {row.status}); "
            "wait until it is done, or start it again",
            "exports.no_package",
            id=job_id,
        )
    ws.catalogue().audit(
        user.username,
        "export_download",
        export_job=row.id,
        fmt=row.fmt,
        sha256=row.sha256,
        size=row.size,
        file=Path(row.path).name,
        case_number=case_number(ws.catalogue(), row.case_id),
    )
    media_type = mimetypes.guess_type(row.path)[0] or "application/octet-stream"
    return FileResponse(row.path, media_type=media_type, filename=Path(row.path).name)


@router.get("/exports/{job_id}/manifest", include_in_schema=False)
def download_manifest(
    request: Request, job_id: int, user: Annotated[User, Depends(require("compliance"))]
) -> Response:
    """The manifest beside a CSV or JSON Lines export (its SHA-256, query, counts, who, why):
    what `archiveren verify-export` checks the listing against."""
    ws: Workspace = request.app.state.ws
    row = find_job(ws, job_id)
    manifest = manifest_path(Path(row.path)) if row.path else None
    if row.status != "done" or manifest is None or not manifest.is_file():
        raise ExportNotFound(
            f"export {job_id} has no manifest to download (status {row.status})",
            "exports.no_package",
            id=job_id,
        )
    ws.catalogue().audit(
        user.username,
        "export_download",
        export_job=row.id,
        fmt=row.fmt,
        file=manifest.name,
        case_number=case_number(ws.catalogue(), row.case_id),
    )
    return FileResponse(manifest, media_type="application/json", filename=manifest.name)


@router.post("/exports/{job_id}/delete", include_in_schema=False)
async def delete(
    request: Request, job_id: int, user: Annotated[User, Depends(require("admin"))]
) -> Response:
    form = await request.form()
    if not check_csrf(request, str(form.get(CSRF_FIELD, ""))):
        raise Forbidden("the form was stale or not sent by this app; reload the page and try again")
    ws: Workspace = request.app.state.ws
    if find_job(ws, job_id).status == "running":
        raise ExportBusy(
            f"export {job_id} is still running; delete it when it has ended",
            "exports.busy",
            id=job_id,
        )
    row = delete_export_job(ws.catalogue(), job_id, user.username)
    if row.path:
        try:
            Path(row.path).unlink(missing_ok=True)
            manifest_path(Path(row.path)).unlink(missing_ok=True)
        except OSError as exc:
            log.error(
                "export %s: its row is deleted but not its file %s: %s", job_id, row.path, exc
            )
    return RedirectResponse(f"/exports?deleted={job_id}", status_code=303)
