"""Shared pytest setup: fixtures live in tests/fixtures/, one module per area."""

pytest_plugins = [
    "tests.fixtures.demo",
    "tests.fixtures.archive",
    "tests.fixtures.backends",
    "tests.fixtures.engine",
    "tests.fixtures.collectors",
    "tests.fixtures.ui",
]
