"""WARC files in an S3-compatible bucket (boto3): upload a closed file with its SHA-256 as object
metadata and check it by reading the object back, retrying a failed or mismatched upload; read
back by range requests, one record (``read_range``) or a seekable file (``open``) that fetches
what is read in blocks, so record pointers stay file + offset + length. The keys come from the
environment variables the location names and are never put in a message or a log line."""

from __future__ import annotations

import hashlib
import io
import logging
import os
import time
from pathlib import Path
from typing import Any, BinaryIO

import boto3
from boto3.exceptions import Boto3Error
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from archive.store_types import SHA256_KEY, BucketLocation, StoredWarc
from foundation.errors import ArchiveError

log = logging.getLogger(__name__)

READ_BLOCK = 4 * 1024 * 1024
_CHUNK = 1024 * 1024


class S3WarcStore:
    """The WARC store of one bucket location."""

    def __init__(self, location: BucketLocation, *, attempts: int = 3) -> None:
        self.location = location
        self.attempts = max(1, attempts)
        access, secret = (
            os.environ.get(location.access_key_env),
            os.environ.get(location.secret_key_env),
        )
        if not access or not secret:
            missing = [
                name
                for name, value in (
                    (location.access_key_env, access),
                    (location.secret_key_env, secret),
                )
                if not value
            ]
            raise ArchiveError(
                f"the WARC files are in {location.describe()}, but the environment variable(s) "
                f"{', '.join(missing)} holding its keys are not set; set them and try again"
            )
        self.client: Any = boto3.client(
            "s3",
            endpoint_url=location.endpoint_url,
            region_name=location.region,
            aws_access_key_id=access,
            aws_secret_access_key=secret,
            config=Config(
                retries={"max_attempts": 4, "mode": "standard"},
                connect_timeout=10,
                read_timeout=60,
                s3={"addressing_style": "path"},
            ),
        )

    def describe(self) -> str:
        return self.location.describe()

    def ensure_bucket(self) -> None:
        """Create the bucket when it is not there yet (a new deployment's first upload)."""
        try:
            self.client.head_bucket(Bucket=self.location.bucket)
        except BotoCoreError as exc:
            raise ArchiveError(f"{self.describe()} does not answer: {_reason(exc)}") from None
        except ClientError:
            self._call(
                "create the bucket", lambda: self.client.create_bucket(Bucket=self.location.bucket)
            )

    def upload(self, path: Path, name: str, sha256: str) -> StoredWarc:
        """Upload ``path`` as ``name`` and read it back; retried up to ``attempts`` times. The
        local file is left alone: its caller deletes it, and only after this returned."""
        problem = ""
        for attempt in range(1, self.attempts + 1):
            try:
                self.client.upload_file(
                    str(path),
                    self.location.bucket,
                    self.location.key(name),
                    ExtraArgs={"Metadata": {SHA256_KEY: sha256}, "ContentType": "application/warc"},
                )
                if self.verify(name, sha256, path.stat().st_size):
                    return StoredWarc(name, path.stat().st_size, sha256)
                problem = "the object read back differs from the local file"
                self.delete(name)  # a wrong copy must never pass for the file later
            except (Boto3Error, BotoCoreError, ClientError, OSError) as exc:
                problem = _reason(exc)
            log.warning(
                "upload of %s to %s failed (attempt %d of %d): %s",
                name,
                self.describe(),
                attempt,
                self.attempts,
                problem,
            )
            time.sleep(min(0.5 * 2 ** (attempt - 1), 5.0))
        raise ArchiveError(
            f"could not upload {name} to {self.describe()} after {self.attempts} attempts: "
            f"{problem}; the file stays on local disk and the next run tries again"
        )

    def verify(self, name: str, sha256: str, size: int) -> bool:
        """Whether the stored object's metadata, size and bytes (read back in full) match."""
        stored = self.stat(name)
        if stored is None or stored.size != size or stored.sha256 != sha256:
            return False
        hasher = hashlib.sha256()
        with self.open(name) as handle:
            while chunk := handle.read(_CHUNK):
                hasher.update(chunk)
        return hasher.hexdigest() == sha256

    def stat(self, name: str) -> StoredWarc | None:
        try:
            head = self.client.head_object(Bucket=self.location.bucket, Key=self.location.key(name))
        except ClientError as exc:
            if _status(exc) == 404:
                return None
            raise ArchiveError(
                f"cannot look up {name} in {self.describe()}: {_reason(exc)}"
            ) from None
        except BotoCoreError as exc:
            raise ArchiveError(
                f"cannot look up {name} in {self.describe()}: {_reason(exc)}"
            ) from None
        metadata = {k.lower(): v for k, v in (head.get("Metadata") or {}).items()}
        return StoredWarc(name, int(head["ContentLength"]), metadata.get(SHA256_KEY, "").lower())

    def names(self) -> list[str]:
        prefix = self.location.key("")
        names: list[str] = []
        paginator = self.client.get_paginator("list_objects_v2")
        try:
            for page in paginator.paginate(Bucket=self.location.bucket, Prefix=prefix):
                names += [item["Key"][len(prefix) :] for item in page.get("Contents", [])]
        except ClientError as exc:
            if _status(exc) == 404:  # no bucket yet: nothing uploaded
                return []
            raise ArchiveError(f"cannot list {self.describe()}: {_reason(exc)}") from None
        except BotoCoreError as exc:
            raise ArchiveError(f"cannot list {self.describe()}: {_reason(exc)}") from None
        return sorted(name for name in names if name and "/" not in name)

    def read_range(self, name: str, offset: int, length: int) -> bytes:
        """``length`` bytes of ``name`` from ``offset``: one range request."""
        if length <= 0:
            return b""
        data: bytes = self._call(
            f"read {name}@{offset}+{length}",
            lambda: self.client.get_object(
                Bucket=self.location.bucket,
                Key=self.location.key(name),
                Range=f"bytes={offset}-{offset + length - 1}",
            )["Body"].read(),
        )
        return data

    def open(self, name: str) -> BinaryIO:
        stored = self.stat(name)
        if stored is None:
            raise FileNotFoundError(f"{name} is not in {self.describe()}")
        raw = _RangeFile(self, name, stored.size)
        return io.BufferedReader(raw, buffer_size=READ_BLOCK)

    def delete(self, name: str) -> None:
        self._call(
            f"delete {name}",
            lambda: self.client.delete_object(
                Bucket=self.location.bucket, Key=self.location.key(name)
            ),
        )

    def _call(self, what: str, action: Any) -> Any:
        try:
            return action()
        except ClientError as exc:
            if _status(exc) in (404, 416):
                raise FileNotFoundError(
                    f"{self.describe()}: cannot {what}: {_reason(exc)}"
                ) from None
            raise ArchiveError(f"{self.describe()}: cannot {what}: {_reason(exc)}") from None
        except BotoCoreError as exc:
            raise ArchiveError(f"{self.describe()}: cannot {what}: {_reason(exc)}") from None


class _RangeFile(io.RawIOBase):
    """A stored object as a seekable read-only raw file: each read is one range request."""

    def __init__(self, store: S3WarcStore, name: str, size: int) -> None:
        self.store, self.name, self.size, self.position = store, name, size, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self.position, io.SEEK_END: self.size}[whence]
        self.position = max(0, base + offset)
        return self.position

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        wanted = min(len(view), self.size - self.position)
        if wanted <= 0:
            return 0
        data = self.store.read_range(self.name, self.position, wanted)
        view[: len(data)] = data
        self.position += len(data)
        return len(data)


def _status(exc: ClientError) -> int:
    return int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0))


def _reason(exc: Exception) -> str:
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        return f"{error.get('Code', 'error')} ({_status(exc)}): {error.get('Message', '')}".strip()
    return f"{type(exc).__name__}: {exc}"
