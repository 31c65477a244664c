"""The name this machine goes by wherever archiveren says which host did something: WARC file
names and their warcinfo records, lock holders and run records (``host:pid``). It is
ARCHIVEREN_HOST_NAME when that is set, so that collector hosts whose system names say little
(containers, cloned VMs) or several collector processes standing for hosts on one machine are
told apart; otherwise the system's host name, reduced to characters safe in a file name."""

from __future__ import annotations

import os
import re
import socket

from foundation.errors import ConfigError

HOST_NAME_VARIABLE = "ARCHIVEREN_HOST_NAME"
_SAFE = re.compile(r"[A-Za-z0-9][A-Za-z0-9.-]{0,62}")


def host_name() -> str:
    """ARCHIVEREN_HOST_NAME, checked, or the system's host name made safe for a file name."""
    chosen = os.environ.get(HOST_NAME_VARIABLE)
    if chosen is None or chosen == "":
        return re.sub(r"[^A-Za-z0-9.-]", "-", socket.gethostname()) or "localhost"
    if not _SAFE.fullmatch(chosen):
        raise ConfigError(
            f"environment variable {HOST_NAME_VARIABLE}={chosen!r} is not a usable host name: "
            "it goes into WARC file names, so use 1 to 63 letters, digits, dots and hyphens, "
            "starting with a letter or digit (e.g. collector-2)"
        )
    return chosen
