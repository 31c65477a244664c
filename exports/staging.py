"""Where an export is built and how it appears at its target, and the sweep of what dead exports
left behind.

An export is built in a private staging directory beside its target (``0700``, named after the
target, this host and this process, and ``flock``-ed by the export for as long as it runs), so
nobody else can read a half-made export and a sweep can tell a running export's staging from an
abandoned one. The finished file or bag directory is published without ever replacing anything:
a file is hard-linked to the target (``link`` fails when the name exists, even as a dangling
symlink), a bag directory is renamed (which fails onto anything but an empty directory, and
an empty directory at the target is refused before). Whoever loses a race to one target gets
"already exists" and nothing of theirs appears. Files that travel beside the product (a
listing's manifest) are linked before it, so an export that is there always has them; when the
product cannot be published they are taken back.
"""

from __future__ import annotations

import errno
import fcntl
import logging
import os
import re
import secrets
import shutil
import socket
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType

from foundation.errors import ExportError

log = logging.getLogger("exports")

STALE_AFTER_SECONDS = 2 * 24 * 3600
"""Staging nobody holds a lock on is removed after this long even when its PID looks alive (the
PID may have been reused, or the staging came from another host on a shared disk). Generous:
the largest exports take minutes."""

SWEEP_EVERY_SECONDS = 3600.0

_PARTIAL = re.compile(
    r"^\..+\.partial-(?:(?P<host>.+)-(?P<pid>\d+)-[0-9a-f]{8}|(?P<old_pid>\d+)(?:\.work)?)$"
)
"""``.NAME.partial-HOST-PID-TOKEN``; also ``.NAME.partial-PID[.work]`` from earlier versions."""


def this_host() -> str:
    return re.sub(r"[^A-Za-z0-9.]", "_", socket.gethostname()) or "host"


def check_target(out: Path, beside: tuple[str, ...] = ()) -> Path:
    """The target with its directory resolved (created ``0700`` when missing); refuses a target
    that exists in any form, a symbolic link included, since exports never overwrite and never
    write through links, and likewise the files named ``target.name + suffix`` for each suffix in
    ``beside``. The returned path is where the export appears and what the audit log names."""
    if out.name in ("", ".", ".."):
        raise ExportError(
            f"--out {out}: name a new file or directory to write, not {out.name or out!s}"
        )
    out.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    target = out.parent.resolve() / out.name
    for path in (target, *(target.with_name(target.name + suffix) for suffix in beside)):
        shown = out if path == target else out.with_name(path.name)
        if path.is_symlink():
            raise ExportError(
                f"{shown} is a symbolic link (to {os.readlink(path)}); exports never write through links, choose a new path"
            )
        if path.exists():
            raise ExportError(f"{shown} already exists; exports never overwrite, choose a new path")
    return target


class Staging:
    """The private, locked directory an export is built in; removed on exit whatever happened."""

    def __init__(self, target: Path) -> None:
        self.target = target
        self.dir = (
            target.parent
            / f".{target.name}.partial-{this_host()}-{os.getpid()}-{secrets.token_hex(4)}"
        )
        self._fd = -1

    @property
    def product(self) -> Path:
        """Where the finished export is built inside the staging directory."""
        return self.dir / self.target.name

    def __enter__(self) -> Staging:
        self.dir.mkdir(mode=0o700)
        self._fd = os.open(self.dir, os.O_RDONLY | os.O_DIRECTORY)
        fcntl.flock(self._fd, fcntl.LOCK_EX)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)
        os.close(self._fd)

    def beside(self, suffix: str) -> Path:
        """Where a file that travels beside the product is built (``NAME + suffix``)."""
        return self.dir / (self.target.name + suffix)

    def publish(self, beside: tuple[str, ...] = ()) -> None:
        """Put the finished product at the target, and first the files built with
        ``beside(suffix)`` next to it; raise ExportError if anything is at any of them."""
        published: list[tuple[Path, Path]] = []
        try:
            for suffix in beside:
                companion = self.beside(suffix)
                _restrict_permissions(companion)
                at = self.target.with_name(self.target.name + suffix)
                self._put(companion, at)
                published.append((companion, at))
            _restrict_permissions(self.product)
            self._put(self.product, self.target)
        except ExportError:
            for companion, at in published:
                _take_back(companion, at)
            raise

    @staticmethod
    def _put(product: Path, target: Path) -> None:
        try:
            if product.is_dir():
                os.rename(product, target)
            else:
                os.link(product, target)
        except OSError as exc:
            if exc.errno in (errno.EEXIST, errno.ENOTEMPTY, errno.ENOTDIR, errno.EISDIR):
                raise ExportError(
                    f"{target} already exists (another export wrote it first); exports never overwrite, choose a new path"
                ) from None
            raise ExportError(f"the export could not be put at {target}: {exc.strerror}") from None


def _take_back(staged: Path, published: Path) -> None:
    """Remove ``published`` if it is still the file this export linked there (same inode)."""
    try:
        if os.path.samefile(staged, published):
            published.unlink()
    except OSError:
        pass


def _restrict_permissions(product: Path) -> None:
    """Export files ``0600``, directories ``0700``: an export holds records, not public files."""
    if not product.is_dir():
        product.chmod(0o600)
        return
    product.chmod(0o700)
    for root, dirs, files in os.walk(product):
        for name in dirs:
            os.chmod(os.path.join(root, name), 0o700)
        for name in files:
            os.chmod(os.path.join(root, name), 0o600)


def sweep_stale_partials(directories: Iterable[Path]) -> list[Path]:
    """Remove the staging that exports which are no longer running left in ``directories``;
    the paths removed. Staging whose export still holds its lock is never touched."""
    removed: list[Path] = []
    for directory in directories:
        try:
            candidates = [path for path in directory.iterdir() if _PARTIAL.match(path.name)]
        except OSError:
            continue
        for path in candidates:
            if _remove_if_stale(path):
                removed.append(path)
                log.info("removed %s, left by an export that is no longer running", path)
    return removed


def _remove_if_stale(path: Path) -> bool:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        return False
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False  # a running export holds it
        if not _is_stale(path):
            return False
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
        return not path.exists()
    finally:
        os.close(fd)


def _is_stale(path: Path) -> bool:
    match = _PARTIAL.match(path.name)
    if match is None:
        return False
    host = match["host"] or this_host()
    pid = int(match["pid"] or match["old_pid"])
    if host == this_host() and not _pid_alive(pid):
        return True
    try:
        age = time.time() - path.lstat().st_mtime
    except OSError:
        return False
    return age > STALE_AFTER_SECONDS


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextmanager
def partial_sweeper(directories: list[Path], every: float = SWEEP_EVERY_SECONDS) -> Iterator[None]:
    """Sweep ``directories`` now, then every ``every`` seconds in a daemon thread until the
    block ends: long-running commands (``serve``, ``schedule``) keep their exports dir clean."""
    sweep_stale_partials(directories)
    stop = threading.Event()

    def sweep_periodically() -> None:
        while not stop.wait(every):
            try:
                sweep_stale_partials(directories)
            except Exception:  # a failed sweep must never stop the server or the scheduler
                log.exception("sweeping stale export staging failed")

    thread = threading.Thread(target=sweep_periodically, name="export-staging-sweeper", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
