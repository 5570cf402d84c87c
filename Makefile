# Tongban developer commands. `make demo` and `make test` work on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo test lint typecheck contracts ci clean install bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/tongban demo --host $(HOST) --port $(PORT)

test: $(STAMP)
	bash scripts/ensure-browser.sh
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

contracts: $(STAMP)
	$(BIN)/lint-imports

ci:
	bash .ci/run

# Benchmarks on throwaway SQLite and PostgreSQL databases; see bench/README.md.
bench: $(STAMP)
	bash scripts/ensure-bench-tools.sh
	$(BIN)/python bench/run.py --db both
	$(BIN)/python bench/web.py --db both
	$(BIN)/python bench/http_tasks.py --db both
	$(BIN)/python bench/scaleout.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
