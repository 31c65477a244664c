"""WARC 1.1 conformance rules in the manner of `warcio test` (which is not in a released warcio
yet): mandatory fields per record type, field syntax, revisit profile fields, concurrent-to
links that resolve, warcinfo first; and archiveren's own layout since issue 23: every record
after the warcinfo names it by WARC-Warcinfo-ID, and only records with an HTTP payload carry a
WARC-Payload-Digest (a revisit names its original by the WARC-Refers-To fields; WARC 1.1 §6.7.2
would have its payload digest, which FastWARC's `check -p` fails). Returns readable problems."""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

MANDATORY = ("WARC-Record-ID", "Content-Length", "WARC-Date", "WARC-Type")
NEEDS_TARGET = ("response", "request", "revisit", "resource", "metadata")
URI_IN_BRACKETS = re.compile(r"^<[A-Za-z][A-Za-z0-9+.-]*:[^\s<>]+>$")
DATE_11 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$")
DIGEST = re.compile(r"^[A-Za-z0-9-]+:[A-Za-z0-9/+=_-]+$")


def warc_problems(path: Path) -> list[str]:
    problems: list[str] = []
    ids: set[str] = set()
    links: list[tuple[str, str]] = []
    warcinfo_id = ""
    with open(path, "rb") as handle:
        for index, record in enumerate(ArchiveIterator(handle)):
            headers = record.rec_headers
            rtype = record.rec_type
            where = f"record {index} ({rtype})"
            if index == 0 and rtype != "warcinfo":
                problems.append("the first record is not warcinfo")
            if rtype == "warcinfo":
                warcinfo_id = headers.get_header("WARC-Record-ID") or ""
            elif headers.get_header("WARC-Warcinfo-ID") != warcinfo_id:
                problems.append(f"{where}: WARC-Warcinfo-ID does not name the file's warcinfo")
            if rtype in ("metadata", "resource", "revisit") and headers.get_header(
                "WARC-Payload-Digest"
            ):
                problems.append(f"{where}: WARC-Payload-Digest on a record without HTTP payload")
            if headers.protocol != "WARC/1.1":
                problems.append(f"{where}: version {headers.protocol}")
            for name in MANDATORY:
                if not headers.get_header(name):
                    problems.append(f"{where}: missing {name}")
            record_id = headers.get_header("WARC-Record-ID") or ""
            if not URI_IN_BRACKETS.match(record_id):
                problems.append(f"{where}: bad WARC-Record-ID {record_id!r}")
            ids.add(record_id)
            if not DATE_11.match(headers.get_header("WARC-Date") or ""):
                problems.append(f"{where}: bad WARC-Date")
            target = headers.get_header("WARC-Target-URI")
            if rtype in NEEDS_TARGET:
                if not target or target.startswith("<") or re.search(r"\s", target):
                    problems.append(f"{where}: bad WARC-Target-URI {target!r}")
            content_type = (headers.get_header("Content-Type") or "").replace(" ", "").lower()
            if rtype in ("request", "response", "revisit") and target and target.startswith("http"):
                expected = "msgtype=request" if rtype == "request" else "msgtype=response"
                if content_type != f"application/http;{expected}":
                    problems.append(f"{where}: Content-Type {content_type}")
                ip = headers.get_header("WARC-IP-Address")
                if ip is None:
                    problems.append(f"{where}: WARC-IP-Address should be used for http")
                else:
                    ipaddress.ip_address(ip)
            if rtype == "warcinfo":
                body = record.content_stream().read()
                if content_type != "application/warc-fields":
                    problems.append(f"{where}: warcinfo Content-Type {content_type}")
                for line in body.split(b"\r\n")[:-1]:
                    if line and b":" not in line:
                        problems.append(f"{where}: warc-fields line without a name: {line!r}")
                if not body.endswith(b"\r\n"):
                    problems.append(f"{where}: warc-fields must end with CRLF")
            for name in ("WARC-Block-Digest", "WARC-Payload-Digest"):
                value = headers.get_header(name)
                if value and not DIGEST.match(value):
                    problems.append(f"{where}: bad {name} {value!r}")
            if rtype == "revisit":
                profile = headers.get_header("WARC-Profile") or ""
                if not profile.endswith("/revisit/identical-payload-digest"):
                    problems.append(f"{where}: unexpected WARC-Profile {profile!r}")
                for name in (
                    "WARC-Refers-To",
                    "WARC-Refers-To-Target-URI",
                    "WARC-Refers-To-Date",
                ):
                    if not headers.get_header(name):
                        problems.append(f"{where}: revisit without {name}")
            truncated = headers.get_header("WARC-Truncated")
            if truncated and truncated not in ("length", "time", "disconnect", "unspecified"):
                problems.append(f"{where}: WARC-Truncated {truncated!r}")
            concurrent = headers.get_header("WARC-Concurrent-To")
            if concurrent:
                links.append((where, concurrent))
            record.content_stream().read()
    for where, target_id in links:
        if target_id not in ids:
            problems.append(f"{where}: WARC-Concurrent-To {target_id} is not in the file")
    return problems
