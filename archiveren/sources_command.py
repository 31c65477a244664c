"""``archiveren sources``: list, add, disable, enable and import sources without editing YAML.
Changes are written back to the config file (comments and order kept, see config/editing.py);
a running scheduler picks them up as it does any edit of the file."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from catalogue.jobs import next_run_times
from config.editing import SourcesFile, source_from_row, sources_from_csv, x_token_env_in_use
from foundation.errors import ConfigError
from workspace import Workspace


def run(args: argparse.Namespace, ws: Workspace) -> int:
    if args.action == "list":
        return _list(ws, as_json=args.json)
    edited = SourcesFile(ws.config_path)
    if args.action == "add":
        if len(args.target) != 2:
            raise ConfigError(
                "sources add: give TYPE and ACCOUNT-OR-URL, e.g. sources add x minbzk"
            )
        kind, target = args.target
        row = {
            "type": kind,
            "account": target,
            "organisation": args.organisation,
            "schedule": args.schedule,
            "category": args.category,
        }
        added = [
            source_from_row(
                row, taken=edited.names(), x_token_env=x_token_env_in_use(ws.config_path)
            )
        ]
        if args.name:
            added[0]["name"] = args.name
    elif args.action == "import":
        if len(args.target) != 1:
            raise ConfigError("sources import: give one CSV file")
        added = sources_from_csv(
            _read(Path(args.target[0])),
            taken=edited.names(),
            x_token_env=x_token_env_in_use(ws.config_path),
        )
    else:
        if not args.target:
            raise ConfigError(f"sources {args.action}: give the names of the sources")
        for name in args.target:
            edited.set_enabled(name, args.action == "enable")
        edited.save()
        print(f"{args.action}d: {', '.join(args.target)} (in {ws.config_path})")
        return 0
    for source in added:
        edited.add(source)
    edited.save()
    for source in added:
        print(f"added {source['name']:<32} {source['type']}")
    print(f"{len(added)} source(s) added to {ws.config_path}")
    return 0


def _list(ws: Workspace, *, as_json: bool) -> int:
    config = ws.config(check_secrets=False)
    catalogue = ws.catalogue()
    last = catalogue.last_runs()
    upcoming = next_run_times(catalogue)
    rows: list[dict[str, Any]] = []
    for source in config.sources:
        run = last.get(source.name)
        following = upcoming.get(f"collect:{source.name}")
        rows.append(
            {
                "name": source.name,
                "type": source.type,
                "enabled": source.enabled,
                "organisation": source.organisation or config.organisation,
                "last_run": run.started_at.isoformat() if run else None,
                "outcome": run.outcome if run else None,
                "next_run": following.isoformat() if following else None,
            }
        )
    if as_json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    print(f"{'name':<32} {'type':<10} {'enabled':<8} {'last run (UTC)':<26} outcome")
    for row in rows:
        print(
            f"{row['name']:<32} {row['type']:<10} {'yes' if row['enabled'] else 'no':<8} "
            f"{(row['last_run'] or 'never')[:19]:<26} {row['outcome'] or '-'}"
        )
    return 0


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the list of sources: {exc}") from None
