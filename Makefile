# The two commands: `make run` (Airflow + the plugin on http://localhost:8080) and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
export AIRFLOW_HOME ?= $(CURDIR)/.airflow_home
STAMP := $(VENV)/.installed-stamp
PORT ?= 8080

.PHONY: install browser sandbox ui ui-test ui-lint run test lint bench clean distributed-services test-distributed

$(STAMP): pyproject.toml setup.py
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[test]"
	touch $@

install: $(STAMP)

# Debian's Chromium for the browser tests (Playwright drives it; no browser download).
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
	  echo "Installing Debian chromium for browser tests"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null; \
	fi

# Debian's bubblewrap: the sandbox for tool tests, node tests and the deploy import check. Without
# it those runs are refused (unless [airflow_canvas] sandbox = unsafe-subprocess).
sandbox:
	@if ! command -v bwrap >/dev/null; then \
	  echo "Installing Debian bubblewrap for the tool sandbox"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap) >/dev/null; \
	fi

# ui/node_modules exactly as ui/package-lock.json pins it. `npm ci` only: a lock that npm ci refuses
# is a bug to fix in the lock, never papered over by `npm install` (which rewrites a tracked file).
UI_MODULES := ui/node_modules/.package-lock.json
$(UI_MODULES): ui/package.json ui/package-lock.json
	@cd ui && npm ci --no-audit --no-fund || { \
	  echo; \
	  echo "ERROR: 'npm ci' refused ui/package-lock.json (see npm's message above)."; \
	  echo "Regenerate the lock with a plain install and commit it with the rebuilt bundle:"; \
	  echo "  cd ui && rm -rf node_modules && npm install && npm run build"; \
	  echo "  git add ui/package-lock.json airflow_canvas/static"; \
	  exit 1; }
	@touch $@

# Rebuild the committed bundle only when ui/ sources no longer match its recorded hash; a fresh
# clone uses the committed bundle as it is (no Node needed, nothing rewritten).
ui: install
	@if $(PY) -m airflow_canvas.plugin.bundle_hash --check >/dev/null 2>&1; then \
	  echo "ui: the committed bundle matches ui/ sources"; \
	elif command -v npm >/dev/null; then \
	  $(MAKE) --no-print-directory $(UI_MODULES) && cd ui && npm run build; \
	else echo "ui: sources changed but npm is not installed; using the committed bundle"; fi

# The UI's own unit tests (vitest): state logic, diff model, schema forms.
ui-test:
	@if command -v npm >/dev/null; then \
	  $(MAKE) --no-print-directory $(UI_MODULES) && cd ui && npm test --silent; \
	else echo "ui-test: npm not found; skipping the vitest suite"; fi

# ESLint and Prettier's check over the UI sources (ui/eslint.config.js, ui/.prettierrc.json).
ui-lint:
	@if command -v npm >/dev/null; then \
	  $(MAKE) --no-print-directory $(UI_MODULES) && cd ui && npm run --silent lint; \
	else echo "ui-lint: npm not found; skipping ESLint and Prettier"; fi

run: install sandbox ui
	@bash scripts/run_airflow.sh $(PORT)

test: install browser sandbox ui ui-test ui-lint
	$(VENV)/bin/ruff check airflow_canvas tests benchmarks
	$(VENV)/bin/ruff format --check airflow_canvas tests benchmarks
	$(VENV)/bin/mypy
	$(PY) -m pytest -q tests

# The production topology, proven (tests/distributed/): Debian's PostgreSQL and Redis, the
# CeleryExecutor and Git DAG bundles, each Airflow component a separate process with its own home.
DIST_STAMP := $(VENV)/.distributed-stamp
$(DIST_STAMP): $(STAMP)
	$(PY) -m pip install -q -e ".[test,distributed]"
	touch $@

distributed-services:
	@if ! command -v redis-server >/dev/null || ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then \
	  echo "Installing Debian postgresql and redis-server for the distributed tests"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql redis-server) >/dev/null; \
	fi

test-distributed: $(DIST_STAMP) sandbox distributed-services
	@echo "test-distributed: executor CeleryExecutor (Redis broker), database PostgreSQL, DAG bundle GitDagBundle"
	@start=$$(date +%s); CANVAS_DISTRIBUTED=1 $(PY) -m pytest -q tests/distributed; rc=$$?; \
	echo "test-distributed: $$(( $$(date +%s) - start )) s"; exit $$rc

lint: install ui-lint
	$(VENV)/bin/ruff check airflow_canvas tests benchmarks
	$(VENV)/bin/ruff format --check airflow_canvas tests benchmarks
	$(VENV)/bin/mypy

# Every benchmark, each printing its figures against a baseline measured in the same run (quick
# modes, a few minutes). Runs them all, then fails if any exited non-zero.
bench: install browser ui
	@fail=""; \
	for b in "compile_parse.py --quick|compiler + DagBag parse, baseline: a hand-written DAG" \
	         "api.py --quick|canvas API save/validate, baseline: Airflow's PATCH /api/v2/variables" \
	         "tools.py --no-venv|ToolOperator, baseline: PythonOperator in the same DAG run" \
	         "copilot.py --quick|co-pilot turn + offline engine, baseline: parse + validate of the spec" \
	         "run_views.py|run-history grid + prediction, baseline: /metrics' aggregation of the same rows" \
	         "canvas.py|canvas render + pan/zoom in headless Chromium"; do \
	  echo; echo "=== benchmarks/$${b%%|*}: $${b#*|} ==="; \
	  $(PY) benchmarks/$${b%%|*} || fail="$$fail $${b%%[ |]*}"; \
	done; \
	if [ -n "$$fail" ]; then echo; echo "bench: non-zero exit from:$$fail"; exit 1; fi

clean:
	rm -rf $(VENV) .airflow_home
