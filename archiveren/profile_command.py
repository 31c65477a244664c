"""`archiveren profile check TARGET`: what a site profile reads from one page, field by field.
TARGET is a file (give its address with --url: page types are recognised by URL shape), or a
URL: its newest capture in the archive, or, with --live (or when the archive has none), the
page fetched once now. The profile is --profile, else that of the configured network source
whose start URL shares the page's host, else the generic one."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from archive import read_capture
from archive.cdxj import lookup
from collectors.http import user_agent
from config.models import ArchiverenConfig
from foundation.errors import ArchiverenError
from platforms.profile import load_profile
from platforms.profile_check import check_page
from workspace import Workspace


def run(args: argparse.Namespace, ws: Workspace) -> int:
    body, url, where = _page(args, ws)
    profile_name = args.profile or _configured_profile(ws, url) or "generic"
    profile = load_profile(profile_name)
    print(f"{where}\nprofile: {profile_name}\n")
    checks = check_page(profile, body, url, datetime.now(UTC))
    for check in checks:
        mark = "✓" if check.chosen else ("·" if check.applies else "✗")
        print(f"{mark} {check.name}: {check.why}")
        if not check.applies:
            continue
        for name, value in check.fields.items():
            flag = "  (required, not found)" if name in check.missing else ""
            print(f"    {name:<11} {value or '—'}{flag}")
        if check.comments:
            print(f"    comments   {len(check.comments)}")
            for line in check.comments[:5]:
                print(f"      - {line}")
            if len(check.comments) > 5:
                print(f"      … and {len(check.comments) - 5} more")
    if any(check.chosen for check in checks):
        chosen = next(check for check in checks if check.chosen)
        print(f"\nthe page is read as {chosen.name}")
        return 0
    print(
        "\nno page type of this profile reads the page: the indexer would fall back to the "
        "generic reading and mark the run partial"
    )
    return 1


def _page(args: argparse.Namespace, ws: Workspace) -> tuple[bytes, str, str]:
    target: str = args.target
    if not target.startswith(("http://", "https://")):
        path = Path(target)
        if not path.is_file():
            raise ArchiverenError(f"{target}: no such file, and not an http(s) URL")
        url = args.url or path.resolve().as_uri()
        return path.read_bytes(), url, f"file: {path} (read as {url})"
    if not args.live:
        captured = [
            e for e in lookup(ws.archive_dir, target) if e.fields.get("mime") != "warc/revisit"
        ]
        if captured:
            pointer = captured[-1].pointer()
            capture = read_capture(ws.archive_dir, pointer)
            return (
                capture.payload,
                target,
                f"archived capture of {target} ({captured[-1].timestamp}, {pointer.warc_file})",
            )
    config = ws.config(check_secrets=False) if ws.config_path.exists() else ArchiverenConfig()
    try:
        answer = httpx.get(
            target,
            headers={"User-Agent": user_agent(config.http.contact)},
            timeout=config.http.timeout_seconds,
            follow_redirects=True,
        )
    except httpx.HTTPError as exc:
        raise ArchiverenError(f"{target}: could not be fetched: {exc}") from None
    if answer.status_code != 200:
        raise ArchiverenError(f"{target}: the server answered HTTP {answer.status_code}")
    return answer.content, str(answer.url), f"fetched now: {answer.url} (not archived)"


def _configured_profile(ws: Workspace, url: str) -> str | None:
    if not ws.config_path.exists():
        return None
    host = urlsplit(url).netloc
    for source in ws.config(check_secrets=False).sources:
        if source.type != "network":
            continue
        if any(urlsplit(str(start)).netloc == host for start in source.start_urls):
            return str(source.profile)
    return None
