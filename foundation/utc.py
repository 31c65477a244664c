"""Time in archiveren is UTC, timezone-aware, everywhere it is stored or compared."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)
