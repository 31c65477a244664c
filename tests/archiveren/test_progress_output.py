"""Long commands draw progress on a terminal and nowhere else: under a pipe (or with --log-json)
their output is plain lines without escape codes, on a pseudo-terminal `collect` and `verify`
show a progress line; output piped into `head -1` ends quietly, without a traceback."""

from __future__ import annotations

import os
import pty
import re
import select
import shlex
import subprocess
import time
from pathlib import Path

from tests.fixtures.command_line import REPO_ROOT, archiveren_argv

ESCAPE = "\x1b"


def config_for(tmp_path: Path, feed_url: str) -> Path:
    config = tmp_path / "sources.yaml"
    config.write_text(
        "http: {delay_seconds: 0, retries: 0, timeout_seconds: 5}\n"
        f"sources:\n  - {{name: blog, type: feed, url: '{feed_url}', backfill_depth: 0}}\n",
        encoding="utf-8",
    )
    return config


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARCHIVEREN_")}
    return {**env, "PYTHONPATH": str(REPO_ROOT), **extra}


def on_a_terminal(argv: list[str], timeout: float = 120) -> tuple[int, str]:
    """Run ``argv`` with stdout and stderr on a pseudo-terminal; its exit code and output."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        argv,
        stdin=subprocess.DEVNULL,
        stdout=follower,
        stderr=follower,
        env=clean_env(TERM="xterm-256color", COLUMNS="140"),
        cwd=REPO_ROOT,
    )
    os.close(follower)
    output = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([leader], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal closed: the command has ended
                break
            if not chunk:
                break
            output += chunk
        elif process.poll() is not None:
            break
    os.close(leader)
    return process.wait(timeout=30), output.decode("utf-8", "replace")


def test_under_a_pipe_long_commands_print_plain_lines(feed_url: str, tmp_path: Path) -> None:
    config, data = config_for(tmp_path, feed_url), tmp_path / "data"
    for command in (["collect"], ["index"], ["verify"], ["--log-json", "-v", "collect"]):
        argv = archiveren_argv(config, data, *command)
        done = subprocess.run(argv, capture_output=True, text=True, env=clean_env(), timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr
        assert ESCAPE not in done.stdout + done.stderr, (command, done.stdout, done.stderr)
        assert "collecting" not in done.stderr and "verifying" not in done.stderr


def test_on_a_terminal_collect_and_verify_show_progress(feed_url: str, tmp_path: Path) -> None:
    config, data = config_for(tmp_path, feed_url), tmp_path / "data"
    code, output = on_a_terminal(archiveren_argv(config, data, "collect"))
    assert code == 0, output
    assert "collecting" in output and re.search(r"\d captures", output), output
    assert "blog" in output and "ok" in output  # the result line is still there
    code, output = on_a_terminal(archiveren_argv(config, data, "verify"))
    assert code == 0, output
    assert "verifying" in output and "1/1 files" in output, output
    code, output = on_a_terminal(archiveren_argv(config, data, "--log-json", "verify"))
    assert code == 0 and "verifying" not in output, output


def test_output_piped_into_head_ends_quietly(tmp_path: Path) -> None:
    config, data = tmp_path / "sources.yaml", tmp_path / "data"
    sources = "".join(  # more output than a pipe holds, so the writer meets the closed pipe
        f"  - {{name: blog-{n:04d}, type: feed, url: 'http://127.0.0.1:9/{n}/', enabled: false}}\n"
        for n in range(1500)
    )
    config.write_text(f"sources:\n{sources}", encoding="utf-8")
    for command in ("status", "sources list", "sources list --json"):
        argv = archiveren_argv(config, data, *command.split())
        done = subprocess.run(
            ["bash", "-c", f"set -o pipefail; {shlex.join(argv)} | head -1"],
            capture_output=True,
            text=True,
            env=clean_env(),
            timeout=120,
        )
        assert done.stdout.count("\n") == 1, (command, done.stdout)
        assert "Traceback" not in done.stderr and "Error" not in done.stderr, (command, done.stderr)
        assert done.returncode == 0, (command, done.stderr)
