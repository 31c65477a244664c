"""Turn an archived response or resource record plus its metadata into an extractor's Capture."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from archive import ArchivedRecord
from indexer.extractors.base import Capture

MAX_BODY_BYTES = 32 * 1024 * 1024


def capture_from_records(
    record: ArchivedRecord, metadata: dict[str, Any], source: Any, default_organisation: str
) -> Capture:
    headers = record.http_headers or []
    content_type = next((v for k, v in headers if k.lower() == "content-type"), "")
    if not content_type:
        content_type = next((v for k, v in record.warc_headers if k.lower() == "content-type"), "")
    organisation = (
        (getattr(source, "organisation", "") or default_organisation)
        if source
        else default_organisation
    )
    return Capture(
        pointer=record.pointer,
        url=record.pointer.target_uri,
        captured_at=_parse_date(record.pointer.capture_date),
        content_type=content_type,
        http_status=record.http_status,
        http_headers=list(headers),
        body=record.payload(max_bytes=MAX_BODY_BYTES),
        metadata=metadata,
        organisation=organisation,
        source_settings=source.model_dump() if source is not None else {},
    )


def _parse_date(value: str) -> datetime:
    if not value:
        return datetime.now(UTC)
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
