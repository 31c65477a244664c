"""The timestamps of one WARC file as the record page shows them: for each token kept beside the
file, which authority made it, when, and whether it is valid now (signature under the configured
CAs, and over the root of the file's record tree as the file is now). The root costs one read of
the file; it is kept per file, size and modification time, so a page shown again costs nothing
and a file that changed is read again."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from archive.naming import resolve_inside
from archive.record_tree import record_tree
from config.models import EvidenceSettings
from evidence.stamping import ca_paths
from evidence.token_check import check_token, load_cas
from evidence.tokens import tokens_of
from foundation.errors import ArchiverenError

ROOTS_KEPT = 256


@dataclass(frozen=True)
class StampView:
    token_file: str
    authority: str
    """The authority's URL as kept in the sidecar, or the certificate's subject."""
    time: datetime | None
    valid: bool
    problem: str = ""


_roots: dict[tuple[str, int, int], bytes] = {}
_roots_lock = threading.Lock()


def _root_of(warc: Path) -> bytes:
    status = warc.stat()
    key = (str(warc), status.st_size, status.st_mtime_ns)
    with _roots_lock:
        if key in _roots:
            return _roots[key]
    root = record_tree(warc).root
    with _roots_lock:
        if len(_roots) >= ROOTS_KEPT:
            _roots.pop(next(iter(_roots)))
        _roots[key] = root
    return root


def warc_stamps(
    archive_dir: Path, warc_file: str, settings: EvidenceSettings, config_dir: Path | None
) -> list[StampView]:
    """The timestamps of ``warc_file``; empty when it has none (or is not closed yet)."""
    try:
        warc = resolve_inside(Path(archive_dir), warc_file)
    except ArchiverenError:
        return []
    if not warc.is_file():
        return []
    stored = tokens_of(warc)
    if not stored:
        return []
    try:
        cas = load_cas(ca_paths(settings, config_dir))
        root = _root_of(warc)
    except (ArchiverenError, OSError) as exc:
        return [
            StampView(t.path.name, str(t.sidecar.get("authority_url", "")), None, False, str(exc))
            for t in stored
        ]
    views = []
    for token in stored:
        url = str(token.sidecar.get("authority_url", ""))
        if not cas:
            views.append(
                StampView(token.path.name, url, None, False, "no evidence.ca_files configured")
            )
            continue
        try:
            facts = check_token(token.der, root, cas, token.path.name)
        except ArchiverenError as exc:
            views.append(StampView(token.path.name, url, None, False, str(exc)))
            continue
        views.append(StampView(token.path.name, url or facts.authority, facts.time, True))
    return views
