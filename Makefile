# Pakta: `make run` sets up and starts everything; `make test` runs every check.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
# Python >= 3.12: the first of these that runs (a pyenv shim that cannot run is skipped).
PYTHON ?= $(shell for p in python3.13 $$(ls -d $$HOME/.pyenv/versions/3.13*/bin/python3 2>/dev/null) python3.12 $$(ls -d $$HOME/.pyenv/versions/3.12*/bin/python3 2>/dev/null); do \
	if $$p -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; then echo $$p; break; fi; done)

.PHONY: help run test bench venv install install-dev migrate seed lint typecheck checks pytest pytest-pg browser-deps clean

help: ## Show the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(VENV)/.created:
	@if [ -z "$(PYTHON)" ]; then echo "Pakta needs Python 3.12 or newer (python3.13 or python3.12 on PATH)." >&2; exit 1; fi
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	touch $@

$(VENV)/.installed: $(VENV)/.created requirements.txt
	$(PIP) install -q -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PIP) install -q -r requirements-dev.txt
	touch $@

venv: $(VENV)/.created ## Create the virtual environment

install: $(VENV)/.installed ## Install runtime dependencies

install-dev: $(VENV)/.installed-dev ## Install test and lint tools

var/secret_key:
	@mkdir -p var
	@$(PY) -c 'import secrets; print(secrets.token_urlsafe(50))' > $@
	@chmod 600 $@

migrate: install var/secret_key ## Apply database migrations
	SECRET_KEY_FILE=var/secret_key $(PY) manage.py migrate --noinput

seed: migrate ## Load the demo office (only into an empty database) and the embedded CA
	SECRET_KEY_FILE=var/secret_key $(PY) manage.py ca_init --if-absent
	SECRET_KEY_FILE=var/secret_key PAKTA_EMAIL_BACKEND=django.core.mail.backends.console.EmailBackend \
		$(PY) manage.py seed_demo --if-empty

run: seed ## Set up and start web + task worker + scheduler on http://127.0.0.1:8000
	@SECRET_KEY_FILE=var/secret_key $(PY) manage.py collectstatic --noinput -v0
	@SECRET_KEY_FILE=var/secret_key $(PY) manage.py demo_logins
	@echo "Pakta: http://$(HOST):$(PORT)/  (API docs: http://$(HOST):$(PORT)/api/docs/)  Ctrl-C stops."
	@export SECRET_KEY_FILE=var/secret_key PAKTA_EMAIL_BACKEND=django.core.mail.backends.console.EmailBackend; \
	$(PY) manage.py db_worker & worker=$$!; \
	$(PY) manage.py run_scheduler & sched=$$!; \
	trap 'kill $$worker $$sched 2>/dev/null' EXIT INT TERM; \
	$(VENV)/bin/gunicorn config.wsgi:application --bind $(HOST):$(PORT) --workers 2 --access-logfile -

browser-deps: ## Install Debian's chromium (browser tests), softhsm2 (PKCS#11 tests), poppler-utils and libnss3-tools (PDF reader tests) when root and missing
	@missing=""; [ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	[ -e /usr/lib/softhsm/libsofthsm2.so ] || missing="$$missing softhsm2"; \
	[ -x /usr/bin/pdfsig ] && [ -x /usr/bin/pdftoppm ] && [ -x /usr/bin/pdftotext ] || missing="$$missing poppler-utils"; \
	[ -x /usr/bin/certutil ] || missing="$$missing libnss3-tools"; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = "0" ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
		else echo "missing Debian packages:$$missing (install them; browser/PKCS#11/PDF reader tests need them)"; fi; \
	fi

lint: install-dev ## ruff check + format check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: install-dev ## mypy
	PAKTA_TESTING=1 $(VENV)/bin/mypy .

checks: install-dev ## makemigrations --check and check --deploy on production settings
	@mkdir -p var
	PAKTA_TESTING=1 $(PY) manage.py makemigrations --check --dry-run
	DEBUG=false PAKTA_HTTPS=true SECRET_KEY="$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')" \
		ALLOWED_HOSTS=pakta.example.go.id $(PY) manage.py check --deploy --fail-level WARNING

pytest: install-dev browser-deps ## Run the test suite (DATABASE_URL selects PostgreSQL)
	PAKTA_TESTING=1 $(VENV)/bin/pytest $(PYTEST_ARGS)

test: lint typecheck checks pytest ## Every check: lint, types, migrations, deploy check, tests

bench: install-dev ## Benchmarks: prints `bench: <name> = <value> <unit> (goal ...)`
	PAKTA_TESTING=1 $(PY) -m bench

clean: ## Remove the virtual environment and local data
	rm -rf $(VENV) var
