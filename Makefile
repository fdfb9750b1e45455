# One command each: make install | demo | test | lint | bench.  Everything lives in .venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LINT_NODE := tests/cypherlint/node_modules/.package-lock.json
WEB_NODE := web/node_modules/.package-lock.json
WEB_DIST := web/dist/index.html
E2E_NODE := tests/e2e/node_modules/.package-lock.json
CHROMIUM := /usr/bin/chromium

.PHONY: install demo test lint bench clean

install: $(STAMP) $(LINT_NODE) $(WEB_DIST) $(E2E_NODE) $(CHROMIUM)

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

$(LINT_NODE): tests/cypherlint/package-lock.json
	npm ci --silent --no-audit --no-fund --prefix tests/cypherlint
	touch $(LINT_NODE)

# the explorer page (/explore): built from web/ with its locked npm packages, served from web/dist
$(WEB_NODE): web/package-lock.json
	npm ci --silent --no-audit --no-fund --prefix web
	touch $(WEB_NODE)

$(WEB_DIST): $(WEB_NODE) web/build.mjs web/index.html web/operations.graphql $(wildcard web/src/*)
	npm run --silent --prefix web build

# its end-to-end tests drive Debian's chromium with playwright-core (no browser download)
$(E2E_NODE): tests/e2e/package-lock.json
	npm ci --silent --no-audit --no-fund --prefix tests/e2e
	touch $(E2E_NODE)

$(CHROMIUM):
	test -x $(CHROMIUM) || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium)

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
	rm -rf web/node_modules web/dist tests/e2e/node_modules
