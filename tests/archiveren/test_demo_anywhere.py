"""`archiveren demo` runs from any directory and comes up although its usual ports are taken:
its config comes from the demo sources and names the ports they got; `--port` is only the UI's
port, and a taken one is refused before anything is collected."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest
import yaml

from archiveren.demo import DEMO_CONFIG, DEMO_PORTS

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def usual_ports_taken() -> Iterator[None]:
    """Something else listens on 8101-8106 (or already did: then they are taken all the same)."""
    with ExitStack() as stack:
        for port in DEMO_PORTS.values():
            taker = stack.enter_context(socket.socket())
            try:
                taker.bind(("127.0.0.1", port))
                taker.listen()
            except OSError:
                pass
        yield


def demo(tmp_path: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "archiveren", "--data-dir", str(tmp_path / "data"), "demo", *args],
        cwd=tmp_path,  # no config/sources.yaml here
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_demo_from_another_directory_with_its_ports_taken_comes_up_and_serves(
    tmp_path: Path, usual_ports_taken: None
) -> None:
    ui_port = free_port()
    running = demo(tmp_path, "--port", str(ui_port))
    said: list[str] = []
    try:
        assert running.stdout is not None
        for line in running.stdout:
            said.append(line)
            if "archiveren draait op" in line:
                break
        else:
            pytest.fail("the demo ended without serving:\n" + "".join(said))
        health = wait_for_health(f"http://127.0.0.1:{ui_port}/health")
        assert health == 200, "".join(said)
    finally:
        running.terminate()
        running.wait(30)

    config = yaml.safe_load((tmp_path / "data" / DEMO_CONFIG).read_text(encoding="utf-8"))
    urls = [s.get("url") or s.get("api_base") or s.get("instance") for s in config["sources"]]
    ports = {int(url.split(":")[2].split("/")[0]) for url in urls if url}
    assert ports and not ports & set(DEMO_PORTS.values()), ports
    collected = {line.split()[0] for line in said if line.startswith("  ") and " ok " in line}
    assert collected == {source["name"] for source in config["sources"]}, "".join(said)


def wait_for_health(url: str) -> int:
    deadline = time.monotonic() + 30
    while True:
        try:
            return httpx.get(url, timeout=2).status_code
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_a_taken_ui_port_is_refused_before_anything_is_collected(tmp_path: Path) -> None:
    with socket.socket() as taker:
        taker.bind(("127.0.0.1", 0))
        taker.listen()
        port = taker.getsockname()[1]
        running = demo(tmp_path, "--port", str(port))
        output, _ = running.communicate(timeout=60)
    assert running.returncode == 1, output
    assert f"port {port} on 127.0.0.1 is taken" in output and "--port" in output
    assert "collecting" not in output and "Traceback" not in output
