"""The tests keep the shape of the code: a test folder imports from itself and from
tests/fixtures only, so every helper more than one folder needs lives in one place."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]


def test_no_test_folder_imports_another() -> None:
    crossing = []
    for path in sorted(TESTS.rglob("*.py")):
        folder = path.relative_to(TESTS).parts[0]
        if folder in ("fixtures", "conftest.py", "__init__.py"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else []
            )
            for name in names:
                parts = name.split(".")
                if parts[0] == "tests" and len(parts) > 1 and parts[1] not in (folder, "fixtures"):
                    crossing.append(f"{path.relative_to(TESTS)}:{node.lineno} imports {name}")
    assert not crossing, "move what several test folders share into tests/fixtures:\n" + "\n".join(
        crossing
    )
