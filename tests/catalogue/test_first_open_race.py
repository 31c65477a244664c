"""Several processes opening a catalogue that does not exist yet (four first `collect` runs
started together) must all find it migrated once, none failing with "table already exists"."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

OPEN_AT_ONCE = """
import sys, time
from pathlib import Path
from catalogue.store import Catalogue
start = float(sys.argv[2])
while time.time() < start:
    pass
Catalogue.open(Path(sys.argv[1])).close()
"""


def test_processes_creating_the_catalogue_together_all_succeed(tmp_path: Path) -> None:
    repo = Path(__file__).resolve().parents[2]
    for attempt in range(3):
        data = tmp_path / f"data-{attempt}"
        start = subprocess.run(
            [sys.executable, "-c", "import time; print(time.time() + 2.5)"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        processes = [
            subprocess.Popen(
                [sys.executable, "-c", OPEN_AT_ONCE, str(data), start],
                cwd=repo,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            for _ in range(6)
        ]
        outputs = [process.communicate(timeout=60)[0] for process in processes]
        assert [process.returncode for process in processes] == [0] * 6, "\n".join(outputs)
