"""Progress bars for long commands (collect, index, export, verify) on a terminal: what is being
done, items, bytes, rate and time left (rich). Only when standard error is a terminal and the
log is not asked for as JSON lines; otherwise nothing is drawn and the commands print only
their plain result lines, so a pipe, a log file or cron gets no escape codes."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

from foundation import progress

LABELS = {
    "collect": "collecting",
    "index": "indexing",
    "export": "exporting",
    "verify": "verifying",
}
UNITS = {"collect": "captures", "index": "Posts", "export": "Posts", "verify": "files"}


def wanted(*, log_json: bool) -> bool:
    """Whether to draw progress: on a terminal, not with --log-json, not for TERM=dumb."""
    return not log_json and sys.stderr.isatty() and os.environ.get("TERM", "") != "dumb"


class RichProgress:
    """A ``foundation.progress`` listener drawing one line per stretch of work on stderr."""

    def __init__(self) -> None:
        self.bar = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.fields[items]} {task.fields[unit]}"),
            DownloadColumn(binary_units=True),
            TransferSpeedColumn(),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            # the command's own lines go above the bar on a terminal, and stay on stdout elsewhere
            redirect_stdout=sys.stdout.isatty(),
            redirect_stderr=False,
        )
        self.task: TaskID | None = None
        self.items = 0
        self.total_items: int | None = None

    def begin(self, task: str, total_items: int | None, total_bytes: int | None) -> None:
        if self.task is not None:
            self.bar.stop_task(self.task)
        self.items, self.total_items = 0, total_items
        self.task = self.bar.add_task(
            LABELS.get(task, task),
            total=total_bytes,
            items=self._items(),
            unit=UNITS.get(task, "items"),
        )

    def advance(self, items: int, nbytes: int) -> None:
        if self.task is None:
            self.begin("", None, None)
        self.items += items
        if self.task is not None:
            self.bar.update(self.task, advance=nbytes, items=self._items())

    def _items(self) -> str:
        return (
            f"{self.items}/{self.total_items}" if self.total_items is not None else str(self.items)
        )


@contextmanager
def terminal_progress(*, log_json: bool) -> Iterator[None]:
    """Draw the progress the stages report while the block runs, if ``wanted``."""
    if not wanted(log_json=log_json):
        yield
        return
    listener = RichProgress()
    with listener.bar, progress.listening(listener):
        yield
