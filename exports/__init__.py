"""Compliance exports: WACZ inside a BagIt bag with MDTO metadata, CSV / JSON Lines listings and a
report, the transfer package for an e-Depot (WARC/1.1, MDTO, BagIt, a conformance report); and
their verification. A stage of its own above the indexer (it finds what to export
with a search) and below the search UI and the command line, which both start exports; it is
given an ``ExportSource`` (config, archive dir, catalogue, backend), not a Workspace.
Retention and legal holds live in ``archiveren.retention``."""

from exports.package import FORMATS, run_export
from exports.verify import ExportCheck, verify_export_package

__all__ = ["FORMATS", "ExportCheck", "run_export", "verify_export_package"]
