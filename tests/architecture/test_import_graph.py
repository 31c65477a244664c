"""archiveren's layers are one-way and visible in the tree: no import cycle between files or
packages, no import from a lower layer to a higher one, and no import inside a function unless
it is listed below with its reason (lazy loading of something heavy or optional, never a way
around a cycle). Set ARCHIVEREN_IMPORT_GRAPH_ROOT to check another checkout."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.architecture.import_graph import (
    Import,
    cycles,
    find_modules,
    package_of,
    read_imports,
    unlisted_function_imports,
    upward_imports,
)

ROOT = Path(os.environ.get("ARCHIVEREN_IMPORT_GRAPH_ROOT") or Path(__file__).resolve().parents[2])

PACKAGES = {
    "foundation": "foundation",
    "config": "config",
    "catalogue": "catalogue",
    "platforms": "platforms",
    "demo_sources": "demo/demo_sources",
    "archive": "archive",
    "evidence": "evidence",
    "collectors": "collectors",
    "indexer": "indexer",
    "exports": "exports",
    "workspace": "workspace",
    "search_ui": "search_ui",
    "archiveren": "archiveren",
}
"""Product code (and the demo sources of the archiveren-demo distribution): package -> directory."""

LAYERS = [
    frozenset({"foundation"}),
    frozenset({"config", "catalogue", "platforms", "demo_sources"}),
    frozenset({"archive"}),
    # evidence reads closed WARCs through archive and is called by the stages above it (the
    # collect run, the scheduler, the CLI); no stage below it needs timestamps or proofs
    frozenset({"evidence"}),
    frozenset({"collectors", "indexer"}),
    frozenset({"exports"}),
    frozenset({"workspace"}),
    frozenset({"search_ui"}),
    frozenset({"archiveren"}),
]
"""Low to high. A package imports only packages of lower layers; packages in one layer
(siblings such as collectors and indexer) never import each other."""

ALLOWED_IN_FUNCTIONS = {
    (
        "archiveren.commands",
        "*",
    ): "each subcommand loads the stage it runs, so that `archiveren status` or --help does not load Scrapy, the web stack and the export libraries first",
    (
        "archiveren.demo",
        "demo_sources",
    ): "the demo sources are the optional archiveren-demo distribution; without it `archiveren demo` says what to install",
    (
        "indexer.backends",
        "indexer.backends.elastic_backend",
    ): "the Elasticsearch/OpenSearch clients, loaded only when a cluster backend is configured",
    (
        "collectors.network.crawl",
        "catalogue.store",
    ): "the crawl child process loads SQLAlchemy and Alembic only when it is given a catalogue to register its files in",
    (
        "archive.store",
        "archive.s3_store",
    ): "boto3 (about 0.3 s to import) is loaded only for an archive whose WARC files are in a bucket",
    ("archive.record", "brotli"): "optional decoder, needed only for brotli-coded captures",
    ("archive.record", "backports.zstd"): "optional decoder, needed only for zstd-coded captures",
    ("collectors.body", "brotli"): "optional decoder, needed only for brotli-coded responses",
    (
        "exports.wacz_package",
        "wacz.main",
    ): "py-wacz's command module loads pywb's indexer (about 0.5 s); only a WACZ export needs it",
    (
        "exports.verify_wacz",
        "wacz.main",
    ): "py-wacz's command module loads pywb's indexer (about 0.5 s); only a WACZ check needs it",
}
"""Function-level imports that are allowed: (importer, imported module or "*") -> why."""

ONLY_IMPORTER_OF_DEMO_SOURCES = "archiveren.demo"


@pytest.fixture(scope="module")
def imports() -> list[Import]:
    modules = find_modules(ROOT, PACKAGES)
    assert len(modules) > 50, f"found only {len(modules)} modules under {ROOT}"
    return read_imports(modules)


def _lines(found: list[Import]) -> str:
    return "\n".join(
        f"  {imp.where()} imports {imp.target}" + (" (in a function)" if imp.in_function else "")
        for imp in found
    )


def test_no_import_cycle_between_files(imports: list[Import]) -> None:
    """Runtime imports only: an import under TYPE_CHECKING runs no code and may close a loop
    for a type annotation; it still counts for the layers."""
    found = cycles(
        (imp.importer, imp.target) for imp in imports if imp.internal and not imp.type_checking
    )
    assert not found, f"{len(found)} import cycles between files:\n" + "\n".join(
        "  " + " <-> ".join(c) for c in found
    )


def test_no_import_cycle_between_packages(imports: list[Import]) -> None:
    edges = {(package_of(imp.importer), package_of(imp.target)) for imp in imports if imp.internal}
    found = cycles((a, b) for a, b in edges if a != b)
    assert not found, f"{len(found)} import cycles between packages:\n" + "\n".join(
        "  " + " <-> ".join(c) for c in found
    )


def test_every_package_is_in_a_layer() -> None:
    declared = {package for layer in LAYERS for package in layer}
    present = {path.parent.name for path in ROOT.glob("*/__init__.py")} - {
        "tests",
        "bench",
        "scripts",
    }
    assert present <= declared, (
        f"top-level packages in no layer: {sorted(present - declared)}; add them to LAYERS and PACKAGES"
    )
    assert declared == set(PACKAGES)


def test_no_import_from_a_lower_layer_to_a_higher_one(imports: list[Import]) -> None:
    found = upward_imports(imports, LAYERS)
    assert not found, (
        f"{len(found)} imports against the layer order {' < '.join('|'.join(sorted(layer)) for layer in LAYERS)}:\n{_lines(found)}"
    )


def test_no_function_level_import_outside_the_allow_list(imports: list[Import]) -> None:
    found = unlisted_function_imports(imports, ALLOWED_IN_FUNCTIONS)
    assert not found, (
        f"{len(found)} imports inside functions that are not in ALLOWED_IN_FUNCTIONS (import at module level, or list them with the reason):\n{_lines(found)}"
    )


def test_every_allowed_function_import_is_still_made(imports: list[Import]) -> None:
    made = {(imp.importer, imp.target) for imp in imports if imp.in_function}
    stale = [
        key
        for key in ALLOWED_IN_FUNCTIONS
        if not any(
            importer == key[0]
            and (key[1] == "*" or target == key[1] or target.startswith(key[1] + "."))
            for importer, target in made
        )
    ]
    assert not stale, f"allowed function-level imports that no longer exist; remove them: {stale}"


def test_only_the_demo_command_imports_the_demo_sources(imports: list[Import]) -> None:
    """A plain install has no demo_sources: nothing else in the product may need them."""
    found = [
        imp
        for imp in imports
        if package_of(imp.target) == "demo_sources"
        and package_of(imp.importer) != "demo_sources"
        and imp.importer != ONLY_IMPORTER_OF_DEMO_SOURCES
    ]
    assert not found, _lines(found)


def test_the_checks_catch_a_cycle_an_upward_import_and_a_hidden_import(tmp_path: Path) -> None:
    for name, body in {
        "low/__init__.py": "",
        "low/a.py": "from low.b import x\n",
        "low/b.py": "from low.a import y\nx = 1\n\ndef f():\n    import high.c\n",
        "high/__init__.py": "",
        "high/c.py": "import low.a\n",
    }.items():
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text(body)
    found = read_imports(find_modules(tmp_path, {"low": "low", "high": "high"}))
    runtime = [(imp.importer, imp.target) for imp in found if imp.internal]
    assert cycles(runtime) == [["high.c", "low.a", "low.b"]]
    assert [
        imp.where() for imp in upward_imports(found, [frozenset({"low"}), frozenset({"high"})])
    ] == ["low.b:5"]
    assert [imp.where() for imp in unlisted_function_imports(found, {})] == ["low.b:5"]
