"""The ``archiveren`` command line: one subcommand per job, each with its own ``--help``.

Every subcommand gets the loaded config and the data dir through ``Workspace``; errors that
archiveren raises on purpose (``ArchiverenError``) are printed as one clear message and turned
into a non-zero exit code, never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from archiveren import __version__, commands
from archiveren.logs import configure_logging
from foundation.errors import ArchiverenError
from workspace import Workspace

Handler = Callable[[argparse.Namespace, Workspace], int]


def export_reason(value: str) -> str:
    """An export's reason, as the UI asks for it: not empty, not only spaces."""
    if not value.strip():
        raise argparse.ArgumentTypeError(
            "give the reason for this export, e.g. --reason 'Woo-verzoek 2026-114'; it goes into the audit log"
        )
    return value.strip()


def sha256_hex(value: str) -> str:
    """A SHA-256 given on the command line: 64 hexadecimal digits, any case."""
    digits = value.strip().lower().removeprefix("sha256:")
    if len(digits) != 64 or any(c not in "0123456789abcdef" for c in digits):
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a SHA-256: expected 64 hexadecimal digits, as sha256sum prints them"
        )
    return digits


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="archiveren",
        description="Keep civil servants' public online work as government records: collect, archive (WARC), index, search, export.",
    )
    parser.add_argument("--version", action="version", version=f"archiveren {__version__}")
    parser.add_argument(
        "--config",
        type=Path,
        default=None,
        help="sources file (default: config/sources.yaml; env ARCHIVEREN_CONFIG)",
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="where WARCs, index and catalogue live (default: ./data; env ARCHIVEREN_DATA)",
    )
    parser.add_argument(
        "-v", "--verbose", action="count", default=0, help="more log output (-vv for debug)"
    )
    parser.add_argument("--log-json", action="store_true", help="structured JSON log lines")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def add(name: str, handler: Handler, help_text: str) -> argparse.ArgumentParser:
        command = sub.add_parser(name, help=help_text, description=help_text)
        command.set_defaults(handler=handler)
        return command

    add(
        "init",
        commands.init,
        "create the data dir, the catalogue (with migrations) and check the config",
    )
    add(
        "check",
        commands.check,
        "check the config: every source's fields, URLs, cron expressions, secrets' variables and site profiles, all problems at once",
    )

    collect = add(
        "collect",
        commands.collect,
        "collect sources now (all enabled sources, or the ones named) into WARC files",
    )
    collect.add_argument(
        "sources", nargs="*", metavar="SOURCE", help="source names from the config"
    )
    collect.add_argument(
        "--strict",
        action="store_true",
        help="exit with status 1 also when a source lost data: a captured page its site profile"
        " could not read (profile_mismatch), so its author or comments will not be indexed",
    )

    index = add("index", commands.index, "index new WARC records into the search backend")
    index.add_argument(
        "--rebuild",
        action="store_true",
        help="build a fresh index from all WARCs beside the live one and swap it in",
    )
    index.add_argument(
        "--wait",
        type=float,
        default=300.0,
        metavar="SECONDS",
        help="wait this long for another indexing run (the scheduler's) to finish (default 300)",
    )

    search = add(
        "search",
        commands.search,
        'search the index (Lucene-style query: words, "phrases", field:value, AND/OR/NOT, wildcards)',
    )
    search.add_argument(
        "query", nargs="?", default="", help="query string; empty matches everything"
    )
    search.add_argument(
        "--filter",
        action="append",
        default=[],
        metavar="FIELD=VALUE",
        help="filter, e.g. platform=x, kind=comment, hashtag=woo (repeatable)",
    )
    search.add_argument(
        "--from",
        dest="date_from",
        default=None,
        metavar="DATE",
        help="published on or after DATE (YYYY-MM-DD)",
    )
    search.add_argument(
        "--to",
        dest="date_to",
        default=None,
        metavar="DATE",
        help="published on or before DATE (YYYY-MM-DD; the day is included)",
    )
    search.add_argument("--sort", choices=["relevance", "newest", "oldest"], default="relevance")
    search.add_argument("--limit", type=int, default=20, help="number of hits (default 20)")
    search.add_argument("--offset", type=int, default=0)
    search.add_argument(
        "--json", action="store_true", help='print {"total": N, "hits": [...], "facets": {...}}'
    )

    serve = add("serve", commands.serve, "serve the search UI and JSON API")
    serve.add_argument(
        "--host", default=None, help="address to listen on (default from config, 127.0.0.1)"
    )
    serve.add_argument("--port", type=int, default=None, help="port (default from config, 8000)")

    export = add(
        "export",
        commands.export,
        "export the Posts a query finds as a BagIt bag, WACZ, CSV, JSON Lines or an e-Depot transfer package",
    )
    export.add_argument("query", nargs="?", default="")
    export.add_argument("--filter", action="append", default=[], metavar="FIELD=VALUE")
    export.add_argument(
        "--format", choices=["bag", "wacz", "csv", "jsonl", "transfer"], required=True
    )
    export.add_argument("--out", type=Path, required=True, help="file or directory to write")
    export.add_argument(
        "--reason",
        type=export_reason,
        required=True,
        help="why this export is made, e.g. 'Woo-verzoek 2026-114' (required; goes into the audit log)",
    )
    export.add_argument(
        "--excel",
        action="store_true",
        help="for --format csv: start the file with a UTF-8 byte order mark so Excel reads it as UTF-8",
    )
    _acting_user_options(export, required=False)

    verify_export = add(
        "verify-export",
        commands.verify_export,
        "check every digest of an export made by archiveren, told by its content (a bag, WACZ, "
        "or a CSV/JSON Lines listing with its manifest); exit 1 when damaged, 2 when PATH is no export",
    )
    verify_export.add_argument(
        "path", type=Path, help="a bag or transfer directory, a WACZ, a listing or its manifest"
    )
    verify_export.add_argument(
        "--sha256",
        type=sha256_hex,
        default=None,
        metavar="HEX",
        help="the SHA-256 the recipient was given apart from the export (of the file; of "
        "tagmanifest-sha256.txt for a bag, as the audit log records it)",
    )
    verify_export.add_argument(
        "--signer",
        type=Path,
        action="append",
        default=[],
        metavar="KEY.pem",
        help="the organisation's public key (from `archiveren keys show`, received from a source you trust; repeatable): the package must be signed with it",
    )
    verify_export.add_argument(
        "--ca",
        type=Path,
        action="append",
        default=[],
        metavar="CA.pem",
        help="CA certificate (PEM) of the time-stamping authority that timed the signature (repeatable; default: evidence.ca_files of the config, when there is one)",
    )

    keys = add(
        "keys",
        commands.keys,
        "the organisation's signing key for exports: `create` makes one (ECDSA P-384) at evidence.signing_key_file, `show` prints its public key and fingerprint to hand to recipients",
    )
    keys.add_argument("action", choices=["create", "show"])

    add(
        "stamp",
        commands.stamp,
        "send the record tree of every closed WARC file that lacks a timestamp token to the configured RFC 3161 authorities and keep their tokens beside the file",
    )
    proof = add(
        "proof",
        commands.proof,
        "write a self-contained proof for one Post: its captured record, the record's place in its WARC file's timestamped record tree, and the timestamp tokens",
    )
    proof.add_argument("post_id", metavar="POST_ID", help="the Post's id (see `search --json`)")
    proof.add_argument(
        "--out",
        type=Path,
        default=None,
        help="file to write, or a directory for bewijs-POST_ID.json (default: the current directory)",
    )
    verify_proof = add(
        "verify-proof",
        commands.verify_proof,
        "check a proof made by `proof` without the archive: the record leads to the timestamped root and every token verifies",
    )
    verify_proof.add_argument("path", type=Path, metavar="FILE")
    verify_proof.add_argument(
        "--ca",
        type=Path,
        action="append",
        default=[],
        metavar="CA.pem",
        help="CA certificate (PEM) of the time-stamping authority, from a source you trust (repeatable); without it the CA inside the proof is used, with a warning",
    )
    add(
        "verify",
        commands.verify,
        "recompute WARC checksums and record digests and check the audit log's hash chain; non-zero exit if anything is missing, changed or unlisted",
    )
    audit = add(
        "audit",
        commands.audit,
        "print the audit log, oldest first (filters combine); --csv for a spreadsheet",
    )
    audit.add_argument("--by", default=None, metavar="USER", help="rows of this user")
    audit.add_argument("--action", default=None, help="rows of this action, e.g. legal_hold")
    audit.add_argument("--from", dest="date_from", default=None, metavar="DATE")
    audit.add_argument("--to", dest="date_to", default=None, metavar="DATE")
    audit.add_argument("--case", default=None, metavar="NUMBER", help="rows about this case")
    audit.add_argument("--csv", action="store_true", help="CSV with each row's chain digests")
    add(
        "schedule",
        commands.schedule,
        "run the collectors on their schedules until stopped (SIGTERM/SIGINT)",
    )
    status = add(
        "status",
        commands.status,
        "sources with their last run, outcome and counts; WARC files; index progress",
    )
    status.add_argument("--json", action="store_true", help="as one JSON document")

    sources = add(
        "sources",
        commands.sources,
        "list, add, disable, enable or import (CSV) sources; changes are written back to the config file, comments kept",
    )
    sources.add_argument("action", choices=["list", "add", "disable", "enable", "import"])
    sources.add_argument(
        "target",
        nargs="*",
        metavar="ARG",
        help="add: TYPE ACCOUNT-OR-URL (x minbzk, mastodon user@instance, feed URL, network URL); "
        "disable/enable: source names; import: a CSV file with columns type,account,organisation,schedule,category",
    )
    sources.add_argument(
        "--name", help="add: the source's name (default: made from the account or URL)"
    )
    sources.add_argument("--organisation", default="", help="add: whose record it is")
    sources.add_argument("--schedule", default="", metavar="CRON", help="add: crontab expression")
    sources.add_argument("--category", default="", help="add: selectielijst category")
    sources.add_argument("--json", action="store_true", help="list: as JSON")

    profile = add(
        "profile",
        commands.profile,
        "check a site profile against a page: what each page type and field finds, or why not",
    )
    profile.add_argument("action", choices=["check"])
    profile.add_argument("target", help="a URL (its archived capture, or --live) or an HTML file")
    profile.add_argument(
        "--profile", default="", help="profile name or YAML path (default: the source's)"
    )
    profile.add_argument("--url", default="", help="for a file: the address it was served at")
    profile.add_argument("--live", action="store_true", help="fetch the URL now, not the archive's")

    demo = add(
        "demo",
        commands.demo,
        "start the local demo sources, collect them all, index, and serve the UI on 127.0.0.1:8000",
    )
    demo.add_argument("--port", type=int, default=8000)
    demo.add_argument("--no-serve", action="store_true", help="stop after collecting and indexing")
    demo.add_argument(
        "--rounds",
        type=int,
        default=2,
        help="collection rounds (default 2); the sources edit a blog post, a tweet and a toot "
        "and delete a toot before round 2, so the UI shows versions and a tombstone",
    )

    retention = add(
        "retention",
        commands.retention,
        "retention under the selectielijst: destruction proposal, legal holds, destruction approved by a second person",
    )
    retention.add_argument(
        "action", choices=["report", "holds", "hold", "release", "plan-destruction", "destroy"]
    )
    retention.add_argument(
        "query", nargs="?", default="", help="for hold: the query whose Posts are held"
    )
    retention.add_argument("--filter", action="append", default=[], metavar="FIELD=VALUE")
    retention.add_argument("--name", default="", help="for hold: a name for the hold")
    retention.add_argument("--case", default="", help="for hold: the case number it belongs to")
    retention.add_argument(
        "--reason", default="", help="for hold, release and plan-destruction: why (required)"
    )
    retention.add_argument(
        "--basis",
        default="",
        help="for plan-destruction: the selectielijst and category it rests on (required)",
    )
    retention.add_argument(
        "--category", default="", help="for plan-destruction: only this selectielijst category"
    )
    retention.add_argument("--hold-id", type=int, help="for release: the hold (see `holds`)")
    retention.add_argument(
        "--json", action="store_true", help='for report: as {"count": N, "due": [...]}'
    )
    retention.add_argument(
        "--plan", type=int, help="for destroy: the plan id from plan-destruction"
    )
    _acting_user_options(retention)

    users = add(
        "users",
        commands.users,
        "manage UI accounts (roles: archivist, compliance, admin); passwd, role, disable and delete end the user's sessions; a deleted name is never reused",
    )
    users.add_argument(
        "action", choices=["add", "list", "passwd", "role", "disable", "enable", "delete"]
    )
    users.add_argument(
        "username",
        nargs="?",
        help="letters, digits and . - _ (at most 64), starting with a letter or digit; not a reserved name such as cli",
    )
    users.add_argument(
        "new_role",
        nargs="?",
        metavar="ROLE",
        choices=["archivist", "compliance", "admin"],
        help="for role: the new role",
    )
    users.add_argument(
        "--role",
        choices=["archivist", "compliance", "admin"],
        default="archivist",
        help="for add: the role (default archivist)",
    )
    users.add_argument(
        "--password-env",
        default=None,
        metavar="VAR",
        help="read the password from this environment variable instead of prompting",
    )
    users.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from the first line of standard input (needed without a terminal)",
    )
    return parser


def _acting_user_options(command: argparse.ArgumentParser, *, required: bool = True) -> None:
    command.add_argument(
        "--user",
        default=None,
        metavar="NAME",
        help="the archiveren account you act as; its password is asked next"
        + ("" if required else " (without it the export is recorded as the operator, 'cli')"),
    )
    command.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the --user password from the first line of standard input",
    )
    command.add_argument(
        "--password-env",
        default=None,
        metavar="VAR",
        help="read the --user password from this environment variable",
    )


PROGRESS_COMMANDS = frozenset({"collect", "index", "export", "verify", "stamp"})
"""The commands that can run for minutes: they draw progress on a terminal."""

PRIVATE_UMASK = 0o077
"""Everything archiveren creates (data dir, catalogue with its password hashes and audit log,
WARCs, index, exports) is readable by the operator's account alone."""


def main(argv: Sequence[str] | None = None) -> int:
    os.umask(PRIVATE_UMASK)
    parser = build_parser()
    args = parser.parse_args(argv)
    configure_logging(args.verbose, json_lines=args.log_json)
    config_path = args.config or Path(os.environ.get("ARCHIVEREN_CONFIG", "config/sources.yaml"))
    data_dir = args.data_dir or Path(os.environ.get("ARCHIVEREN_DATA", "data"))
    workspace = Workspace(config_path=config_path, data_dir=data_dir)
    try:
        with commands.progress_shown(args.command in PROGRESS_COMMANDS, log_json=args.log_json):
            code: int = args.handler(args, workspace)
    except ArchiverenError as exc:
        print(f"archiveren {args.command}: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(f"archiveren {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # whoever read the output stopped reading (`archiveren search … | head`): not an error;
        # point stdout at /dev/null so the interpreter's own flush at exit stays quiet too
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    finally:
        workspace.close()
    return code


__all__ = ["build_parser", "main"]
