"""Import of an X account archive: the "download your data" zip an organisation requests.

``archiveren collect`` on a ``type: x_archive`` source archives the zip whole as one `resource`
record (streamed, so a zip with gigabytes of media costs no memory), then each tweets part
(``data/tweets.js``, ``data/tweets-part1.js``, ... or ``data/tweet.js`` in older archives) as
a `resource` record of its own, whose metadata names the account from ``data/account.js`` so the
indexer can make Posts without opening the zip again. The zip's SHA-256 is kept in the state:
importing the same file again archives nothing; a newer download is imported in full (the Posts
keep their ids, so the index gains only what is new).
"""

from __future__ import annotations

import hashlib
import json
import re
import zipfile
from pathlib import Path
from typing import Any, ClassVar

from archive import CaptureMetadata
from collectors.base import Collector, RunReport
from config.models import XArchiveSource
from foundation.errors import CaptureError

TWEET_PARTS = re.compile(r"^(?:.*/)?data/tweets?(?:-part\d+)?\.js$")
ACCOUNT_PART = re.compile(r"^(?:.*/)?data/account\.js$")
_PART_NUMBER = re.compile(r"-part(\d+)\.js$")


class XArchiveCollector(Collector):
    """Imports the archive zip of one ``type: x_archive`` source."""

    source_type: ClassVar[str] = "x_archive"
    platform: ClassVar[str] = "x"
    source: XArchiveSource

    def run(self) -> RunReport:
        path = Path(self.source.path).expanduser()
        if not path.is_file():
            raise CaptureError(
                f"source {self.source.name!r}: X archive {path} does not exist; set 'path' to the downloaded archive zip"
            )
        digest = _sha256(path)
        imported: dict[str, Any] = self.context.state.setdefault("imported", {})
        if digest in imported:
            self.log.info("%s: already imported (sha256 %s); nothing to do", path, digest)
            self.report.counts["unchanged"] += 1
            return self.report
        try:
            archive = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as exc:
            raise CaptureError(
                f"source {self.source.name!r}: {path} is not a readable zip ({exc}); download the archive again"
            ) from None
        with archive:
            members = archive.namelist()
            parts = sorted((m for m in members if TWEET_PARTS.match(m)), key=_part_order)
            if not parts:
                raise CaptureError(
                    f"source {self.source.name!r}: {path} holds no data/tweets.js; is it an X account archive?"
                )
            account = _account(archive, members)
            uri = path.resolve().as_uri()
            with path.open("rb") as whole:
                self.context.writer.write_resource(
                    uri,
                    "application/zip",
                    whole,
                    self._metadata(
                        "archive_zip",
                        {
                            "path": str(path),
                            "sha256": digest,
                            "size": path.stat().st_size,
                            "account": account,
                            "parts": parts,
                        },
                    ),
                )
            self._count(path.stat().st_size)
            tweets = 0
            for member in parts:
                data = archive.read(member)
                count = _tweet_count(data, member, path)
                tweets += count
                extra = {"part": member, "zip_sha256": digest, "account": account, "tweets": count}
                self.context.writer.write_resource(
                    f"{uri}#{member}",
                    "application/javascript",
                    data,
                    self._metadata("archive_part", extra),
                )
                self._count(len(data))
        self.report.counts["tweets"] += tweets
        imported[digest] = {"path": str(path), "tweets": tweets, "parts": len(parts)}
        return self.report

    def _metadata(self, kind: str, extra: dict[str, Any]) -> CaptureMetadata:
        return CaptureMetadata(
            source=self.source.name,
            platform=self.platform,
            collector=self.source_type,
            collector_version=self.version,
            capture_kind=kind,
            run_id=self.context.run_id,
            extra=extra,
        )

    def _count(self, size: int) -> None:
        self.report.counts["captures"] += 1
        self.report.counts["bytes"] += size


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for chunk in iter(lambda: file.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _part_order(member: str) -> tuple[int, str]:
    match = _PART_NUMBER.search(member)
    return (int(match.group(1)) if match else 0, member)


def _ytd_items(data: bytes) -> list[Any]:
    """The JSON array of a 'window.YTD.<name>.part0 = [...]' file."""
    text = data.decode("utf-8-sig")
    start = text.find("[")
    items = json.loads(text[start:]) if start >= 0 else None
    if not isinstance(items, list):
        raise ValueError("no JSON array after 'window.YTD...='")
    return items


def _tweet_count(data: bytes, member: str, path: Path) -> int:
    try:
        return len(_ytd_items(data))
    except (UnicodeDecodeError, ValueError) as exc:
        raise CaptureError(
            f"{path}: {member} is not a readable tweets file ({exc}); the archive may be damaged"
        ) from None


def _account(archive: zipfile.ZipFile, members: list[str]) -> dict[str, str]:
    """Username, display name and id of the archive's account (not its e-mail or phone)."""
    member = next((m for m in members if ACCOUNT_PART.match(m)), None)
    if member is None:
        return {}
    try:
        items = _ytd_items(archive.read(member))
    except (UnicodeDecodeError, ValueError):
        return {}
    account = items[0].get("account", {}) if items and isinstance(items[0], dict) else {}
    return {
        "username": str(account.get("username", "")),
        "display_name": str(account.get("accountDisplayName", "")),
        "account_id": str(account.get("accountId", "")),
    }
