# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1
STAMP := $(VENV)/.installed
PG_BIN := $(firstword $(wildcard /usr/lib/postgresql/*/bin/pg_ctl))

.PHONY: run test lint typecheck test-sqlite test-postgres test-frontend frontend openapi traceability install clean bench

$(STAMP): backend/pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e 'backend[test]'
	touch $(STAMP)

install: $(STAMP)

# The single-page app: npm ci when the lock file changes, then the typed client generated
# from openapi/openapi.json and the build, only when a source changed (stamp files).
NODE_STAMP := frontend/node_modules/.installed
FRONTEND_STAMP := frontend/dist/.built
FRONTEND_SOURCES := $(shell find frontend/src frontend/public -type f 2>/dev/null) \
	frontend/index.html frontend/vite.config.ts frontend/tsconfig.json \
	frontend/scripts/generate-client.mjs openapi/openapi.json

$(NODE_STAMP): frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

$(FRONTEND_STAMP): $(NODE_STAMP) $(FRONTEND_SOURCES)
	cd frontend && npm run --silent generate && npm run --silent build
	touch $(FRONTEND_STAMP)

frontend: $(FRONTEND_STAMP)

run: $(STAMP) frontend
	$(BIN)/ombuds run --host $(HOST) --port $(PORT)

lint: $(STAMP)
	$(BIN)/ruff check backend tests migrations bench
	$(BIN)/ruff format --check backend tests migrations bench

typecheck: $(STAMP)
	$(BIN)/mypy

test-sqlite: $(STAMP)
	mkdir -p var
	$(BIN)/pytest -q -p no:cacheprovider --db=sqlite --basetemp=var/pytest-sqlite

test-postgres: $(STAMP)
ifeq ($(PG_BIN),)
	@if [ "$$OMBUDS_REQUIRE_POSTGRES" = "1" ]; then \
	  echo "PostgreSQL binaries are required (OMBUDS_REQUIRE_POSTGRES=1) but none are under /usr/lib/postgresql" >&2; exit 1; fi
	@echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
	@echo "!!! SKIPPED the PostgreSQL test run: no binaries under /usr/lib/postgresql  !!!"
	@echo "!!! (apt-get install postgresql) -- only SQLite was tested                 !!!"
	@echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
else
	mkdir -p var
	$(BIN)/pytest -q -p no:cacheprovider --db=postgresql --basetemp=var/pytest-postgresql
endif

# Vitest, then Playwright in Debian's Chromium against a real backend; the client's
# freshness is checked before anything regenerates it. Without Chromium the browser run is
# skipped loudly; with OMBUDS_REQUIRE_BROWSER=1 (set by CI) that is a failure.
test-frontend: $(STAMP) $(NODE_STAMP)
	cd frontend && npm run --silent check-client
	$(MAKE) --no-print-directory frontend
	OMBUDS_FRONTEND_TESTS=1 $(BIN)/pytest -q -p no:cacheprovider tests/frontend

# The two backends' runs are independent (own databases, own temporary directories, free
# ports): they run side by side, each printing its output when it ends; then the browser.
test: lint typecheck
	$(MAKE) --no-print-directory -j2 --output-sync=target test-sqlite test-postgres
	$(MAKE) --no-print-directory test-frontend

traceability: $(STAMP)
	$(BIN)/python -m tests.traceability > docs/policy-traceability.md

openapi: $(STAMP)
	$(BIN)/python -m ombuds.openapi > openapi/openapi.json

# The backend benchmark (issue 7): PostgreSQL seeded at 10k, 100k and 1M complaints, the
# service and the floor under load on loopback; writes the Backend section of
# docs/benchmarks.md, with one and two workers. Not part of `make test` (about 20 minutes on 2 cores).
bench: $(STAMP)
	$(BIN)/python -m bench.run --write

clean:
	rm -rf $(VENV) var
