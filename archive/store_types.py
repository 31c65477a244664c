"""The values the WARC stores pass around: where a bucket is (``BucketLocation``, written beside
the WARC files as ``object-store.json`` so every process reading the archive finds it, with the
names of the environment variables that hold the keys, never the keys), what a stored WARC is
(``StoredWarc``) and the protocol a store keeps (``WarcStore``)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

from foundation.errors import ArchiveError

LOCATION_NAME = "object-store.json"
SHA256_KEY = "sha256"  # the object metadata key (x-amz-meta-sha256) holding the file's SHA-256


@dataclass(frozen=True)
class BucketLocation:
    """An S3-compatible bucket holding an archive's closed WARC files under ``prefix``."""

    endpoint_url: str
    bucket: str
    prefix: str = ""
    region: str = "us-east-1"
    access_key_env: str = "ARCHIVEREN_S3_ACCESS_KEY"
    secret_key_env: str = "ARCHIVEREN_S3_SECRET_KEY"

    def key(self, name: str) -> str:
        return f"{self.prefix.strip('/')}/{name}" if self.prefix.strip("/") else name

    def describe(self) -> str:
        return f"s3 bucket {self.bucket!r} at {self.endpoint_url}" + (
            f" (prefix {self.prefix!r})" if self.prefix else ""
        )

    def write(self, archive_dir: Path) -> None:
        """Put this location beside the WARC files (atomically; no secret is in it)."""
        target = archive_dir / LOCATION_NAME
        text = json.dumps(asdict(self), indent=2, sort_keys=True) + "\n"
        if target.exists() and target.read_text(encoding="utf-8") == text:
            return
        partial = target.with_name(target.name + ".partial")
        partial.write_text(text, encoding="utf-8")
        partial.replace(target)

    @classmethod
    def read(cls, archive_dir: Path) -> BucketLocation | None:
        path = archive_dir / LOCATION_NAME
        try:
            facts = json.loads(path.read_text(encoding="utf-8"))
            return cls(**facts)
        except FileNotFoundError:
            return None
        except (ValueError, TypeError) as exc:
            raise ArchiveError(
                f"{path} does not describe an object store ({exc}); it is written by "
                "`archiveren collect` from archive.storage in the config: remove it and collect again"
            ) from None


@dataclass(frozen=True)
class StoredWarc:
    """A WARC file as the store has it: its size and the SHA-256 its metadata carries."""

    name: str
    size: int
    sha256: str


class WarcStore(Protocol):
    """Where closed WARC files are kept beside (or instead of) the local archive directory."""

    def describe(self) -> str: ...

    def upload(self, path: Path, name: str, sha256: str) -> StoredWarc:
        """Store ``path`` as ``name`` and return what the store has after checking it."""
        ...

    def verify(self, name: str, sha256: str, size: int) -> bool:
        """Whether the stored object's metadata, size and bytes (read back in full) match."""
        ...

    def stat(self, name: str) -> StoredWarc | None: ...

    def names(self) -> list[str]: ...

    def read_range(self, name: str, offset: int, length: int) -> bytes: ...

    def open(self, name: str) -> BinaryIO:
        """A seekable, read-only file over the stored object (range requests underneath)."""
        ...
