"""``archiveren demo``: the whole pipeline on embedded defaults, against the local demo sources.

Starts the "internet in a box" on loopback (ports 8101-8106, the ones config/sources.yaml names,
or free ones where those are taken) and a local time-stamping authority (8107), writes the config
that names them into the data dir (with a signing key of its own, made on first use, so the
demo's WACZ and bag exports are signed), collects every source once, timestamps the closed WARC
files, indexes, creates demo accounts, and serves the UI until Ctrl-C. It
works from any directory: its config comes from the demo sources, not from a file in the
checkout.
The demo sources are the ``demo_sources`` package of the separate ``archiveren-demo``
distribution (``demo/`` in the repository), which ``make setup`` installs beside archiveren.
"""

from __future__ import annotations

import logging
import os
import socket
from pathlib import Path

import yaml

from collectors.runner import run_sources
from config import load_config
from evidence.signing import create_key
from evidence.stamping import stamp_archive
from foundation.errors import ArchiverenError
from indexer.pipeline import index_new_records
from search_ui.auth import hash_password
from search_ui.server import run_server
from workspace import Workspace

log = logging.getLogger("archiveren.demo")

DEMO_PORTS = {
    "blog": 8101,
    "ning": 8102,
    "wiki": 8103,
    "x_api": 8104,
    "mastodon": 8105,
    "pleio": 8106,
    "tsa": 8107,
}
DEMO_TSA_DIR = "demo-tsa"
"""Where the demo's local time-stamping authority keeps its CA and key, in the data dir: kept
between runs, so the tokens of an earlier run keep verifying."""
DEMO_USERS = (("archivaris", "archivist"), ("compliance", "compliance"), ("beheerder", "admin"))
DEMO_PASSWORD = "demo-wachtwoord"
DEMO_CONFIG = "demo-sources.yaml"
"""The config the demo writes into the data dir, naming the ports its sources got."""
MAX_ROUNDS = 10
"""More rounds show nothing new: the demo changes its sources before round 2 only."""
DEMO_SIGNING_KEY = "demo-signing-key.pem"
"""The demo organisation's signing key, in the data dir (0600), kept between runs."""


def with_signing_key(config_text: str, key: Path) -> str:
    """The demo config with ``evidence.signing_key_file`` naming ``key`` (made when missing);
    its comment lines kept."""
    if not key.exists():
        create_key(key)
    header = "".join(line + "\n" for line in config_text.splitlines() if line.startswith("#"))
    config = yaml.safe_load(config_text)
    config.setdefault("evidence", {})["signing_key_file"] = str(key.resolve())
    return header + yaml.safe_dump(config, sort_keys=False, allow_unicode=True)


def ensure_demo_users(ws: Workspace) -> None:
    catalogue = ws.catalogue()
    for username, role in DEMO_USERS:
        if catalogue.user(username) is None:
            catalogue.add_user(username, hash_password(DEMO_PASSWORD), role)


def _free(port: int) -> bool:
    """Whether a server could listen on 127.0.0.1:``port`` now."""
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def run_demo(ws: Workspace, *, port: int = 8000, serve: bool = True, rounds: int = 2) -> int:
    """Start the demo sources, collect them ``rounds`` times (the sources change in between,
    demo_sources.rounds), timestamp, index, and serve the UI unless told not to."""
    if not 1 <= rounds <= MAX_ROUNDS:
        raise ArchiverenError(
            f"demo --rounds {rounds}: give a number of collection rounds from 1 to {MAX_ROUNDS}"
        )
    try:
        from demo_sources import DemoSources  # a distribution of its own: archiveren-demo
        from demo_sources.rounds import change_sources
    except ModuleNotFoundError as missing:
        if missing.name != "demo_sources":
            raise
        raise ArchiverenError(
            "archiveren demo needs the demo sources, which a plain install of archiveren leaves out; "
            "install them with: pip install -e demo/ (from a checkout of archiveren; `make setup` does it)"
        ) from None
    if serve and not _free(port):
        raise ArchiverenError(
            f"port {port} on 127.0.0.1 is taken, so the demo could not serve its UI there; give another with --port"
        )
    ports = {site: wanted if _free(wanted) else 0 for site, wanted in DEMO_PORTS.items()}
    tsa_dir = ws.data_dir / DEMO_TSA_DIR
    with DemoSources(host="127.0.0.1", ports=ports, tsa_dir=tsa_dir) as demo:
        os.environ["ARCHIVEREN_DEMO_X_TOKEN"] = demo.x_bearer_token  # this run's token
        ws.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        config_path = ws.data_dir / DEMO_CONFIG
        config_path.write_text(
            with_signing_key(demo.config_yaml(str(ws.data_dir)), ws.data_dir / DEMO_SIGNING_KEY),
            encoding="utf-8",
        )
        config = load_config(config_path)
        ws.use_config(config)
        print(f"demo config: {config_path} (give it to later commands with --config)")
        print(f"demo sources running: {', '.join(f'{k} {v}' for k, v in demo.urls.items())}")
        for number in range(1, rounds + 1):
            for change in change_sources(demo, number):
                print(f"  changed at the source: {change}")
            print(
                f"collecting {len(config.sources)} sources into {ws.archive_dir} "
                f"(round {number} of {rounds}) ..."
            )
            for report in run_sources(config, ws.data_dir):
                counts = ", ".join(f"{k} {v}" for k, v in sorted(report.counts.items()) if v)
                print(f"  {report.source:<26} {report.outcome:<8} {counts}")
        stamps = stamp_archive(ws.archive_dir, config.evidence)
        print(f"timestamps (local TSA {demo.tsa.url if demo.tsa else '-'}): {stamps.summary()}")
        for failure in stamps.failures[:5]:
            print(f"  ! {failure}")
        print("indexing ...")
        print("  " + index_new_records(ws).summary().replace("\n", "\n  "))
        ws.close_backend()  # the UI only reads: legal holds placed meanwhile can mark the index
        ensure_demo_users(ws)
        if not serve:
            return 0
        print(f"\narchiveren draait op http://127.0.0.1:{port}/  (Ctrl-C stopt alles)")
        print(f"inloggen: {', '.join(u for u, _ in DEMO_USERS)} met wachtwoord {DEMO_PASSWORD!r}")
        run_server(ws, host="127.0.0.1", port=port)
    return 0
