"""The archive stage: the one place that writes and reads WARC files. Collectors use the
writer (``WarcWriter`` with ``HttpExchange`` + ``CaptureMetadata``), the indexer and UI use the
reader (``iter_records``, ``read_record``) and pointers (``RecordPointer``); fixity, recovery,
the CDXJ index and replay routing live beside them."""

from archive.capture import CaptureMetadata, HttpExchange
from archive.fixity import FixityReport, verify_archive
from archive.pointer import RecordPointer
from archive.reader import ArchivedRecord, RecordReadError, iter_records, read_record
from archive.recovery import RecoveryOutcome, recover_open_files
from archive.writer import ClosedWarc, WarcWriter, WriteResult

__all__ = [
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
    "read_record",
    "recover_open_files",
    "verify_archive",
]
