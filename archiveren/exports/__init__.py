"""Compliance exports: WACZ inside a BagIt bag with MDTO metadata, CSV / JSON Lines listings and a
report; and their verification. Retention and legal holds live in ``archiveren.retention``."""

from archiveren.exports.package import FORMATS, run_export
from archiveren.exports.verify import ExportCheck, verify_export_package

__all__ = ["FORMATS", "ExportCheck", "run_export", "verify_export_package"]
