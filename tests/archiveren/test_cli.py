"""The command line: every command is listed and documented, init sets up a data dir, and a bad
config is refused with a message that names the file, the source and the field."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from catalogue.store import _head_revision

COMMANDS = [
    "check",
    "init",
    "collect",
    "index",
    "search",
    "serve",
    "export",
    "verify",
    "stamp",
    "proof",
    "verify-proof",
    "schedule",
    "status",
    "demo",
]
ARCHIVEREN = [sys.executable, "-m", "archiveren"]


def run_cli(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("ARCHIVEREN_")}
    full_env.update(env or {})
    return subprocess.run(
        [*ARCHIVEREN, *args], capture_output=True, text=True, env=full_env, cwd=cwd, timeout=60
    )


def write_config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sources.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_help_lists_every_command() -> None:
    result = run_cli("--help")
    assert result.returncode == 0
    for command in COMMANDS:
        assert command in result.stdout


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_its_own_help(command: str) -> None:
    result = run_cli(command, "--help")
    assert result.returncode == 0, result.stderr
    assert f"archiveren {command}" in result.stdout


def test_init_creates_data_dir_and_catalogue(tmp_path: Path) -> None:
    config = write_config(tmp_path, "organisation: Gemeente Zwolle\nsources: []\n")
    data = tmp_path / "data"
    result = run_cli("--config", str(config), "--data-dir", str(data), "init")
    assert result.returncode == 0, result.stderr
    assert (data / "catalogue.sqlite").is_file()
    assert (data / "warcs").is_dir()
    assert f"schema revision {_head_revision()}" in result.stdout


def test_config_and_data_dir_come_from_the_environment(tmp_path: Path) -> None:
    config = write_config(tmp_path, "sources: []\n")
    data = tmp_path / "elders"
    result = run_cli("init", env={"ARCHIVEREN_CONFIG": str(config), "ARCHIVEREN_DATA": str(data)})
    assert result.returncode == 0, result.stderr
    assert (data / "catalogue.sqlite").is_file()


def test_wrong_type_names_file_source_and_field(tmp_path: Path) -> None:
    config = write_config(
        tmp_path,
        "sources:\n  - name: blog-a\n    type: feed\n    url: http://127.0.0.1:9/feed\n    backfill_depth: veel\n",
    )
    data = tmp_path / "data"
    result = run_cli("--config", str(config), "--data-dir", str(data), "collect")
    assert result.returncode == 2
    assert str(config) in result.stderr
    assert (
        "'blog-a'" in result.stderr
        and "backfill_depth" in result.stderr
        and "integer" in result.stderr
    )
    assert "Traceback" not in result.stderr
    assert not data.exists(), "a bad config must not touch the data dir"


def test_unknown_source_type_lists_the_known_ones(tmp_path: Path) -> None:
    config = write_config(
        tmp_path, "sources:\n  - name: hyves\n    type: hyves\n    url: http://127.0.0.1:9/\n"
    )
    result = run_cli("--config", str(config), "--data-dir", str(tmp_path / "data"), "collect")
    assert result.returncode == 2
    assert "unknown source type 'hyves'" in result.stderr
    assert "feed, x, x_archive, mastodon, network" in result.stderr


def test_missing_secret_names_the_variable_never_a_value(tmp_path: Path) -> None:
    config = write_config(
        tmp_path,
        "sources:\n  - name: x-bzk\n    type: x\n    accounts: [minbzk]\n    bearer_token_env: ARCHIVEREN_TEST_TOKEN\n",
    )
    result = run_cli("--config", str(config), "--data-dir", str(tmp_path / "data"), "collect")
    assert result.returncode == 2
    assert (
        "ARCHIVEREN_TEST_TOKEN" in result.stderr
        and "'x-bzk'" in result.stderr
        and "not set" in result.stderr
    )


def test_missing_config_file_says_how_to_give_one(tmp_path: Path) -> None:
    result = run_cli(
        "--config", str(tmp_path / "nergens.yaml"), "--data-dir", str(tmp_path / "data"), "status"
    )
    assert result.returncode == 2
    assert "config file not found" in result.stderr and "ARCHIVEREN_CONFIG" in result.stderr


def test_invalid_yaml_gives_line_and_column(tmp_path: Path) -> None:
    config = write_config(tmp_path, "sources:\n  - name: a\n    type: [feed\n")
    result = run_cli("--config", str(config), "--data-dir", str(tmp_path / "data"), "status")
    assert result.returncode == 2
    assert "not valid YAML at line" in result.stderr


def test_duplicate_source_names_are_refused(tmp_path: Path) -> None:
    source = "  - name: dubbel\n    type: feed\n    url: http://127.0.0.1:9/feed\n"
    config = write_config(tmp_path, "sources:\n" + source + source)
    result = run_cli("--config", str(config), "--data-dir", str(tmp_path / "data"), "status")
    assert result.returncode == 2
    assert "'dubbel' is used twice" in result.stderr


def test_unknown_source_name_on_collect_is_refused(tmp_path: Path) -> None:
    config = write_config(
        tmp_path, "sources:\n  - name: blog-a\n    type: feed\n    url: http://127.0.0.1:9/feed\n"
    )
    result = run_cli(
        "--config", str(config), "--data-dir", str(tmp_path / "data"), "collect", "blog-b"
    )
    assert result.returncode == 2
    assert "no source named 'blog-b'" in result.stderr


def test_demo_without_the_demo_sources_says_what_to_install(tmp_path: Path) -> None:
    without_demo = "import sys; sys.modules['demo_sources'] = None; from archiveren.cli import main; sys.exit(main(sys.argv[1:]))"
    args = [
        "--config",
        str(tmp_path / "sources.yaml"),
        "--data-dir",
        str(tmp_path / "data"),
        "demo",
        "--no-serve",
    ]
    result = subprocess.run(
        [sys.executable, "-c", without_demo, *args], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 1
    assert "demo sources" in result.stderr and "pip install -e demo/" in result.stderr
    assert not (tmp_path / "data").exists()


def test_output_cut_short_by_the_reader_is_not_an_error(tmp_path: Path) -> None:
    """`archiveren status | head`: the reader goes away before the output ends (2,000 sources
    print more than a pipe holds); no traceback, no failure."""
    config = tmp_path / "c.yaml"
    sources = "".join(
        f"  - {{name: bron-{n}, type: feed, url: 'http://127.0.0.1:9/feed'}}\n" for n in range(2000)
    )
    config.write_text(f"sources:\n{sources}", encoding="utf-8")
    argv = [
        sys.executable,
        "-m",
        "archiveren",
        "--config",
        str(config),
        "--data-dir",
        str(tmp_path / "data"),
        "status",
    ]
    status = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert status.stdout is not None and status.stderr is not None
    status.stdout.read(100)
    status.stdout.close()
    errors = status.stderr.read().decode()
    assert status.wait(timeout=60) == 0, errors
    assert "Traceback" not in errors and "BrokenPipe" not in errors, errors


def test_status_as_json_gives_every_source_and_the_archive(tmp_path: Path) -> None:
    config = write_config(
        tmp_path,
        "sources:\n  - name: blog-a\n    type: feed\n    url: http://127.0.0.1:9/feed\n"
        "  - name: blog-b\n    type: feed\n    url: http://127.0.0.1:9/b\n    enabled: false\n",
    )
    result = run_cli(
        "--config", str(config), "--data-dir", str(tmp_path / "data"), "status", "--json"
    )
    assert result.returncode == 0, result.stderr
    status = json.loads(result.stdout)
    assert [(s["source"], s["enabled"], s["outcome"]) for s in status["sources"]] == [
        ("blog-a", True, None),
        ("blog-b", False, None),
    ]
    assert status["archive"] == {
        "warc_files": 0,
        "warc_bytes": 0,
        "fixity_problems": 0,
        "fully_indexed_files": 0,
    }
