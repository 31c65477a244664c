"""Where a WARC file's timestamp tokens live: beside it, one pair per authority,
``NAME.warc.gz.AUTHORITY.tsr`` (the authority's TimeStampResp, DER, as received) and
``NAME.warc.gz.AUTHORITY.tsr.json`` (authority URL, time, root, tree size: for people and
tools that do not read DER). ``AUTHORITY`` is the authority's host, port and path reduced to
safe characters. Both are written to a temporary file and renamed, the token first, so a crash
leaves either no token or a whole one; the WARC file itself is never opened for writing."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

TOKEN_SUFFIX = ".tsr"
SIDECAR_SUFFIX = ".tsr.json"


def authority_label(url: str) -> str:
    parts = urlsplit(url)
    label = "-".join(str(p) for p in (parts.hostname, parts.port, parts.path.strip("/")) if p)
    return re.sub(r"[^A-Za-z0-9.]+", "-", label).strip("-.") or "tsa"


def token_path(warc: Path, url: str) -> Path:
    return warc.with_name(f"{warc.name}.{authority_label(url)}{TOKEN_SUFFIX}")


@dataclass(frozen=True)
class StoredToken:
    path: Path
    der: bytes
    sidecar: dict[str, Any]
    """The JSON beside the token; empty when it is missing or unreadable (the token counts)."""


def tokens_of(warc: Path) -> list[StoredToken]:
    """The tokens kept beside ``warc``, by file name."""
    found = []
    prefix = warc.name + "."
    for path in sorted(warc.parent.iterdir()):
        if path.name.startswith(prefix) and path.name.endswith(TOKEN_SUFFIX):
            sidecar_file = path.with_name(path.name + ".json")
            try:
                sidecar = json.loads(sidecar_file.read_text("utf-8"))
            except (OSError, ValueError):
                sidecar = {}
            found.append(
                StoredToken(path, path.read_bytes(), sidecar if isinstance(sidecar, dict) else {})
            )
    return found


def keep_token(warc: Path, url: str, der: bytes, sidecar: dict[str, Any]) -> Path:
    """Write the token and its JSON beside ``warc``, each atomically."""
    path = token_path(warc, url)
    _write_atomic(path, der)
    _write_atomic(
        path.with_name(path.name + ".json"),
        (json.dumps(sidecar, indent=2, sort_keys=True) + "\n").encode("utf-8"),
    )
    return path


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)
        raise
    fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
