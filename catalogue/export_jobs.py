"""Export jobs as the catalogue keeps them: queued by a compliance officer (with the audit row
in the same transaction), claimed by one export worker at a time, their progress, their end
(the package's path, size and SHA-256, or the reason they failed), listed, and deleted.

A job is claimed with a conditional update (``queued`` → ``running``), so two workers sharing
the catalogue never run one job twice. A job left ``running`` by a process that died is queued
again when a worker starts on the same host, at most ``MAX_ATTEMPTS`` times in all; then it
fails with the reason (either is audited: ``export_requeued``, ``export_failed``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from catalogue.schema import ExportJobRow
from catalogue.store import append_audit, holder_alive
from foundation.errors import CatalogueError
from foundation.utc import utcnow

if TYPE_CHECKING:
    from catalogue.store import Catalogue

STATUSES: tuple[str, ...] = ("queued", "running", "done", "failed")
MAX_ATTEMPTS = 3


def queue_export(
    catalogue: Catalogue,
    *,
    user: str,
    fmt: str,
    reason: str,
    query: str,
    filters: dict[str, list[str]],
    case_id: int | None = None,
    excel: bool = False,
    **audit: Any,
) -> ExportJobRow:
    """Store a new queued job and its ``export_queued`` audit row (with ``audit`` added)."""

    def record(session: Session) -> ExportJobRow:
        job = ExportJobRow(
            status="queued",
            created_by=user,
            fmt=fmt,
            reason=reason,
            query=query,
            filters=filters,
            case_id=case_id,
            excel=excel,
            attempts=0,
            posts_done=0,
            bytes_done=0,
        )
        session.add(job)
        session.flush()
        append_audit(
            session,
            user,
            "export_queued",
            export_job=job.id,
            fmt=fmt,
            reason=reason,
            export_query=query,
            filters=filters,
            **({"excel": True} if excel else {}),
            **audit,
        )
        return job

    return catalogue.in_transaction(record)


def claim_next(catalogue: Catalogue, holder: str) -> ExportJobRow | None:
    """The oldest queued job, now ``running`` under ``holder``; None when none is queued."""
    with catalogue.session() as session:
        candidates = session.scalars(
            select(ExportJobRow.id)
            .where(ExportJobRow.status == "queued")
            .order_by(ExportJobRow.id)
            .limit(5)
        ).all()
        for job_id in candidates:
            claimed = session.execute(
                update(ExportJobRow)
                .where(ExportJobRow.id == job_id, ExportJobRow.status == "queued")
                .values(
                    status="running",
                    holder=holder,
                    started_at=utcnow(),
                    attempts=ExportJobRow.attempts + 1,
                    posts_done=0,
                    bytes_done=0,
                )
            )
            if getattr(claimed, "rowcount", 0) == 1:
                session.flush()
                return session.get(ExportJobRow, job_id, populate_existing=True)
    return None


def record_progress(
    catalogue: Catalogue, job_id: int, posts_done: int, bytes_done: int, total: int | None = None
) -> None:
    values: dict[str, Any] = {"posts_done": posts_done, "bytes_done": bytes_done}
    if total is not None:
        values["total"] = total
    with catalogue.session() as session:
        session.execute(update(ExportJobRow).where(ExportJobRow.id == job_id).values(**values))


def finish_job(catalogue: Catalogue, job_id: int, *, path: str, size: int, sha256: str) -> None:
    with catalogue.session() as session:
        session.execute(
            update(ExportJobRow)
            .where(ExportJobRow.id == job_id)
            .values(
                status="done",
                path=path,
                size=size,
                sha256=sha256,
                bytes_done=size,
                finished_at=utcnow(),
                error=None,
            )
        )


def fail_job(catalogue: Catalogue, job_id: int, error: str) -> None:
    with catalogue.session() as session:
        session.execute(
            update(ExportJobRow)
            .where(ExportJobRow.id == job_id)
            .values(status="failed", error=error, finished_at=utcnow())
        )


def recover_abandoned(catalogue: Catalogue) -> list[int]:
    """Queue again the running jobs whose process is known to be gone (this host only; another
    host's jobs are its own business), or fail those that were tried ``MAX_ATTEMPTS`` times.
    The ids of the jobs touched."""
    touched: list[tuple[int, str, str, str]] = []
    with catalogue.session() as session:
        running = session.scalars(select(ExportJobRow).where(ExportJobRow.status == "running"))
        for job in running:
            if holder_alive(job.holder or "") is not False:
                continue
            if job.attempts >= MAX_ATTEMPTS:
                job.status = "failed"
                job.finished_at = utcnow()
                job.error = (
                    f"the server stopped while this export ran, {job.attempts} times; "
                    "start the export again, or make it smaller"
                )
            else:
                job.status = "queued"
                job.error = f"started again: the server ({job.holder}) stopped while it ran"
            touched.append((job.id, job.created_by, job.status, job.error))
    for job_id, user, status, why in touched:
        action = "export_failed" if status == "failed" else "export_requeued"
        catalogue.audit(user, action, export_job=job_id, error=why)
    return [job_id for job_id, *_ in touched]


def export_jobs(
    catalogue: Catalogue, case_id: int | None = None, limit: int = 200
) -> list[ExportJobRow]:
    """The newest jobs first (only a case's, when ``case_id`` is given)."""
    with catalogue.session() as session:
        query = select(ExportJobRow).order_by(ExportJobRow.id.desc()).limit(limit)
        if case_id is not None:
            query = query.where(ExportJobRow.case_id == case_id)
        return list(session.scalars(query))


def export_job(catalogue: Catalogue, job_id: int) -> ExportJobRow | None:
    with catalogue.session() as session:
        return session.get(ExportJobRow, job_id)


def delete_export_job(catalogue: Catalogue, job_id: int, user: str, **audit: Any) -> ExportJobRow:
    """Remove the job's row, with its ``export_deleted`` audit row, in one transaction; the
    row as it was (the caller removes the package). A running job cannot be deleted."""

    def remove(session: Session) -> ExportJobRow:
        job = session.get(ExportJobRow, job_id)
        if job is None:
            raise CatalogueError(f"export {job_id} does not exist (it may have been deleted)")
        if job.status == "running":
            raise CatalogueError(f"export {job_id} is still running; delete it when it has ended")
        append_audit(
            session,
            user,
            "export_deleted",
            export_job=job.id,
            fmt=job.fmt,
            path=job.path,
            sha256=job.sha256,
            created_by=job.created_by,
            **audit,
        )
        session.delete(job)
        return job

    return catalogue.in_transaction(remove)
