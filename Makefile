# One task runner for local work and CI. Everything installs into .venv from the package registries.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
CORE   := $(VENV)/.core-installed
DEV    := $(VENV)/.dev-installed
DEMO   := demo-output

.PHONY: help setup demo test lint docs docs-check bench clean

help:
	@echo "make demo   set up, generate a synthetic PCN and run the cancer indicators on it"
	@echo "make test   set up (with Spark and Java) and run every test"
	@echo "make lint   ruff and the import-direction contract"
	@echo "make docs   regenerate docs/indicators.md from the rule files"

$(CORE): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $(CORE)

# Tests also need the dev tools, PySpark (the scale-out engine) and a Java runtime for it, and Debian's
# Chromium for the dashboard's browser tests (Playwright drives it; it never downloads a browser), and
# Debian's PostgreSQL server for the Postgres engine's tests (tests/postgres_server.py starts a throwaway
# one on a unix socket, no TCP) with psycopg and dbt-postgres.
$(DEV): $(CORE)
	@command -v java >/dev/null 2>&1 || { echo "Installing a Java runtime for Spark"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jre-headless >/dev/null; }
	@command -v chromium >/dev/null 2>&1 || { echo "Installing Chromium for the dashboard's browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }
	@command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { \
		echo "Installing PostgreSQL for the Postgres engine's tests (a throwaway server on a local socket)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; }
	$(BIN)/pip install --quiet -e '.[dev,spark,postgres]'
	touch $(DEV)

setup: $(DEV)

demo: $(CORE)
	$(BIN)/qof-cancer demo --out $(DEMO)

test: $(DEV)
	QOF_REQUIRE_SPARK=1 QOF_REQUIRE_POSTGRES=1 $(BIN)/python -m pytest -q
	$(MAKE) --no-print-directory lint docs-check

lint: $(DEV)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/lint-imports

docs: $(DEV)
	$(BIN)/qof-cancer docs --cases tests/spec/cancer_cases.yaml --out docs/indicators.md

docs-check: $(DEV)
	$(BIN)/qof-cancer docs --cases tests/spec/cancer_cases.yaml --check docs/indicators.md

clean:
	rm -rf $(VENV) $(DEMO) .pytest_cache .ruff_cache

bench: $(DEV)
	$(BIN)/pip install --quiet -e '.[bench]'
	$(BIN)/python bench/run.py
