"""Stamps closed WARC files: for each closed file in the archive directory that lacks a token
from a configured authority, the root of its record tree is sent to that authority, the answer
is checked against the configured CAs and kept beside the file (``tokens``). It runs after
files close (at the end of ``collect``, periodically under ``schedule``, in ``demo`` and as
``archiveren stamp``), never inside a write: an authority that is down or slow costs a
warning and a later pass, never a capture."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from cryptography import x509

from archive.record_tree import RecordTree, record_tree
from archive.store import all_closed_warcs
from config.models import EvidenceSettings
from evidence.token_check import check_token, load_cas
from evidence.tokens import keep_token, token_path
from evidence.tsa_client import authority_name, request_token
from foundation.errors import ArchiverenError

log = logging.getLogger("archiveren.evidence")


@dataclass
class StampReport:
    stamped: list[str] = field(default_factory=list)
    """``NAME <- authority at time`` for each token kept in this pass."""
    failures: list[str] = field(default_factory=list)
    already: int = 0
    """Files that had a token from every authority."""
    seconds: float = 0.0

    def summary(self) -> str:
        return (
            f"{len(self.stamped)} tokens added, {self.already} files already stamped, "
            f"{len(self.failures)} failed (retried on the next pass)"
        )


def stamp_archive(
    archive_dir: Path, settings: EvidenceSettings, *, config_dir: Path | None = None
) -> StampReport:
    """Stamp every closed WARC file lacking a token; nothing when no authority is configured.
    CA file names are read relative to ``config_dir`` when they are not absolute."""
    report = StampReport()
    if not settings.enabled or not Path(archive_dir).is_dir():
        return report
    started = time.monotonic()
    cas = load_cas(ca_paths(settings, config_dir))
    for warc in all_closed_warcs(Path(archive_dir)):
        missing = [url for url in settings.tsa_urls if not token_path(warc, url).exists()]
        if not missing:
            report.already += 1
            continue
        try:
            tree = record_tree(warc)
        except ArchiverenError as exc:
            report.failures.append(f"{warc.name}: no record tree: {exc}")
            continue
        for url in missing:
            _stamp_one(warc, tree, url, settings.timeout_seconds, cas, report)
    report.seconds = time.monotonic() - started
    for line in report.failures:
        log.warning("not timestamped yet: %s", line)
    return report


def ca_paths(settings: EvidenceSettings, config_dir: Path | None) -> list[Path]:
    return [
        Path(name) if Path(name).is_absolute() or config_dir is None else config_dir / name
        for name in settings.ca_files
    ]


def _stamp_one(
    warc: Path,
    tree: RecordTree,
    url: str,
    timeout: float,
    cas: list[x509.Certificate],
    report: StampReport,
) -> None:
    name = authority_name(url)
    try:
        der = request_token(url, tree.root, timeout)
        facts = check_token(der, tree.root, cas, f"the token of {name} for {warc.name}")
    except ArchiverenError as exc:
        report.failures.append(f"{warc.name}: {exc}")
        return
    keep_token(
        warc,
        url,
        der,
        {
            "warc_file": warc.name,
            "authority_url": name,
            "authority": facts.authority,
            "time": facts.time.astimezone(UTC).isoformat(),
            "serial": str(facts.serial),
            "root_sha256": tree.root.hex(),
            "tree_size": tree.size,
            "leaf": "SHA-256(0x00 || the record's stored bytes at offset/length), file order; "
            "nodes SHA-256(0x01 || left || right) (RFC 6962)",
            "stamped_at": datetime.now(UTC).isoformat(),
        },
    )
    report.stamped.append(f"{warc.name} <- {name} at {facts.time.astimezone(UTC).isoformat()}")
    log.info("timestamped %s by %s", warc.name, name)
