# Verzuimportaal — `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
COVERAGE_MIN ?= 92

.DEFAULT_GOAL := help

help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN{FS=":.*## "}{printf "  make %-18s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --upgrade pip
	@$(BIN)/python -m pip install --quiet -e '.[test,dev]'
	@touch $(STAMP)

install: $(STAMP) ## Create the virtualenv and install the pinned dependencies

translations: $(STAMP) ## Compile the Dutch/English translation catalogues
	@$(BIN)/python manage.py compile_translations -v0 >/dev/null

run: install translations ## Install, migrate SQLite, load demo data, start portal + worker
	@bash scripts/run-dev.sh

prod-local: install translations ## Production topology here: gunicorn, worker, PostgreSQL, Redis
	@bash scripts/prod-local.sh

test: install translations ## Run the whole test suite with the branch-coverage gate
	@VERZUIM_VAR_DIR=$$(mktemp -d) $(BIN)/python -m pytest --cov --cov-report=term:skip-covered \
	  --cov-fail-under=$(COVERAGE_MIN) $(PYTEST_ARGS)

test-postgres: install translations ## Run the suite against PostgreSQL and Redis on 127.0.0.1
	@DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/verzuim} \
	 REDIS_URL=$${REDIS_URL:-redis://127.0.0.1:6379/0} \
	 VERZUIM_VAR_DIR=$$(mktemp -d) $(BIN)/python -m pytest $(PYTEST_ARGS)

coverage: install translations ## Test suite with a line-by-line coverage report
	@$(BIN)/python -m pytest --cov --cov-report=term-missing:skip-covered $(PYTEST_ARGS)

lint: install ## Ruff lint
	@$(BIN)/ruff check verzuim tests

format: install ## Ruff format
	@$(BIN)/ruff format verzuim tests

typecheck: install ## mypy on the application packages
	@$(BIN)/mypy verzuim/accounts verzuim/mfa verzuim/audit verzuim/messaging verzuim/core verzuim/tenants verzuim/absence verzuim/support

check-deploy: install ## manage.py check --deploy with the production settings of .env.example
	@bash scripts/check-deploy.sh

sbom: install ## Software bill of materials (CycloneDX JSON) of the installed packages: build/sbom.cdx.json
	@mkdir -p build
	@$(BIN)/cyclonedx-py environment --output-format JSON --output-file build/sbom.cdx.json $(BIN)/python
	@echo "build/sbom.cdx.json"

audit-deps: install ## Known vulnerabilities in the installed packages (needs the vulnerability service)
	@bash scripts/audit-deps.sh

migrations-check: install ## Fail when models and migrations disagree
	@VERZUIM_ENVIRONMENT=test $(BIN)/python manage.py makemigrations --check --dry-run

messages: install ## Extract translatable strings into locale/nl (needs GNU gettext)
	@VERZUIM_ENVIRONMENT=test $(BIN)/python manage.py makemessages -l nl -l en --no-obsolete --ignore '.venv/*'

BENCH_STAMP := $(VENV)/.installed-bench

$(BENCH_STAMP): $(STAMP) pyproject.toml
	@$(BIN)/python -m pip install --quiet -e '.[bench]'
	@touch $(BENCH_STAMP)

bench: $(BENCH_STAMP) translations ## Benchmarks on PostgreSQL + Redis (~15 min); rewrites docs/performance.md
	@$(BIN)/python -m bench $(BENCH_ARGS)

bench-smoke: $(BENCH_STAMP) translations ## Every benchmark at tiny sizes (~2 min); report to a temp file
	@$(BIN)/python -m bench --smoke $(BENCH_ARGS)

# The scanners get their own virtualenv: wapiti pins libraries (asgiref, cryptography) that
# the portal's cannot take. Their versions come from the `scan` extra of pyproject.toml.
SCAN_VENV := .venv-scan
SCAN_STAMP := $(SCAN_VENV)/.installed

$(SCAN_STAMP): $(STAMP) pyproject.toml
	@test -x $(SCAN_VENV)/bin/python || $(PYTHON) -m venv $(SCAN_VENV)
	@$(SCAN_VENV)/bin/python -m pip install --quiet --upgrade pip
	@$(SCAN_VENV)/bin/python -m pip install --quiet $$($(BIN)/python scripts/security_scan.py --print-requirements)
	@touch $(SCAN_STAMP)

security-scan: $(SCAN_STAMP) translations ## wapiti + sqlmap on 127.0.0.1 (~10 min, SCAN_ARGS=--quick ~2 min); rewrites docs/security/scan-report.md
	@$(BIN)/python scripts/security_scan.py $(SCAN_ARGS)

ci: ## What CI runs
	@bash .ci/run

.PHONY: help install translations run prod-local bench bench-smoke security-scan test test-postgres coverage lint format typecheck check-deploy sbom audit-deps migrations-check messages ci
