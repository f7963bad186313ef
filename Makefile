# Dyadic — every set-up step lives here, so that a fresh machine needs only `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
# The suite runs in as many processes as the machine has cores (pytest-xdist); PYTEST_ARGS replaces that.
PYTEST_ARGS ?= -n auto

.PHONY: run team-demo test lint format check-migrations bench demo clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

## run: install, migrate, load the demo study if the database is empty, serve on http://$(HOST):$(PORT)
run: $(VENV)/.installed
	$(BIN)/dyadic migrate
	$(BIN)/dyadic demo --if-empty
	$(BIN)/dyadic serve --host $(HOST) --port $(PORT)

## team-demo: team mode on this machine: PostgreSQL (TEAM_DB_URL), the demo study, three accounts (passwords
## printed), two workers on http://$(HOST):$(PORT). The secret key is made once and kept in var/team-secret.
TEAM_DB_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/dyadic_team_demo
team-demo: $(VENV)/.installed
	@mkdir -p var; umask 077; [ -s var/team-secret ] || $(BIN)/python -c "import secrets; print(secrets.token_hex(32))" > var/team-secret
	DYADIC_MODE=team DYADIC_DATABASE_URL="$(TEAM_DB_URL)" DYADIC_SECRET_KEY="$$(cat var/team-secret)" \
	  $(BIN)/dyadic team-demo --port $(PORT) --workers 2

## test: the whole suite, one process per core (PostgreSQL and browser tests skip locally when unavailable; CI requires them)
test: $(VENV)/.installed-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## lint: ruff (lint and format check) and mypy on the domain packages
lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(VENV)/.installed-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## check-migrations: `alembic upgrade head` and `alembic check` on a fresh SQLite file (and PostgreSQL if PG_URL is set)
check-migrations: $(VENV)/.installed
	rm -f var/migration-check.db*
	DYADIC_DATABASE_URL=sqlite:///./var/migration-check.db $(BIN)/alembic upgrade head
	DYADIC_DATABASE_URL=sqlite:///./var/migration-check.db $(BIN)/alembic check
	@if [ -n "$(PG_URL)" ]; then \
	  DYADIC_DATABASE_URL="$(PG_URL)" $(BIN)/alembic upgrade head && \
	  DYADIC_DATABASE_URL="$(PG_URL)" $(BIN)/alembic check; fi

## bench: the import, search and coding benchmarks (each on ≥ 2 million words or long transcripts; minutes)
bench: $(VENV)/.installed-dev
	$(BIN)/python bench/import.py
	$(BIN)/python bench/search.py
	$(BIN)/python bench/coding.py
	$(BIN)/python bench/concurrency.py
	$(BIN)/python bench/load.py
	$(BIN)/python bench/frequency.py
	$(BIN)/python bench/exchange.py

demo: $(VENV)/.installed
	$(BIN)/dyadic demo

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
