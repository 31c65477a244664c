"""The import graph of archiveren's product code, read with ``ast`` (nothing is imported).

Every ``import`` and ``from ... import`` in every module counts: at module level, inside
functions, and under ``if TYPE_CHECKING:``. An edge goes from the importing module to the
module it names (``from archive import read_record`` names ``archive``; ``from archive.reader
import x`` names ``archive.reader``; a package's ``__init__`` is the package's module). Imports
of modules outside the product code (the standard library, third-party libraries) are kept
only for the function-level check.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Import:
    importer: str
    target: str
    """The product module imported, or the dotted name as written for anything else."""
    line: int
    in_function: bool
    type_checking: bool
    internal: bool

    def where(self) -> str:
        return f"{self.importer}:{self.line}"


def find_modules(root: Path, packages: Mapping[str, str]) -> dict[str, Path]:
    """Module name -> file, for every package in ``packages`` (name -> directory under root)."""
    modules: dict[str, Path] = {}
    for name, directory in packages.items():
        base = root / directory
        if not base.is_dir():
            continue
        for path in sorted(base.rglob("*.py")):
            parts = [name, *path.relative_to(base).with_suffix("").parts]
            if parts[-1] == "__init__":
                parts.pop()
            modules[".".join(parts)] = path
    return modules


def _known(name: str, modules: Mapping[str, Path]) -> str | None:
    while name:
        if name in modules:
            return name
        name = name.rpartition(".")[0]
    return None


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _walk(
    node: ast.AST, in_function: bool, type_checking: bool
) -> Iterable[tuple[ast.Import | ast.ImportFrom, bool, bool]]:
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.Import | ast.ImportFrom):
            yield child, in_function, type_checking
        elif isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            yield from _walk(child, True, type_checking)
        elif isinstance(child, ast.If) and _is_type_checking(child.test):
            for part in child.body:
                yield from _walk(ast.Module(body=[part], type_ignores=[]), in_function, True)
            for part in child.orelse:
                yield from _walk(
                    ast.Module(body=[part], type_ignores=[]), in_function, type_checking
                )
        else:
            yield from _walk(child, in_function, type_checking)


def read_imports(modules: Mapping[str, Path]) -> list[Import]:
    found: list[Import] = []
    for module, path in modules.items():
        is_package = path.name == "__init__.py"
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node, in_function, type_checking in _walk(tree, False, False):
            names: list[str]
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                if node.level:
                    base = module.split(".") if is_package else module.split(".")[:-1]
                    base = base[: len(base) - (node.level - 1)]
                    source = ".".join([*base, *([node.module] if node.module else [])])
                else:
                    source = node.module or ""
                if source == "__future__":
                    continue
                # "from a import b" names module a.b when there is one, else module a
                names = [
                    f"{source}.{alias.name}"
                    if _known(f"{source}.{alias.name}", modules) == f"{source}.{alias.name}"
                    else source
                    for alias in node.names
                ]
            for name in dict.fromkeys(names):
                target = _known(name, modules)
                if target == module:
                    continue
                found.append(
                    Import(
                        module,
                        target or name,
                        node.lineno,
                        in_function,
                        type_checking,
                        target is not None,
                    )
                )
    return found


def package_of(module: str) -> str:
    return module.partition(".")[0]


def cycles(edges: Iterable[tuple[str, str]]) -> list[list[str]]:
    """The strongly connected components with more than one node (Tarjan), each sorted."""
    graph: dict[str, set[str]] = {}
    for source, target in edges:
        graph.setdefault(source, set()).add(target)
        graph.setdefault(target, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        # iterative, so a long chain of imports cannot exhaust the recursion limit
        work = [(node, iter(sorted(graph[node])))]
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        while work:
            current, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[current] = min(low[current], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[current])
            if low[current] == index[current]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == current:
                        break
                if len(component) > 1:
                    found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def upward_imports(imports: Iterable[Import], layers: Sequence[frozenset[str]]) -> list[Import]:
    """Imports from a package to one in the same or a higher layer (siblings included)."""
    level = {package: number for number, group in enumerate(layers) for package in group}
    wrong = []
    for imp in imports:
        if not imp.internal:
            continue
        source, target = package_of(imp.importer), package_of(imp.target)
        if source != target and (
            source not in level or target not in level or level[target] >= level[source]
        ):
            wrong.append(imp)
    return wrong


def unlisted_function_imports(
    imports: Iterable[Import], allowed: Mapping[tuple[str, str], str]
) -> list[Import]:
    """Function-level imports not in ``allowed`` ((importer, imported prefix or "*") -> reason)."""

    def listed(imp: Import) -> bool:
        for (importer, target), _reason in allowed.items():
            if importer == imp.importer and (
                target == "*" or imp.target == target or imp.target.startswith(target + ".")
            ):
                return True
        return False

    return [imp for imp in imports if imp.in_function and not listed(imp)]
