"""What happens when a WARC file is finished, by the writer on close or by recovery after a
crash: the file's SHA-256 and size go into the manifest, the ``.open`` file is renamed to its final
name (refusing to overwrite anything) and the directory entry made durable, its records go into
the CDXJ index, and the caller's callback (the catalogue) hears about it."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from archive.cdxj import add_to_index
from archive.manifest import ManifestEntry, add_to_manifest
from archive.naming import fsync_dir
from foundation.errors import ArchiveError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ClosedWarc:
    """A WARC file that is complete and will not change again."""

    path: Path
    name: str
    size: int
    sha256: str
    records: int


def close_warc(
    open_path: Path,
    closed: ClosedWarc,
    archive_dir: Path,
    on_file_closed: Callable[[ClosedWarc], None] | None,
) -> None:
    """Finish a fsynced ``.open`` file: manifest line, rename to the final name (refusing to
    overwrite anything), index lines, callback. The manifest comes first: if the process dies
    or the disk fills before the rename, the file is still ``.open`` and recovery closes it
    again; renaming first could leave a closed file that no manifest lists, which ``verify``
    would report forever. The index can always be rebuilt, so it comes last."""
    final_path = closed.path
    if final_path.exists():
        raise ArchiveError(
            f"cannot close {open_path.name}: {final_path.name} already exists in "
            f"{final_path.parent}; the file was left as .open for inspection"
        )
    add_to_manifest(
        archive_dir, ManifestEntry(name=closed.name, sha256=closed.sha256, size=closed.size)
    )
    os.rename(open_path, final_path)
    fsync_dir(final_path.parent)
    try:
        add_to_index(archive_dir, closed.path)
    except ArchiveError:
        log.exception(
            "%s is closed and in the manifest but not in the CDXJ index; "
            "run the index rebuild to add it",
            closed.name,
        )
    if on_file_closed is not None:
        on_file_closed(closed)
