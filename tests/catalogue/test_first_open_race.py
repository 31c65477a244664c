"""Several processes opening a catalogue that does not exist yet (four first `collect` runs
started together) must all find it migrated once, none failing with "table already exists"."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from catalogue.store import Catalogue, _head_revision

OPEN_AT_ONCE = """
import sys, time
from pathlib import Path
from catalogue.store import Catalogue
start = float(sys.argv[2])
while time.time() < start:
    pass
Catalogue.open(Path(sys.argv[1]), sys.argv[3] or None).close()
"""
PROCESSES = 8


def test_processes_creating_the_catalogue_together_all_succeed(
    tmp_path: Path, catalogue_url: str | None
) -> None:
    repo = Path(__file__).resolve().parents[2]
    start = str(time.time() + 3)  # every process waits for the same moment, then opens
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", OPEN_AT_ONCE, str(tmp_path), start, catalogue_url or ""],
            cwd=repo,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(PROCESSES)
    ]
    outputs = [process.communicate(timeout=60)[0] for process in processes]
    assert [process.returncode for process in processes] == [0] * PROCESSES, "\n".join(outputs)
    assert Catalogue.open(tmp_path, catalogue_url).schema_revision() == _head_revision()
