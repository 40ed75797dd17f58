# One task runner for local work and CI. Everything installs into .venv from the package registries.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEMO   := demo-output

.PHONY: help setup demo test lint docs docs-check clean

help:
	@echo "make demo   set up, generate a synthetic PCN and run the cancer indicators on it"
	@echo "make test   set up and run every test"
	@echo "make lint   ruff and the import-direction contract"
	@echo "make docs   regenerate docs/indicators.md from the rule files"

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

demo: $(STAMP)
	$(BIN)/qof-cancer demo --out $(DEMO)

test: $(STAMP)
	$(BIN)/python -m pytest -q
	$(MAKE) --no-print-directory lint docs-check

lint: $(STAMP)
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/lint-imports

docs: $(STAMP)
	$(BIN)/qof-cancer docs --cases tests/spec/cancer_cases.yaml --out docs/indicators.md

docs-check: $(STAMP)
	$(BIN)/qof-cancer docs --cases tests/spec/cancer_cases.yaml --check docs/indicators.md

clean:
	rm -rf $(VENV) $(DEMO) .pytest_cache .ruff_cache
