"""The data dir is the operator's alone: `archiveren init` makes it 0700 and the catalogue
(password hashes, audit log) 0600, also when an older data dir was left readable by others;
the commands create what they write under a umask of 077. (Issue 21, item 9.)"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

ARCHIVEREN = [sys.executable, "-m", "archiveren"]


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _run(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> None:
    config = tmp_path / "sources.yaml"
    config.write_text("organisation: Gemeente Zwolle\nsources: []\n", encoding="utf-8")
    command = [*ARCHIVEREN, "--config", str(config), "--data-dir", str(tmp_path / "data"), *args]
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=60, env={**os.environ, **(env or {})}
    )
    assert result.returncode == 0, result.stderr


def test_init_makes_the_data_dir_0700_and_the_catalogue_0600(tmp_path: Path) -> None:
    old = os.umask(0o022)  # the usual umask, under which files come out 0644
    try:
        _run(tmp_path, "init")
    finally:
        os.umask(old)
    data = tmp_path / "data"
    assert _mode(data) == 0o700
    assert _mode(data / "warcs") == 0o700
    catalogue_files = list(data.glob("catalogue.sqlite*"))
    assert data / "catalogue.sqlite" in catalogue_files
    assert {path.name: _mode(path) for path in catalogue_files} == {
        path.name: 0o600 for path in catalogue_files
    }


def test_init_closes_a_data_dir_left_open_to_others(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    data.chmod(0o755)
    _run(tmp_path, "init")
    (data / "catalogue.sqlite").chmod(0o644)
    _run(tmp_path, "init")
    assert _mode(data) == 0o700
    assert _mode(data / "catalogue.sqlite") == 0o600


def test_files_the_commands_write_are_private(tmp_path: Path) -> None:
    _run(
        tmp_path,
        "users",
        "add",
        "anna",
        "--password-env",
        "WACHTWOORD",
        env={"WACHTWOORD": "lang-genoeg-1"},
    )
    data = tmp_path / "data"
    assert _mode(data) == 0o700
    for path in data.rglob("*"):
        assert _mode(path) & 0o077 == 0, f"{path} is open to others: {oct(_mode(path))}"
