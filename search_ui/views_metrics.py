"""/metrics: the collectors' and archive's state in the Prometheus text format, for operators.

Read by a Prometheus scraper with the bearer token named in ``server.metrics_token_env``, or by
a logged-in admin. Figures come from the catalogue (last run per source with its counts,
consecutive failures, next run), the archive (WARC files, bytes, fixity problems) and the index.
"""

from __future__ import annotations

import hmac
import os
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.responses import PlainTextResponse, Response

from catalogue.jobs import next_run_times
from indexer.query_model import SearchRequest
from search_ui.auth import Forbidden, NotAuthenticated, authenticate
from workspace import Workspace

router = APIRouter()
RUN_COUNTS = ("requests", "bytes", "captures", "revisits", "not_modified", "errors")
"""What a run counts; Posts are the indexer's, counted per source from the index."""


def metrics_access(request: Request) -> str:
    """A scraper's bearer token or an admin session; the route table sees it as admin-only."""
    config = request.app.state.ws.config(check_secrets=False)
    variable = config.server.metrics_token_env
    expected = os.environ.get(variable, "") if variable else ""
    offered = request.headers.get("authorization", "")
    if expected and offered.startswith("Bearer ") and hmac.compare_digest(offered[7:], expected):
        return "scraper"
    user = authenticate(request)
    if user is None:
        raise NotAuthenticated("log in first, or send the metrics bearer token")
    if not user.can("admin"):
        raise Forbidden("metrics need the role admin or the metrics token")
    return user.username


metrics_access.required_role = "admin"  # type: ignore[attr-defined]


def _label(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")


def _posts_per_source(ws: Workspace, names: list[str]) -> dict[str, int]:
    """Every configured source (0 when none of its Posts is indexed) and any other source the
    index still holds Posts of."""
    found = ws.backend().search(
        SearchRequest(
            facets=["source"],
            facet_size=len(names) + 100,
            date_histogram=None,
            highlight=False,
            limit=0,
        )
    )
    counts = dict.fromkeys(names, 0)
    counts.update({bucket.value: bucket.count for bucket in found.facets.get("source", [])})
    return counts


@router.get("/metrics", include_in_schema=False)
def metrics(request: Request, _who: Annotated[str, Depends(metrics_access)]) -> Response:
    ws = request.app.state.ws
    catalogue = ws.catalogue()
    config = ws.config(check_secrets=False)
    last = catalogue.last_runs()
    upcoming = next_run_times(catalogue)
    lines = [
        "# HELP archiveren_source_last_run_timestamp_seconds Start of the newest run of a source.",
        "# TYPE archiveren_source_last_run_timestamp_seconds gauge",
    ]
    counts_lines = [
        "# HELP archiveren_source_last_run_count What the newest run of a source did.",
        "# TYPE archiveren_source_last_run_count gauge",
    ]
    outcome_lines = [
        "# HELP archiveren_source_last_run_ok 1 if the newest run of a source ended ok.",
        "# TYPE archiveren_source_last_run_ok gauge",
    ]
    failure_lines = [
        "# HELP archiveren_source_consecutive_failures Failed runs in a row.",
        "# TYPE archiveren_source_consecutive_failures gauge",
    ]
    next_lines = [
        "# HELP archiveren_source_next_run_timestamp_seconds When the scheduler runs a source next.",
        "# TYPE archiveren_source_next_run_timestamp_seconds gauge",
    ]
    for source in config.sources:
        name = _label(source.name)
        run = last.get(source.name)
        failure_lines.append(
            f'archiveren_source_consecutive_failures{{source="{name}"}} {catalogue.consecutive_failures(source.name)}'
        )
        following = upcoming.get(f"collect:{source.name}")
        if following is not None:
            next_lines.append(
                f'archiveren_source_next_run_timestamp_seconds{{source="{name}"}} {following.timestamp():.0f}'
            )
        if run is None:
            continue
        lines.append(
            f'archiveren_source_last_run_timestamp_seconds{{source="{name}"}} {run.started_at.timestamp():.0f}'
        )
        outcome_lines.append(
            f'archiveren_source_last_run_ok{{source="{name}",outcome="{_label(run.outcome)}"}} {int(run.outcome == "ok")}'
        )
        for key in RUN_COUNTS:
            counts_lines.append(
                f'archiveren_source_last_run_count{{source="{name}",count="{key}"}} {int(run.counts.get(key, 0))}'
            )
    files = catalogue.warc_files()
    watermarks = catalogue.watermarks()
    lines += (
        outcome_lines
        + counts_lines
        + failure_lines
        + next_lines
        + [
            "# HELP archiveren_warc_files Closed WARC files in the catalogue.",
            "# TYPE archiveren_warc_files gauge",
            f"archiveren_warc_files {len(files)}",
            "# HELP archiveren_warc_bytes Size of all closed WARC files.",
            "# TYPE archiveren_warc_bytes gauge",
            f"archiveren_warc_bytes {sum(f.size for f in files)}",
            "# HELP archiveren_warc_fixity_problems WARC files whose last verify found a problem.",
            "# TYPE archiveren_warc_fixity_problems gauge",
            f"archiveren_warc_fixity_problems {sum(f.fixity_status == 'problem' for f in files)}",
            "# HELP archiveren_index_files_pending Closed WARC files not yet fully indexed.",
            "# TYPE archiveren_index_files_pending gauge",
            f"archiveren_index_files_pending {sum(1 for f in files if not watermarks.get(f.name, (0, False))[1])}",
            "# HELP archiveren_index_posts Posts in the search index.",
            "# TYPE archiveren_index_posts gauge",
            f"archiveren_index_posts {ws.backend().count()}",
            "# HELP archiveren_source_posts Posts of a source in the search index.",
            "# TYPE archiveren_source_posts gauge",
        ]
        + [
            f'archiveren_source_posts{{source="{_label(name)}"}} {count}'
            for name, count in _posts_per_source(ws, [s.name for s in config.sources]).items()
        ]
    )
    return PlainTextResponse(
        "\n".join(lines) + "\n", media_type="text/plain; version=0.0.4; charset=utf-8"
    )
