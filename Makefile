# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1
STAMP := $(VENV)/.installed
PG_BIN := $(firstword $(wildcard /usr/lib/postgresql/*/bin/pg_ctl))

.PHONY: run test lint typecheck test-sqlite test-postgres openapi traceability install clean

$(STAMP): backend/pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e 'backend[test]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/ombuds run --host $(HOST) --port $(PORT)

lint: $(STAMP)
	$(BIN)/ruff check backend tests migrations bench
	$(BIN)/ruff format --check backend tests migrations bench

typecheck: $(STAMP)
	$(BIN)/mypy

test-sqlite: $(STAMP)
	$(BIN)/pytest -q --db=sqlite

test-postgres: $(STAMP)
ifeq ($(PG_BIN),)
	@if [ "$$OMBUDS_REQUIRE_POSTGRES" = "1" ]; then \
	  echo "PostgreSQL binaries are required (OMBUDS_REQUIRE_POSTGRES=1) but none are under /usr/lib/postgresql" >&2; exit 1; fi
	@echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
	@echo "!!! SKIPPED the PostgreSQL test run: no binaries under /usr/lib/postgresql  !!!"
	@echo "!!! (apt-get install postgresql) -- only SQLite was tested                 !!!"
	@echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
else
	$(BIN)/pytest -q --db=postgresql
endif

test: lint typecheck test-sqlite test-postgres

traceability: $(STAMP)
	$(BIN)/python -m tests.traceability > docs/policy-traceability.md

openapi: $(STAMP)
	$(BIN)/python -m ombuds.openapi > openapi/openapi.json

clean:
	rm -rf $(VENV) var
