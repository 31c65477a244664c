"""What each ``archiveren`` subcommand does: thin glue from the command line into the stages.

Each function takes the parsed arguments and the ``Workspace`` and returns the exit code. The
work itself lives in the stage packages; this module only wires them together and prints. Each
subcommand imports the stage it runs when it runs, so that ``archiveren status`` or ``--help``
does not load Scrapy, tantivy's writer, the web stack and the export libraries first
(tests/architecture allows this module's function-level imports for that reason).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from archiveren.table import print_hits
from catalogue.audit_chain import verify_chain
from catalogue.audit_queries import AuditFilter, audit_rows, chain_rows
from catalogue.jobs import next_run_times
from catalogue.usernames import valid_username
from config import ArchiverenConfig, NetworkSource
from config.loader import require_secrets
from config.models import EvidenceSettings
from foundation import progress
from foundation.errors import ArchiverenError, ConfigError, EvidenceError
from foundation.local_time import local_iso
from indexer.periods import whole_days
from indexer.query_model import SearchRequest
from workspace import Workspace
from workspace.hold_query import resolve as resolve_holds

if TYPE_CHECKING:
    from evidence.stamping import StampReport

OPERATOR = "cli"
"""Who the audit log names for what the operator does at the shell without acting for an account
(``users``, ``search``): a reserved name no account can have; the shell's $USER goes beside it
as ``os_user``, which is informative only."""


def parse_filters(values: Sequence[str]) -> dict[str, list[str]]:
    filters: dict[str, list[str]] = {}
    for value in values:
        field, sep, wanted = value.partition("=")
        if not sep or not field or not wanted:
            raise ArchiverenError(
                f"--filter {value!r}: expected FIELD=VALUE, e.g. --filter platform=x"
            )
        filters.setdefault(field.strip(), []).append(wanted.strip())
    return filters


@contextmanager
def progress_shown(long_running: bool, *, log_json: bool) -> Iterator[None]:
    """Progress bars on a terminal for a command that can run for minutes (rich is loaded only
    for those and only on a terminal)."""
    if not long_running or log_json or not sys.stderr.isatty():
        yield
        return
    from archiveren.progress import terminal_progress

    with terminal_progress(log_json=log_json):
        yield


def check(args: argparse.Namespace, ws: Workspace) -> int:
    config = checked_config(ws)
    enabled = sum(source.enabled for source in config.sources)
    print(
        f"{ws.config_path}: OK, {len(config.sources)} sources ({enabled} enabled), backend {config.search.search_backend}"
    )
    return 0


def checked_config(ws: Workspace) -> ArchiverenConfig:
    """The config, refused with every problem at once: what the file says (types, URLs, cron
    expressions, names used twice, secrets' variables unset), then the site profiles it names."""
    from platforms.profile import load_profile

    config = ws.config()
    problems = []
    for source in config.sources:
        if isinstance(source, NetworkSource):
            try:
                load_profile(source.profile)
            except ConfigError as exc:
                problems.append(f"source {source.name!r}, field 'profile': {exc}")
    if problems:
        raise ConfigError(f"{ws.config_path}: invalid configuration:\n  " + "\n  ".join(problems))
    return config


def init(args: argparse.Namespace, ws: Workspace) -> int:
    config = checked_config(ws)
    ws.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    ws.archive_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    catalogue = ws.catalogue()
    _make_private(ws)
    print(
        f"config      {ws.config_path} ({len(config.sources)} sources, backend {config.search.search_backend})"
    )
    print(f"data dir    {ws.data_dir.resolve()}")
    print(f"archive     {ws.archive_dir.resolve()}")
    print(f"catalogue   schema revision {catalogue.schema_revision()}")
    return 0


def _make_private(ws: Workspace) -> None:
    """A data dir made before the umask (or by hand) is closed to other accounts: 0700, and the
    catalogue's files (password hashes, audit log) 0600."""
    ws.data_dir.chmod(0o700)
    for path in ws.data_dir.glob("catalogue.sqlite*"):
        path.chmod(0o600)


def collect(args: argparse.Namespace, ws: Workspace) -> int:
    from collectors.runner import run_sources

    config = ws.config(check_secrets=False)
    unknown = [name for name in args.sources if name not in {s.name for s in config.sources}]
    if unknown:
        raise ConfigError(
            f"{ws.config_path}: no source named {', '.join(map(repr, unknown))}; known: {', '.join(s.name for s in config.sources)}"
        )
    require_secrets(ws.config_path, config, args.sources)
    progress.begin("collect")
    reports = run_sources(config, ws.data_dir, args.sources or None)
    failed = 0
    for report in reports:
        counts = ", ".join(f"{k} {v}" for k, v in sorted(report.counts.items()) if v)
        print(f"{report.source:<28} {report.outcome:<8} {counts}")
        _print_problems(report.errors)
        failed += report.outcome in ("failed", "skipped")
        # --strict: a page captured whole but not readable whole is data lost from the index
        failed += bool(args.strict and report.counts.get("profile_mismatch"))
    if config.evidence.enabled:
        _stamp_quietly(ws)
    failed += _offload(config, ws)
    return 1 if failed else 0


def _offload(config: ArchiverenConfig, ws: Workspace) -> int:
    """Move the closed WARC files to the bucket (archive.storage: s3); 1 when any upload
    failed (the file stays local and the next run tries again), else 0."""
    from archiveren.offload import offload_pass

    try:
        report = offload_pass(config, ws.archive_dir)
    except ArchiverenError as exc:
        print(f"object storage: nothing uploaded: {exc}")
        return 1
    if report is None:
        return 0
    print(f"object storage: {report.summary()}")
    _print_problems(report.failed)
    return 1 if report.failed else 0


def _stamp_quietly(ws: Workspace) -> None:
    """The stamp pass after a run: an authority that is down costs a warning, never the run."""
    try:
        report = stamp_pass(ws)
    except ArchiverenError as exc:
        print(f"timestamps: not added: {exc}; `archiveren stamp` adds them later")
        return
    print(f"timestamps: {report.summary()}")
    _print_problems(report.failures)


def stamp_pass(ws: Workspace) -> StampReport:
    from evidence.stamping import stamp_archive

    config = ws.config(check_secrets=False)
    return stamp_archive(ws.archive_dir, config.evidence, config_dir=ws.config_path.parent)


def stamp(args: argparse.Namespace, ws: Workspace) -> int:
    config = ws.config(check_secrets=False)
    if not config.evidence.enabled:
        raise ConfigError(
            f"{ws.config_path}: evidence.tsa_urls is empty, so there is no authority to stamp with; "
            "name one (and its CA certificate in evidence.ca_files)"
        )
    report = stamp_pass(ws)
    for line in report.stamped:
        print(f"  {line}")
    _print_problems(report.failures, shown=20)
    print(f"timestamps: {report.summary()} in {report.seconds:.2f} s")
    return 1 if report.failures else 0


def proof(args: argparse.Namespace, ws: Workspace) -> int:
    from evidence.proof import build_proof, write_proof

    post = ws.backend().get(args.post_id)
    if post is None:
        raise ArchiverenError(
            f"no Post with id {args.post_id!r} in the index; find ids with `archiveren search --json`"
        )
    if post.capture is None:
        raise EvidenceError(f"Post {post.id} has no capture record to prove")
    config = ws.config(check_secrets=False)
    made = build_proof(
        ws.archive_dir,
        post.capture,
        config.evidence,
        post_id=post.id,
        config_dir=ws.config_path.parent,
    )
    out = write_proof(made, args.out or Path.cwd())
    print(f"proof written: {out} ({out.stat().st_size} bytes)")
    print(f"check it anywhere with: archiveren verify-proof {out.name} --ca CA.pem")
    return 0


def verify_proof(args: argparse.Namespace, ws: Workspace) -> int:
    from evidence.proof_check import verify_proof as check

    try:
        result = check(args.path, args.ca or None)
    except EvidenceError as exc:
        print(f"proof REJECTED: {exc}")
        return 1
    for line in result.lines:
        print(f"  {line}")
    for warning in result.warnings:
        print(f"  warning: {warning}")
    print("proof OK: this record was in the archive, byte for byte, at the time(s) above")
    return 0


def _print_problems(problems: list[str], shown: int = 5) -> None:
    for problem in problems[:shown]:
        print(f"    ! {problem}")
    if len(problems) > shown:
        print(f"    ! ... and {len(problems) - shown} more")


def index(args: argparse.Namespace, ws: Workspace) -> int:
    from indexer.pipeline import index_new_records, rebuild_index

    run = rebuild_index if args.rebuild else index_new_records
    report = run(ws, wait_seconds=args.wait)
    print(report.summary())
    return 0 if not report.errors else 1


def search(args: argparse.Namespace, ws: Workspace) -> int:
    period = whole_days(
        _day(args.date_from, "--from"), _day(args.date_to, "--to"), names=("--from", "--to")
    )
    try:
        request = SearchRequest(
            query=args.query,
            filters=parse_filters(args.filter),
            date_from=period[0],
            date_to=period[1],
            sort=args.sort,
            limit=args.limit,
            offset=args.offset,
            highlight=not args.json,
        )
    except ValidationError as exc:
        problems = "; ".join(f"--{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise ArchiverenError(problems) from None
    result = ws.backend().search(resolve_holds(ws.catalogue(), request))
    ws.catalogue().audit(
        OPERATOR,
        "search",
        os_user=os.environ.get("USER", ""),
        query=args.query,
        filters=request.filters,
        via="cli",
    )
    if args.json:
        payload = {
            "total": result.total,
            "hits": [hit.post.model_dump(mode="json") for hit in result.hits],
            "facets": {
                name: {b.value: b.count for b in buckets} for name, buckets in result.facets.items()
            },
        }
        json.dump(payload, sys.stdout, ensure_ascii=False)
        print()
        return 0
    print_hits(result, ws.config(check_secrets=False).display_timezone)
    return 0


def serve(args: argparse.Namespace, ws: Workspace) -> int:
    from exports.staging import partial_sweeper
    from search_ui.server import run_server

    config = ws.config(check_secrets=False)
    with partial_sweeper([ws.exports_dir]):
        run_server(ws, host=args.host or config.server.host, port=args.port or config.server.port)
    return 0


def export(args: argparse.Namespace, ws: Workspace) -> int:
    from archiveren.actor import acting_user
    from exports import run_export
    from exports.manifest import manifest_path

    user = OPERATOR
    if args.user or args.password_stdin or args.password_env:
        user = acting_user(
            ws,
            args.user,
            role="compliance",
            from_stdin=args.password_stdin,
            env_name=args.password_env,
        ).username

    path = run_export(
        ws,
        query=args.query,
        filters=parse_filters(args.filter),
        fmt=args.format,
        out=args.out,
        reason=args.reason,
        user=user,
        excel=args.excel,
    )
    print(f"export written: {path}")
    if args.format in ("csv", "jsonl"):
        print(f"manifest:       {manifest_path(path)}")
    return 0


def verify_export(args: argparse.Namespace, ws: Workspace) -> int:
    from evidence.signing import load_public_key
    from evidence.stamping import ca_paths
    from exports import verify_export_package
    from exports.wacz_signing import Trust

    signers = []
    for path in args.signer:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise ConfigError(f"--signer {path}: {exc.strerror or exc}") from None
        signers.append(load_public_key(data, f"--signer {path}"))
    ca_files = list(args.ca)
    if not ca_files and ws.config_path.exists():
        ca_files = ca_paths(ws.config(check_secrets=False).evidence, ws.config_path.parent)
    trust = Trust(tuple(signers), tuple(ca_files))
    report = verify_export_package(args.path, expected_sha256=args.sha256, trust=trust)
    for line in report.checked:
        print(f"  {line}")
    for problem in report.problems:
        print(f"! {problem}")
    print("export OK" if report.ok else f"export FAILED: {len(report.problems)} problems")
    return 0 if report.ok else 1


def keys(args: argparse.Namespace, ws: Workspace) -> int:
    from evidence.signing import create_key, fingerprint, key_path, load_key, public_pem

    config = ws.config(check_secrets=False)
    path = key_path(config.evidence, ws.config_path.parent)
    if path is None:
        raise ConfigError(
            f"{ws.config_path}: evidence.signing_key_file is not set; name the file the "
            "organisation's signing key is (to be) kept in, e.g. signing-key.pem"
        )
    if args.action == "create":
        key = create_key(path)
        print(f"signing key written: {path} (mode 0600; keep a copy somewhere safe)")
    else:
        key = load_key(path)
    public = key.public_key()
    print(f"fingerprint (SHA-256 of the public key): {fingerprint(public)}")
    print("public key, for recipients (`verify-export --signer KEY.pem`):")
    print(public_pem(public), end="")
    return 0


def verify(args: argparse.Namespace, ws: Workspace) -> int:
    from archive import verify_archive
    from evidence.verification import verify_timestamps

    catalogue = ws.catalogue()
    known = {row.name: (row.sha256, row.size) for row in catalogue.warc_files()}
    report = verify_archive(ws.archive_dir, known_files=known)
    catalogue.record_fixity(report.problems)
    for problem in report.problems:
        print(f"! {problem}")
    print(
        f"{report.files_checked} files, {report.records_checked} records checked: {'OK' if report.ok else 'PROBLEMS FOUND'}"
    )
    # verify works without a config file, as it did before timestamps: then no authority is set
    evidence = (
        ws.config(check_secrets=False).evidence if ws.config_path.exists() else EvidenceSettings()
    )
    stamps = verify_timestamps(ws.archive_dir, evidence, config_dir=ws.config_path.parent)
    for problem in stamps.problems:
        print(f"! {problem}")
    for warning in stamps.warnings:
        print(f"  warning: {warning}")
    print(
        f"timestamps: {len(stamps.valid)} valid tokens on {stamps.files} files"
        + ("" if stamps.ok else f", {len(stamps.problems)} PROBLEMS")
    )
    chain = verify_chain(chain_rows(catalogue))
    if not chain.ok:
        print(f"! {chain.problem}")
    print(
        f"audit log: {chain.rows} rows, hash chain "
        + ("intact" if chain.ok else f"BROKEN at row {chain.broken_at}")
    )
    return 0 if report.ok and chain.ok and stamps.ok else 1


def audit(args: argparse.Namespace, ws: Workspace) -> int:
    from workspace.audit_csv import audit_csv

    wanted = AuditFilter(
        username=args.by or "",
        action=args.action or "",
        date_from=_day(args.date_from, "--from"),
        date_to=_day(args.date_to, "--to"),
        case_number=args.case or "",
    )
    rows = audit_rows(ws.catalogue(), wanted)
    if args.csv:
        for chunk in audit_csv(rows):
            sys.stdout.write(chunk)
        return 0
    count = 0
    zone = ws.config(check_secrets=False).display_timezone
    for row in rows:
        count += 1
        detail = json.dumps(row.detail, ensure_ascii=False, sort_keys=True)
        print(
            f"{row.id:>6}  {local_iso(row.at, zone):<20}  {row.username or '-':<16} {row.action:<24} {detail}"
        )
    print(f"{count} audit rows")
    return 0


def schedule(args: argparse.Namespace, ws: Workspace) -> int:
    from archiveren.scheduler import run_scheduler
    from exports.staging import partial_sweeper

    if not args.verbose:
        # a daemon's log is its output: one line per run, even without -v
        logging.getLogger("archiveren.scheduler").setLevel(logging.INFO)
    with partial_sweeper([ws.exports_dir]):
        return run_scheduler(ws)


def status(args: argparse.Namespace, ws: Workspace) -> int:
    config = ws.config(check_secrets=False)
    catalogue = ws.catalogue()
    catalogue.repair_stale_runs()
    last = catalogue.last_runs()
    upcoming = next_run_times(catalogue)
    rows: list[dict[str, Any]] = []
    for source in config.sources:
        run = last.get(source.name)
        following = upcoming.get(f"collect:{source.name}")
        rows.append(
            {
                "source": source.name,
                "type": source.type,
                "enabled": source.enabled,
                "last_run": run.started_at.isoformat() if run else None,
                "outcome": run.outcome if run else None,
                "next_run": following.isoformat() if following else None,
                "counts": {k: v for k, v in sorted((run.counts if run else {}).items()) if v},
                "errors": list(run.errors or []) if run else [],
                "consecutive_failures": catalogue.consecutive_failures(source.name),
            }
        )
    files = catalogue.warc_files()
    watermarks = catalogue.watermarks()
    archive = {
        "warc_files": len(files),
        "warc_bytes": sum(f.size for f in files),
        "fixity_problems": sum(f.fixity_status not in ("ok", "unchecked") for f in files),
        "fully_indexed_files": sum(done for _, done in watermarks.values()),
    }
    if args.json:
        print(json.dumps({"sources": rows, "archive": archive}, ensure_ascii=False, indent=2))
        return 0
    zone = config.display_timezone
    print(f"{'source':<28} {'type':<10} {'last run':<20} {'outcome':<8} {'next run':<20} counts")
    for row in rows:
        failures = row["consecutive_failures"]
        flag = (
            " (disabled)"
            if not row["enabled"]
            else f" ({failures}x failed)"
            if failures > 1
            else ""
        )
        run, following = last.get(row["source"]), upcoming.get(f"collect:{row['source']}")
        when = local_iso(run.started_at, zone) if run else "never"
        next_run = local_iso(following, zone)
        counts = ", ".join(f"{k} {v}" for k, v in row["counts"].items())
        print(
            f"{row['source'] + flag:<28} {row['type']:<10} {when:<20} {row['outcome'] or '-':<8} {next_run:<20} {counts}"
        )
        if row["outcome"] in ("partial", "failed"):
            _print_problems(row["errors"])
    print(
        f"\nWARC files: {archive['warc_files']}, {archive['warc_bytes'] / 1e6:.1f} MB; fixity problems: {archive['fixity_problems']}"
    )
    print(
        f"index: {archive['fully_indexed_files']} of {archive['warc_files']} closed files fully indexed"
    )
    return 0


def users(args: argparse.Namespace, ws: Workspace) -> int:
    from archiveren.actor import read_password
    from search_ui.auth import hash_password

    catalogue = ws.catalogue()
    if args.action == "list":
        for user in catalogue.users():
            state = "deleted" if user.deleted_at else "disabled" if user.disabled else ""
            print(f"{user.username:<24} {user.role:<12} {state}")
        return 0
    if not args.username:
        raise ArchiverenError(f"users {args.action}: give a user name")
    actor = OPERATOR
    if args.action in ("disable", "enable"):
        catalogue.set_disabled(args.username, args.action == "disable")
        catalogue.audit(
            actor,
            f"user_{args.action}d",
            user=args.username,
            via="cli",
            os_user=os.environ.get("USER", ""),
        )
        print(
            f"user {args.username} {args.action}d"
            + (" and logged out everywhere" if args.action == "disable" else "")
        )
        return 0
    if args.action == "delete":
        catalogue.delete_user(args.username)
        catalogue.audit(
            actor, "user_deleted", user=args.username, via="cli", os_user=os.environ.get("USER", "")
        )
        print(
            f"user {args.username} deleted and logged out everywhere; the name stays in the "
            "audit log and is not given out again"
        )
        return 0
    if args.action == "role":
        if not args.new_role:
            raise ArchiverenError("users role: give the new role, e.g. users role anna compliance")
        catalogue.set_role(args.username, args.new_role)
        catalogue.audit(
            actor,
            "user_role",
            user=args.username,
            role=args.new_role,
            via="cli",
            os_user=os.environ.get("USER", ""),
        )
        print(f"user {args.username} now has role {args.new_role} and is logged out everywhere")
        return 0
    if args.action == "add":
        valid_username(args.username)  # before asking for a password
    elif catalogue.user(args.username) is None:
        raise ArchiverenError(f"users passwd: no user named {args.username!r}")
    password = read_password(
        args.username, from_stdin=args.password_stdin, env_name=args.password_env
    )
    if len(password) < 8:
        raise ArchiverenError("passwords need at least 8 characters")
    if args.action == "add":
        user = catalogue.add_user(args.username, hash_password(password), args.role)
        catalogue.audit(
            actor,
            "user_added",
            new_user=user.username,
            role=args.role,
            via="cli",
            os_user=os.environ.get("USER", ""),
        )
        print(f"user {user.username} added with role {args.role}")
    else:
        catalogue.set_password_hash(args.username, hash_password(password))
        catalogue.audit(
            actor,
            "user_password",
            user=args.username,
            via="cli",
            os_user=os.environ.get("USER", ""),
        )
        print(f"password of {args.username} changed; its sessions are ended")
    return 0


def retention(args: argparse.Namespace, ws: Workspace) -> int:
    from archiveren.actor import acting_user
    from archiveren.retention_report import print_due
    from workspace import destruction, holds

    if args.action == "report":
        print_due(destruction.due_for_destruction(ws), as_json=args.json)
        return 0
    if args.action == "holds":
        for hold in holds.holds(ws):
            state = "active" if hold.active else f"released {hold.released_at:%Y-%m-%d}"
            pending = " (index pending)" if hold.pending else ""
            print(
                f"{hold.id:>4}  {hold.name:<24} {hold.posts:>6} records  {state}{pending}  "
                f"case {hold.case_number or '-'}  by {hold.created_by}: {hold.reason}"
            )
        return 0
    user = acting_user(
        ws,
        args.user,
        role="compliance",
        from_stdin=args.password_stdin,
        env_name=args.password_env,
    ).username
    if args.action == "hold":
        outcome = holds.place_hold(
            ws,
            name=args.name or args.query,
            query=args.query,
            filters=parse_filters(args.filter),
            reason=args.reason,
            case_number=args.case or "",
            user=user,
        )
        again = " (already placed: nothing added)" if outcome.already_placed else ""
        pending = (
            "; the index is being written by another process, so the records are marked when "
            "it is next written (archiveren index, the scheduler, or the retention page)"
            if outcome.pending
            else ""
        )
        print(f"legal hold {outcome.hold_id}: {outcome.posts} records held{again}{pending}")
        return 0
    if args.action == "release":
        if args.hold_id is None:
            raise ArchiverenError(
                "release: give --hold-id (`archiveren retention holds` lists them)"
            )
        outcome = holds.release_hold(ws, args.hold_id, user=user, reason=args.reason)
        print(f"legal hold {args.hold_id} released ({outcome.posts} records)")
        return 0
    if args.action == "plan-destruction":
        plan = destruction.propose(
            ws, user=user, reason=args.reason, basis=args.basis, category=args.category or ""
        )
        print(f"destruction plan {plan.id}: {len(plan.post_ids)} records (nothing deleted yet)")
        print(
            f"another person with the compliance role approves it on the retention page, or runs: "
            f"archiveren retention destroy --plan {plan.id} --user THEIR_NAME"
        )
        return 0
    if args.plan is None:
        raise ArchiverenError("destroy: give --plan ID from plan-destruction")
    done = destruction.approve(ws, args.plan, user=user)
    print(f"destroyed {len(done.destroyed)} records; refused {len(done.refused)} on legal hold")
    return 0


def sources(args: argparse.Namespace, ws: Workspace) -> int:
    from archiveren.sources_command import run

    return run(args, ws)


def profile(args: argparse.Namespace, ws: Workspace) -> int:
    from archiveren.profile_command import run

    return run(args, ws)


def demo(args: argparse.Namespace, ws: Workspace) -> int:
    from archiveren.demo import run_demo

    return run_demo(ws, port=args.port, serve=not args.no_serve, rounds=args.rounds)


def _date(value: str | None, option: str) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ArchiverenError(f"{option} {value!r}: expected a date as YYYY-MM-DD") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _day(value: str | None, option: str) -> date | None:
    moment = _date(value, option)
    return moment.date() if moment else None
