# One command each: make install | demo | test | lint | bench.  Everything lives in .venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LINT_NODE := tests/cypherlint/node_modules/.package-lock.json

.PHONY: install demo test lint bench clean

install: $(STAMP) $(LINT_NODE)

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

$(LINT_NODE): tests/cypherlint/package-lock.json
	npm ci --silent --no-audit --no-fund --prefix tests/cypherlint
	touch $(LINT_NODE)

demo: install
	$(BIN)/grassroots demo

test: install
	$(BIN)/python -m pytest -q

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

bench: install
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) tests/cypherlint/node_modules .pytest_cache .mypy_cache .ruff_cache
