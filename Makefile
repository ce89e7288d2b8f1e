# The two commands a newcomer needs: `make up` and `make test`.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
# Spectral (the API style rules, .spectral.yaml) for the tests: an npm package, kept in .tools/.
SPECTRAL_VERSION := 6.16.3
SPECTRAL := .tools/.spectral-$(SPECTRAL_VERSION)

.PHONY: install up test lint openapi bench

install: $(VENV)/.installed $(SPECTRAL)

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[dev]"
	touch $@

$(SPECTRAL):
	npm install --prefix .tools --no-save --ignore-scripts --no-audit --no-fund --loglevel=error \
		@stoplight/spectral-cli@$(SPECTRAL_VERSION)
	touch $@

## Run the whole stack on the embedded default (sandboxes + services on loopback); Ctrl-C stops it.
up: $(VENV)/.installed
	$(BIN)/revgate up

## Lint, type-check and run the test suite.
test: install lint
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

## Regenerate contracts/openapi/*.json from the service apps.
openapi: install
	$(BIN)/python -m services.openapi_export

## The gateway against nginx on loopback (needs nginx, wrk, Redis; see docs/performance.md). Not run in CI.
bench: install
	$(BIN)/python -m bench.gateway_vs_nginx
