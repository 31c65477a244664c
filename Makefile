# archiveren: two commands set everything up on a fresh machine.
#   make demo  - install, start the local demo sources, collect, index, serve http://127.0.0.1:8000
#                (the demo sources are the archiveren-demo distribution in demo/, installed by setup)
#   make test  - install (incl. Chromium, the search-engine nodes, a throwaway PostgreSQL and a
#                SeaweedFS S3 server, built once from its Go module), lint, run the whole test suite
#   make test-fast - install, lint, run the tests that need no engine node, no browser and are
#                    not marked slow (no Chromium install, no engine start)
# Other targets: make setup, make lint, make format, make bench, make engine-start, make engine-stop,
#                make postgres-start, make postgres-stop, make objectstore-start, make objectstore-stop,
#                make cluster-start, make cluster-stop
#                (a three-node Elasticsearch cluster on 127.0.0.1:9210-9212; tests/cluster start
#                one themselves when none runs)
# Test material from ../shared/corpus/external is used when it is there; otherwise what PyPI
# also serves is fetched once into ~/.cache/archiveren/corpus (tests/fixtures/material.py).

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup demo test test-fast lint format pytest pytest-fast bench browser engine-start engine-stop postgres-start postgres-stop objectstore-start objectstore-stop cluster-start cluster-stop clean

$(STAMP): pyproject.toml demo/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	$(BIN)/pip install --quiet -e demo/
	touch $(STAMP)

setup: $(STAMP)

demo: setup
	$(BIN)/archiveren demo

browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium for the browser tests"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	  || { echo "could not install chromium (run as root or install the 'chromium' package)"; exit 1; }; }

engine-start: setup
	$(BIN)/python scripts/search-engine start --engine elasticsearch
	$(BIN)/python scripts/search-engine start --engine opensearch

postgres-start:
	python3 scripts/postgres start

postgres-stop:
	-python3 scripts/postgres stop

# A real S3-compatible server (SeaweedFS) for the storage tests and the object-store benchmark:
# built once from its Go module and cached in ~/.cache/archiveren (about 5 minutes the first time).
objectstore-start:
	python3 scripts/objectstore start

objectstore-stop:
	-python3 scripts/objectstore stop

cluster-start: setup
	$(BIN)/python scripts/search-engine start-cluster

cluster-stop:
	-$(BIN)/python scripts/search-engine stop-cluster

engine-stop:
	-$(BIN)/python scripts/search-engine stop --engine elasticsearch
	-$(BIN)/python scripts/search-engine stop --engine opensearch

# The house style, enforced: lint rules, the formatter's layout and mypy (config in pyproject.toml).
lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# Bring the tree in line with what `make lint` checks (the fixes ruff can make safely).
format: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

pytest: setup browser engine-start postgres-start objectstore-start
	$(BIN)/python -m pytest -q -p no:cacheprovider $(PYTEST_ARGS); status=$$?; \
	  $(MAKE) --no-print-directory engine-stop postgres-stop objectstore-stop; \
	  if [ $$status -eq 5 ]; then echo "pytest collected no tests"; exit 1; fi; exit $$status

test: lint pytest

FAST_MARKS := not engine and not browser and not objectstore and not slow

pytest-fast: setup
	$(BIN)/python -m pytest -q -p no:cacheprovider -m "$(FAST_MARKS)" $(PYTEST_ARGS); status=$$?; \
	  if [ $$status -eq 5 ]; then echo "pytest collected no tests"; exit 1; fi; exit $$status

test-fast: lint pytest-fast

bench: setup engine-start objectstore-start
	$(BIN)/python -m bench.run_all; status=$$?; \
	  $(MAKE) --no-print-directory engine-stop objectstore-stop; exit $$status

clean:
	rm -rf $(VENV) data test-artifacts bench/out
