"""Running benchmark stages for ``bench.run_all``: each stage is a ``python -m bench.<module>``
child process, so its peak memory is its own (``ru_maxrss`` from ``os.wait4``), run several
times with the median of every figure kept (peak memory: the largest), and the machine's load
average noted after each run because other work shares this machine.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from foundation.errors import ArchiverenError

REPO = Path(__file__).resolve().parents[1]


class BenchError(ArchiverenError):
    """A benchmark stage failed; the message names the stage and ends with its stderr."""


@dataclass
class StageRun:
    result: dict[str, Any]
    peak_rss_mb: float
    seconds: float
    load_after: float


@dataclass
class Stage:
    """One benchmark command, run ``repeats`` times; ``json_out`` names the file the module
    writes its JSON to (else the last line of its stdout is the JSON)."""

    name: str
    args: list[str]
    repeats: int = 1
    json_out: Path | None = None
    runs: list[StageRun] = field(default_factory=list)

    def run_once(self, timeout: float = 3600) -> StageRun:
        with tempfile.TemporaryFile() as stdout, tempfile.TemporaryFile() as stderr:
            started = time.perf_counter()
            process = subprocess.Popen(
                [sys.executable, "-m", *self.args], cwd=REPO, stdout=stdout, stderr=stderr
            )
            # wait4 rather than wait: the child's own rusage gives this stage's peak memory.
            deadline = time.monotonic() + timeout
            while True:
                pid, status, usage = os.wait4(process.pid, os.WNOHANG)
                if pid:
                    break
                if time.monotonic() > deadline:
                    process.kill()
                    pid, status, usage = os.wait4(process.pid, 0)
                    break
                time.sleep(0.05)
            process.returncode = os.waitstatus_to_exitcode(status)
            seconds = time.perf_counter() - started
            stdout.seek(0)
            stderr.seek(0)
            out, err = (
                stdout.read().decode(errors="replace"),
                stderr.read().decode(errors="replace"),
            )
        if process.returncode != 0:
            raise BenchError(
                f"benchmark stage {self.name!r} ({' '.join(self.args)}) exited with {process.returncode} after {seconds:.0f}s; rerun it by hand to see more. stderr:\n{err[-2000:]}"
            )
        if self.json_out is not None:
            result = json.loads(self.json_out.read_text())
        else:
            result = json.loads(out.strip().splitlines()[-1])
        return StageRun(result, round(usage.ru_maxrss / 1024, 1), seconds, os.getloadavg()[0])

    def run(self) -> dict[str, Any]:
        for number in range(self.repeats):
            print(f"  {self.name}: run {number + 1}/{self.repeats}", flush=True)
            self.runs.append(self.run_once())
        summary: dict[str, Any] = median_of([r.result for r in self.runs])
        summary["stage"] = {
            "runs": len(self.runs),
            "peak_rss_mb": max(r.peak_rss_mb for r in self.runs),
            "seconds_per_run": [round(r.seconds, 1) for r in self.runs],
            "load_average_after": [round(r.load_after, 2) for r in self.runs],
        }
        return summary


def median_of(results: list[Any]) -> Any:
    """The median of each number across runs (peak memory and other ``peak`` figures: the
    largest); a yes/no (a target met) holds when it held in most runs; text from the first run."""
    first = results[0]
    if isinstance(first, dict):
        merged: dict[str, Any] = {}
        for key, value in first.items():
            values = [r[key] for r in results if key in r]
            numeric = isinstance(value, int | float) and not isinstance(value, bool)
            merged[key] = max(values) if numeric and "peak" in key else median_of(values)
        return merged
    if isinstance(first, bool):
        return sum(bool(r) for r in results) * 2 > len(results)
    if not isinstance(first, int | float):
        return first
    middle = statistics.median(results)
    if all(isinstance(r, int) for r in results):
        return round(middle)  # a median of two counts may fall between them
    return round(middle, 3)
