"""One exception hierarchy for archiveren; every message says what was wrong, where, and what to do."""

import errno


class ArchiverenError(Exception):
    """Base of every error archiveren raises on purpose. The CLI prints these without a traceback."""

    exit_code = 1


class ConfigError(ArchiverenError):
    """The configuration file (or an environment variable it names) is missing or invalid."""

    exit_code = 2


class CatalogueError(ArchiverenError):
    """The catalogue database could not be opened or migrated."""


class CaptureError(ArchiverenError):
    """A collector could not capture something from a source."""


class ArchiveError(ArchiverenError):
    """A WARC file could not be written or read."""


class StorageFull(ArchiveError):
    """The disk (or quota) holding the archive or catalogue is full: the run stops, because every
    further capture would fail too; what was written before stays valid."""


def is_disk_full(exc: BaseException) -> bool:
    """Whether ``exc`` says the disk is full: an OSError with ENOSPC, or a library (tantivy's
    ValueError) that only passes on the system's message."""
    return getattr(exc, "errno", None) == errno.ENOSPC or "No space left on device" in str(exc)


class FixityError(ArchiveError):
    """A WARC file is missing, changed, truncated or unlisted."""


class IndexError_(ArchiverenError):
    """The indexer or a search backend failed."""


class QueryError(IndexError_):
    """A search query could not be parsed; the message says where."""


class BackendUnavailable(IndexError_):
    """The search backend (e.g. an Elasticsearch node) cannot be reached."""


class ExportError(ArchiverenError):
    """An export could not be produced or verified."""


class NotAnExport(ExportError):
    """What ``verify-export`` was given is not an export archiveren makes (missing, empty, a
    directory without bagit.txt, a file of another kind): exit code 2, where a damaged export
    gives 1."""

    exit_code = 2


class AlreadyRunning(ArchiverenError):
    """The job holds a lock someone else holds: a source being collected, or the index being
    written; the message names the holder and since when."""


class EvidenceError(ArchiverenError):
    """A timestamp token or a record proof could not be made, read or verified; the message names
    the file and what failed."""
