"""Checks the timestamp tokens of an archive directory, for ``archiveren verify``: every token
beside every closed WARC file must verify under the configured CA certificates and sign the root
of the file's record tree as it is now, so one changed byte anywhere in the file, or a token from
an authority under another CA, is reported naming the file. A closed file without a token is
reported as not timestamped: a problem when authorities are configured, a warning when not."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from archive.record_tree import record_tree
from archive.store import all_closed_warcs
from config.models import EvidenceSettings
from evidence.stamping import ca_paths
from evidence.token_check import check_token, load_cas
from evidence.tokens import TOKEN_SUFFIX, tokens_of
from foundation.errors import ArchiverenError


@dataclass
class TimestampReport:
    files: int = 0
    valid: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_timestamps(
    archive_dir: Path, settings: EvidenceSettings, *, config_dir: Path | None = None
) -> TimestampReport:
    report = TimestampReport()
    archive_dir = Path(archive_dir)
    cas = load_cas(ca_paths(settings, config_dir)) if settings.ca_files else []
    warcs = all_closed_warcs(archive_dir)
    for warc in warcs:
        report.files += 1
        stored = tokens_of(warc)
        if not stored:
            message = f"not timestamped: {warc.name} has no timestamp token" + (
                "; run `archiveren stamp`" if settings.enabled else " (evidence is off)"
            )
            (report.problems if settings.enabled else report.warnings).append(message)
            continue
        if not cas:
            report.warnings.append(
                f"{warc.name}: {len(stored)} token(s) not checked: no evidence.ca_files configured"
            )
            continue
        try:
            root = record_tree(warc).root
        except ArchiverenError as exc:
            report.problems.append(f"timestamp: {warc.name}: no record tree: {exc}")
            continue
        for token in stored:
            try:
                facts = check_token(token.der, root, cas, f"{token.path.name} ({warc.name})")
            except ArchiverenError as exc:
                report.problems.append(f"timestamp: {exc}")
                continue
            report.valid.append(
                f"{warc.name}: timestamped {facts.time.isoformat()} by {facts.authority}"
            )
    names = {warc.name for warc in warcs}
    for path in sorted(archive_dir.glob(f"*{TOKEN_SUFFIX}")):
        if not any(path.name.startswith(name + ".") for name in names):
            report.warnings.append(f"{path.name}: a timestamp token whose WARC file is not here")
    return report
