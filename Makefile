# Rapport: the two commands a newcomer needs are `make run` and `make test`.
# Each installs what is missing first (Python packages into .venv, the SPA's npm packages,
# Debian's chromium for browser tests), and is quick when nothing changed.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.9
STAMPS := $(VENV)/.stamps
export UV_PYTHON := $(abspath $(BIN)/python)

.PHONY: install install-python install-frontend install-browser run serve worker test test-python \
        test-frontend lint typecheck openapi check-openapi bench clean

install: install-python install-frontend

install-python: $(STAMPS)/python

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMPS)/python: requirements-dev.lock pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"
	$(BIN)/uv pip install --quiet -r requirements-dev.lock
	$(BIN)/uv pip install --quiet --no-deps -e .
	@mkdir -p $(STAMPS) && touch $@

FRONTEND_SOURCES := $(shell find frontend/src frontend/index.html frontend/vite.config.ts frontend/tsconfig*.json -type f 2>/dev/null)

install-frontend: $(STAMPS)/frontend-build

$(STAMPS)/frontend-deps: frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund --loglevel=error
	@mkdir -p $(STAMPS) && touch $@

$(STAMPS)/frontend-build: $(STAMPS)/frontend-deps $(FRONTEND_SOURCES) openapi.yaml
	cd frontend && npm run --silent build
	@mkdir -p $(STAMPS) && touch $@

# Browser tests drive Debian's chromium through Playwright: nothing downloads a browser.
install-browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests..."; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null; }

run: install
	$(BIN)/rapport run

serve: install
	$(BIN)/rapport serve

worker: install-python
	$(BIN)/rapport worker

# The whole suite: lint, types, the OpenAPI contract, Python tests (API, domain, workers,
# browser) and the SPA's unit tests.
test: install install-browser lint typecheck check-openapi test-frontend test-python

test-python: install-python
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-frontend: $(STAMPS)/frontend-deps
	cd frontend && npm run --silent check:api && npm test --silent

lint: install-python
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install-python
	$(BIN)/mypy api domain workers rapport

openapi: install-python
	$(BIN)/rapport openapi
	cd frontend && npm run --silent gen:api

check-openapi: install-python
	$(BIN)/python -m pytest -q tests/api/test_openapi_contract.py

bench: install
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) frontend/node_modules frontend/dist
