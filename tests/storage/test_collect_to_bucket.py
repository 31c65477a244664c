"""`archiveren` with `archive.storage: s3`, as a subprocess against a real S3 server: `collect`
uploads the closed WARC and removes the local copy only after the check, `index`, `search`,
`export` and `verify` read it from the bucket, the scheduler's runs upload too, and the keys
appear in no output and no file. A missing key variable is named before anything runs."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import time
from pathlib import Path

import boto3
import pytest
import yaml

from archive.store_types import BucketLocation
from demo_sources import DemoSources
from tests.fixtures.command_line import run_archiveren, start_archiveren
from tests.fixtures.objectstore import ACCESS_KEY, SECRET_KEY


def _demo_config(tmp_path: Path, demo: DemoSources, bucket: BucketLocation) -> Path:
    """The demo's blog source, its WARC files kept in ``bucket``."""
    config = yaml.safe_load(demo.config_yaml())
    config["sources"] = [s for s in config["sources"] if s["name"] == "blog-zoe"]
    config["archive"].update(
        storage="s3",
        s3={"endpoint_url": bucket.endpoint_url, "bucket": bucket.bucket, "prefix": bucket.prefix},
    )
    path = tmp_path / "sources.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path


def _config(tmp_path: Path, feed_url: str, bucket: BucketLocation, extra: str = "") -> Path:
    config = tmp_path / "sources.yaml"
    config.write_text(
        "http: {delay_seconds: 0, retries: 0, timeout_seconds: 5}\n"
        "archive:\n"
        "  storage: s3\n"
        f"  s3: {{endpoint_url: '{bucket.endpoint_url}', bucket: {bucket.bucket}, prefix: {bucket.prefix}}}\n"
        f"{extra}"
        f"sources:\n  - {{name: blog, type: feed, url: '{feed_url}', backfill_depth: 0"
        + (", schedule: {interval_seconds: 2}" if extra else "")
        + "}\n",
        encoding="utf-8",
    )
    return config


def _stored_names(bucket: BucketLocation) -> list[str]:
    client = boto3.client(
        "s3",
        endpoint_url=bucket.endpoint_url,
        region_name=bucket.region,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
    )
    try:
        listed = client.list_objects_v2(Bucket=bucket.bucket, Prefix=bucket.prefix)["Contents"]
    except (client.exceptions.NoSuchBucket, KeyError):
        return []
    return sorted(item["Key"].removeprefix(bucket.prefix) for item in listed)


def _leaked(directory: Path, secret: str) -> list[Path]:
    return [
        path
        for path in directory.rglob("*")
        if path.is_file() and secret.encode() in path.read_bytes()
    ]


@pytest.mark.objectstore
@pytest.mark.slow
def test_collected_warcs_live_in_the_bucket_and_index_search_export_and_verify_read_them(
    demo_sources_readonly: DemoSources, bucket: BucketLocation, tmp_path: Path
) -> None:
    config, data = _demo_config(tmp_path, demo_sources_readonly, bucket), tmp_path / "data"
    outputs = []

    collected = run_archiveren(config, data, "collect")
    outputs.append(collected.stdout + collected.stderr)
    assert collected.returncode == 0, outputs[-1]
    assert re.search(r"object storage: [1-9]\d* file\(s\) stored", collected.stdout), outputs[-1]
    assert not list((data / "warcs").glob("*.warc.gz"))
    stored = _stored_names(bucket)
    assert stored and all(name.endswith(".warc.gz") for name in stored)

    for command in (
        ["index"],
        ["search", "*", "--json"],
        [
            "export",
            "*",
            "--format",
            "wacz",
            "--out",
            str(tmp_path / "a.wacz"),
            "--reason",
            "Woo-verzoek 1",
        ],
        ["verify"],
    ):
        done = run_archiveren(config, data, *command)
        outputs.append(done.stdout + done.stderr)
        assert done.returncode == 0, (command, outputs[-1])
    assert json.loads(outputs[2])["total"] > 0
    checked = run_archiveren(config, data, "verify-export", str(tmp_path / "a.wacz"))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert all(SECRET_KEY not in output for output in outputs)
    assert _leaked(data, SECRET_KEY) == [] and _leaked(tmp_path, SECRET_KEY) == []


def test_storage_in_a_bucket_without_its_key_variables_is_refused_naming_them(
    feed_url: str, tmp_path: Path
) -> None:
    location = BucketLocation(endpoint_url="http://127.0.0.1:9", bucket="archiveren-test")
    config, data = _config(tmp_path, feed_url, location), tmp_path / "data"

    checked = run_archiveren(
        config, data, "check", env={"ARCHIVEREN_S3_ACCESS_KEY": "", "ARCHIVEREN_S3_SECRET_KEY": ""}
    )

    assert checked.returncode != 0
    said = checked.stdout + checked.stderr
    assert "archive.s3" in said and "ARCHIVEREN_S3_SECRET_KEY" in said, said
    assert "Traceback" not in said


@pytest.mark.objectstore
@pytest.mark.slow
def test_the_scheduler_uploads_the_files_its_runs_close(
    feed_url: str, bucket: BucketLocation, tmp_path: Path
) -> None:
    config = _config(
        tmp_path,
        feed_url,
        bucket,
        extra="  rollover_bytes: 1024\nscheduler: {verify_cron: null}\n",
    )
    data = tmp_path / "data"
    process = start_archiveren(
        config, data, "schedule", stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 90
        while not _stored_names(bucket) and time.monotonic() < deadline:
            time.sleep(1)
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=60)
    stored = _stored_names(bucket)
    assert stored, output
    for key in stored:
        assert not (data / "warcs" / key).exists()
    assert SECRET_KEY not in output
