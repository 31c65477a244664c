"""A package directory (a bag, a transfer package) as one zip file to download: the directory
becomes the zip's single top folder, as RFC 8493 (section 4) serialises a bag, so unpacking
it gives back the bag as it was. Files are streamed into the zip one at a time; what is
compressed already (WACZ, gzip) is stored, the rest deflated. The zip appears at its target
only when complete (written beside it under a hidden name, then renamed)."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

from foundation.errors import ExportError

STORED_SUFFIXES = frozenset({".wacz", ".gz", ".zip", ".png", ".jpg", ".jpeg", ".mp4", ".webm"})


def zip_directory(directory: Path, target: Path) -> Path:
    """Write ``directory`` into the new zip file ``target``; the target."""
    if target.exists():
        raise ExportError(f"{target}: already exists; exports never overwrite")
    partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
    try:
        with zipfile.ZipFile(partial, "w", allowZip64=True) as archive:
            for path in sorted(directory.rglob("*")):
                if not path.is_file():
                    continue
                name = (Path(directory.name) / path.relative_to(directory)).as_posix()
                method = (
                    zipfile.ZIP_STORED
                    if path.suffix.lower() in STORED_SUFFIXES
                    else zipfile.ZIP_DEFLATED
                )
                archive.write(path, name, compress_type=method)
        os.chmod(partial, 0o600)
        os.link(partial, target)
    except OSError as exc:
        raise ExportError(
            f"cannot write {target}: {exc.strerror or exc}; free disk space and start the export again"
        ) from None
    finally:
        partial.unlink(missing_ok=True)
    return target
