# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1
PYTEST_ARGS ?=

.PHONY: install test-deps run test bench lint format messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.test-installed: pyproject.toml package.json $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@if command -v npm >/dev/null 2>&1; then npm install --silent --no-audit --no-fund; \
	else echo "npm not found: accessibility checks in browser tests will be skipped"; fi
	touch $@

install: $(VENV)/.installed

test-deps: $(VENV)/.test-installed

run: install
	$(BIN)/ombuds migrate
	$(BIN)/ombuds demo
	@# The worker runs background work (audits started in the web app) beside the server.
	$(BIN)/ombuds worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
		$(BIN)/ombuds serve --host $(HOST) --port $(PORT)

test: test-deps
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: test-deps
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python benchmarks/run.py

lint: test-deps
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy

format: test-deps
	$(BIN)/ruff format src tests benchmarks
	$(BIN)/ruff check --fix src tests benchmarks

# Regenerate the translation catalogues (needs GNU gettext); the compiled .mo files are committed
# so that a fresh machine needs no gettext.
messages: install
	cd src/ombuds && ../../$(BIN)/ombuds makemessages -l fr -l es --no-obsolete
	cd src/ombuds && ../../$(BIN)/ombuds compilemessages

clean:
	rm -rf $(VENV) node_modules
