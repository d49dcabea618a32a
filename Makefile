# loket: `make run` serves the demo on http://127.0.0.1:8000, `make test` runs the suite.
SHELL := /bin/bash
VENV ?= .venv
BIN := $(VENV)/bin
# Python 3.13 (pyenv's too, even when it is not the global version), else 3.12.
PYTHON ?= $(shell for c in python3.13 $$HOME/.pyenv/versions/3.13*/bin/python3.13 python3.12 \
	$$HOME/.pyenv/versions/3.12*/bin/python3.12; do $$c -c 'import sys' >/dev/null 2>&1 && \
	{ echo $$c; break; }; done)
POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/test
PYTEST_ARGS ?=

.PHONY: run test test-sqlite test-postgres lint bench install clean messages

$(BIN)/loket: pyproject.toml requirements/lock.txt
	@test -n "$(PYTHON)" || { echo "Python 3.13 or 3.12 is needed (python3.13 not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements/lock.txt
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $(BIN)/loket

install: $(BIN)/loket

run: install
	$(BIN)/loket run

test: test-sqlite test-postgres

test-sqlite: install
	$(BIN)/pytest $(PYTEST_ARGS)

test-postgres: install
	DATABASE_URL=$(POSTGRES_URL) $(BIN)/pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check loket bench conftest.py
	$(BIN)/ruff format --check loket bench conftest.py
	$(BIN)/mypy loket
	$(BIN)/loket makemigrations --check --dry-run

bench: install
	$(BIN)/python -m bench

messages: install
	cd loket && ../$(BIN)/loket makemessages -l nl -l fr -l de -l en --no-obsolete \
		--ignore 'tests/*' --ignore '*/tests/*' --ignore 'migrations/*' --ignore '*/migrations/*'
	$(BIN)/loket compilemessages --ignore '.venv'

clean:
	rm -rf $(VENV) var/bench
