"""The archive stage: the one place that writes and reads WARC files. Collectors use the
writer (``WarcWriter`` with ``HttpExchange`` + ``CaptureMetadata``), the indexer uses the
reader (``iter_records``, ``read_record``) and pointers (``RecordPointer``, kept in
``foundation`` as the record every stage passes on), the search UI reads a capture with its
context through a pointer (``read_capture``, ``original_of_revisit``); fixity, recovery and the
CDXJ index live beside them. Nothing else in archiveren reads or writes WARC files.

The names below are imported when first used: a process that needs only a pointer (an
extraction worker) does not pay for the writer's and the CDXJ indexer's imports."""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from archive.archived_capture import ArchivedCapture, read_capture
    from archive.capture import CaptureMetadata, HttpExchange
    from archive.capture_records import original_of_revisit
    from archive.fixity import FixityReport, verify_archive
    from archive.reader import ArchivedRecord, RecordReadError, iter_records, read_record
    from archive.recovery import RecoveryOutcome, recover_open_files
    from archive.writer import ClosedWarc, WarcWriter, WriteResult
    from foundation.pointer import RecordPointer

_MODULES = {
    "ArchivedCapture": "archive.archived_capture",
    "original_of_revisit": "archive.capture_records",
    "read_capture": "archive.archived_capture",
    "CaptureMetadata": "archive.capture",
    "HttpExchange": "archive.capture",
    "FixityReport": "archive.fixity",
    "verify_archive": "archive.fixity",
    "RecordPointer": "foundation.pointer",
    "ArchivedRecord": "archive.reader",
    "RecordReadError": "archive.reader",
    "iter_records": "archive.reader",
    "read_record": "archive.reader",
    "RecoveryOutcome": "archive.recovery",
    "recover_open_files": "archive.recovery",
    "ClosedWarc": "archive.writer",
    "WarcWriter": "archive.writer",
    "WriteResult": "archive.writer",
}

__all__ = [
    "ArchivedCapture",
    "ArchivedRecord",
    "CaptureMetadata",
    "ClosedWarc",
    "FixityReport",
    "HttpExchange",
    "RecordPointer",
    "RecordReadError",
    "RecoveryOutcome",
    "WarcWriter",
    "WriteResult",
    "iter_records",
    "original_of_revisit",
    "read_capture",
    "read_record",
    "recover_open_files",
    "verify_archive",
]


def __getattr__(name: str) -> Any:
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module 'archive' has no attribute {name!r}")
    return getattr(import_module(module), name)
