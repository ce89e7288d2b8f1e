# The two commands a newcomer needs: `make up` and `make test`.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
# Spectral (the API style rules, .spectral.yaml) for the tests: an npm package, kept in .tools/.
SPECTRAL_VERSION := 6.16.3
SPECTRAL := .tools/.spectral-$(SPECTRAL_VERSION)

# The request path compiled with mypyc (setup.py); rebuilt when any gateway module changes, since
# compiled code relies on the types of the modules it imports too.
GATEWAY_SOURCES := $(shell find gateway -name '*.py')

.PHONY: install up test lint openapi bench interpreted

install: $(VENV)/.installed $(VENV)/.compiled $(SPECTRAL)

$(VENV)/.installed: pyproject.toml setup.py
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip "setuptools>=69"
	$(BIN)/python -m pip install -q -e ".[dev]"
	touch $@

$(VENV)/.compiled: $(VENV)/.installed $(GATEWAY_SOURCES)
	REVGATE_COMPILE=1 $(BIN)/python setup.py -q build_ext --inplace
	@# Dated now even when nothing needed compiling: tests/conftest.py checks it against the sources.
	touch gateway/_request_path__mypyc.*.so $@

## Remove the compiled modules: the same code then runs interpreted (for a debugger, or coverage).
interpreted:
	find gateway -name '*.so' -delete
	rm -f $(VENV)/.compiled

$(SPECTRAL):
	npm install --prefix .tools --no-save --ignore-scripts --no-audit --no-fund --loglevel=error \
		@stoplight/spectral-cli@$(SPECTRAL_VERSION)
	touch $@

## Run the whole stack on the embedded default (sandboxes + services on loopback); Ctrl-C stops it.
up: $(VENV)/.installed $(VENV)/.compiled
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
