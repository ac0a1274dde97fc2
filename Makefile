# Every target creates or reuses .venv by itself.
SHELL := /bin/bash
export SAM_CLI_TELEMETRY := 0
# The tools import the layers the way Lambda does (/opt/python): put them on the path.
export PYTHONPATH := $(CURDIR):$(CURDIR)/layers/shared:$(CURDIR)/layers/pdf
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
SCAN_VENV := .venv-scan
SCAN_STAMP := $(SCAN_VENV)/.installed
# The real interpreter, never a pyenv shim: `sam build` runs every python3.13 on PATH, and a shim
# directory put there as `.../shims/` (which pyenv does not recognise as its own) recurses forever.
EXECUTABLE := import sys; print(sys.executable)
PYTHON313 := $(shell PYENV_VERSION=3.13.0 python3.13 -c '$(EXECUTABLE)' 2>/dev/null \
  || python3.13 -c '$(EXECUTABLE)' 2>/dev/null || PYENV_VERSION=3.13.0 pyenv which python3.13 2>/dev/null)
PORT ?= 3000
STATE_DIR ?= .local

.PHONY: help venv browser printable openapi run test unit coverage fuzz check lint format typecheck template-lint scan build bench token api-key job jobs clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): requirements-dev.txt layers/shared/requirements.txt layers/pdf/requirements.txt layers/auth/requirements.txt
	@if [ ! -x $(PY) ]; then \
	  if [ -z "$(PYTHON313)" ]; then \
	    echo "Python 3.13 is required (the Lambda runtime). Install it, e.g. 'pyenv install 3.13.0' or your OS package python3.13, and re-run." >&2; \
	    exit 1; \
	  fi; \
	  PYENV_VERSION=3.13.0 $(PYTHON313) -m venv $(VENV); \
	fi
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

venv: $(STAMP) ## Create or update the virtualenv

run: $(STAMP) ## Run the whole stack locally (API on http://127.0.0.1:$(PORT), moto for AWS)
	$(PY) -m devtools.stack --port $(PORT) --state-dir "$(STATE_DIR)"

browser: ## Debian's chromium for the browser tests, installed with apt-get when it is missing
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium (the browser tests drive it with Playwright)"; \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq --no-install-recommends chromium; }

test: $(STAMP) browser ## Run the whole test suite with coverage (the product's and the tools' apart)
	$(PY) -m pytest --numprocesses=auto --maxprocesses=4 --cov --cov-report=
	@$(MAKE) --no-print-directory coverage

unit: $(STAMP) ## Unit and integration tests against moto, no end-to-end, on two workers
	$(PY) -m pytest --numprocesses=2 -m "not e2e" tests/unit tests/integration

# The least coverage of the product the last test run may show (.ci/run sets the one CI enforces).
COVERAGE_FLOOR ?= 0
coverage: $(STAMP) ## The last test run's coverage: the product (layers, functions) against COVERAGE_FLOOR, devtools apart
	@echo "Coverage of the product (layers, functions), at least $(COVERAGE_FLOOR) %:"
	$(PY) -m coverage report --include='layers/*,functions/*' --skip-covered --show-missing --fail-under=$(COVERAGE_FLOOR)
	@echo "Coverage of the tools (devtools), not counted in the product's:"
	$(PY) -m coverage report --include='devtools/*' --skip-covered

fuzz: $(STAMP) ## schemathesis against a fresh local stack's OpenAPI document (about 3 minutes)
	$(PY) -m devtools.fuzz $(FUZZ_OPTIONS)

lint: $(STAMP) ## ruff lint and format check
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: $(STAMP) ## Apply ruff fixes and formatting
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

typecheck: $(STAMP) ## mypy --strict on the layers (shared and pdf) and every function's app.py
	$(PY) -m mypy layers/shared/invoicing layers/pdf/invoice_pdf functions

template-lint: $(STAMP) ## cfn-lint and sam validate --lint
	$(VENV)/bin/cfn-lint template.yaml
	$(VENV)/bin/sam validate --lint --region eu-west-1

# checkov pins a boto3 of its own that the layer's pin conflicts with: it gets a venv of its own
$(SCAN_STAMP): requirements-scan.txt
	@if [ ! -x $(SCAN_VENV)/bin/python ]; then \
	  if [ -z "$(PYTHON313)" ]; then echo "Python 3.13 is required for make scan." >&2; exit 1; fi; \
	  PYENV_VERSION=3.13.0 $(PYTHON313) -m venv $(SCAN_VENV); \
	fi
	$(SCAN_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(SCAN_VENV)/bin/python -m pip install --quiet -r requirements-scan.txt
	touch $(SCAN_STAMP)

scan: $(SCAN_STAMP) ## checkov over template.yaml: fails on any finding not fixed or suppressed with a reason
	$(SCAN_VENV)/bin/checkov --file template.yaml --framework cloudformation --compact --skip-download

# Lambda cannot write bytecode next to a read-only package and dates every packaged file 1980, so the
# build ships unchecked-hash .pyc files (PEP 552), compiled by the runtime's Python version
build: $(STAMP) ## sam build (arm64 layer), bytecode for every module, and a check of both
	PATH=$(dir $(PYTHON313)):$$PATH $(VENV)/bin/sam build --parallel
	$(PYTHON313) -m compileall -q -j 0 --invalidation-mode unchecked-hash .aws-sam/build
	$(PY) -m devtools.check_build .aws-sam/build

check: lint typecheck template-lint scan test ## Everything CI runs

bench: $(STAMP) ## Cold-start benchmark of every function (writes BENCHMARKS.md)
	$(PY) -m devtools.bench

token: $(STAMP) ## Issue a token: make token TENANT=<id> SCOPES="invoices:read invoices:write"
	@$(PY) -m devtools.admin --state-dir "$(STATE_DIR)" issue-token --tenant "$(TENANT)" --scopes "$(if $(filter undefined,$(origin SCOPES)),invoices:read invoices:write,$(SCOPES))"

api-key: $(STAMP) ## Create an API key: make api-key TENANT=<id>
	@$(PY) -m devtools.admin --state-dir "$(STATE_DIR)" create-api-key --tenant "$(TENANT)"

printable: $(STAMP) ## Rewrite layers/shared/invoicing/printable_ranges.py from the PDF fonts
	$(PY) -m devtools.printable

openapi: $(STAMP) ## Regenerate functions/docs/openapi.json from the routes
	$(PY) -m devtools.openapi

job: $(STAMP) ## Fire a scheduled function once: make job NAME=<function> AT=<ISO-8601 time>
	$(PY) -m devtools.stack.job --name "$(NAME)" --at "$(AT)"

jobs: $(STAMP) ## Run, as of AT, every job and one-time schedule due by then: make jobs AT=<ISO-8601 time>
	$(PY) -m devtools.stack.jobs --at "$(AT)" --state-dir "$(STATE_DIR)"

clean: ## Remove build output and local state
	rm -rf .aws-sam .local .pytest_cache .mypy_cache .ruff_cache .coverage
