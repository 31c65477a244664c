"""Moving closed WARC files to the configured bucket (``archive.storage: s3``) after a run: the
command line's `collect` and the scheduler's collect and stamp jobs call ``offload_pass``. When
timestamping is on, a file waits on local disk until it has its token, so the token is made over
the file as written and the stored copy is the stamped one."""

from __future__ import annotations

import logging
from pathlib import Path

from archive.store import OffloadReport, offload_closed
from archive.store_types import BucketLocation
from config.models import ArchiverenConfig
from evidence.tokens import tokens_of

log = logging.getLogger(__name__)


def bucket_location(config: ArchiverenConfig) -> BucketLocation | None:
    """The bucket the config names for closed WARC files, or None when they stay local."""
    s3 = config.archive.s3
    if config.archive.storage != "s3" or s3 is None:
        return None
    return BucketLocation(
        endpoint_url=s3.endpoint_url,
        bucket=s3.bucket,
        prefix=s3.prefix,
        region=s3.region,
        access_key_env=s3.access_key_env,
        secret_key_env=s3.secret_key_env,
    )


def offload_pass(config: ArchiverenConfig, archive_dir: Path) -> OffloadReport | None:
    """Upload, check and (unless ``keep_local``) remove locally every closed WARC file the bucket
    lacks; None when the config keeps WARC files local. Raises ArchiveError when the bucket
    cannot be reached at all; a single file's failed upload is in the report."""
    location = bucket_location(config)
    if location is None or config.archive.s3 is None or not archive_dir.is_dir():
        return None
    stamped_first = config.evidence.enabled
    report = offload_closed(
        archive_dir,
        location,
        keep_local=config.archive.s3.keep_local,
        attempts=config.archive.s3.upload_attempts,
        ready=(lambda path: bool(tokens_of(path))) if stamped_first else None,
    )
    if report.uploaded or report.failed:
        log.info("object storage: %s", report.summary())
    for problem in report.failed:
        log.error("upload to %s failed: %s", location.describe(), problem)
    return report
