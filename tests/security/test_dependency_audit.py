"""The installed dependencies are audited with pip-audit against the public vulnerability data:
a known vulnerability in any of them fails the suite. Where the vulnerability service cannot be
reached, pip-audit skips every package as "not found" and still says "No known vulnerabilities
found"; that is not an audit, so the test reports it as skipped instead of passing."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.mark.timeout(300)
def test_no_installed_dependency_has_a_known_vulnerability(tmp_path: Path) -> None:
    pip_audit = shutil.which("pip-audit", path=str(Path(sys.executable).parent))
    if pip_audit is None:
        message = "pip-audit is not installed in this environment (pip install 'pip-audit>=2.7'; `make setup` does)"
        if os.environ.get("CI"):
            pytest.fail(message)  # CI installs it: its absence there is a broken setup
        pytest.skip(message)
    report = tmp_path / "audit.json"
    done = subprocess.run(
        [
            pip_audit,
            "--skip-editable",
            "--progress-spinner",
            "off",
            "-f",
            "json",
            "-o",
            str(report),
        ],
        capture_output=True,
        text=True,
        timeout=280,
    )
    dependencies = json.loads(report.read_text("utf-8"))["dependencies"] if report.exists() else []
    audited = [d for d in dependencies if "skip_reason" not in d]
    if dependencies and not audited:
        pytest.skip(
            f"pip-audit could not reach the vulnerability service: all {len(dependencies)} "
            f"packages skipped ({dependencies[0]['skip_reason']})"
        )
    assert dependencies, f"pip-audit produced no report: {done.stderr[-2000:]}"
    vulnerable = {d["name"]: [v["id"] for v in d["vulns"]] for d in audited if d.get("vulns")}
    assert vulnerable == {}, f"known vulnerabilities: {vulnerable}"
