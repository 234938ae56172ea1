# joinedup: the two commands a newcomer needs are `make demo` and `make test`.
# Both share `make install`, which is safe to re-run and does nothing when
# nothing has changed.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DATA_DIR ?= var
RESIDENTS ?= 20000
PORT ?= 8000
SUDO := $(shell [ "$$(id -u)" = "0" ] || echo sudo)

export JOINEDUP_DATA_DIR ?= $(abspath $(DATA_DIR))

.PHONY: install demo test test-fast lint bench audit chromium java pdf clean

install: $(VENV)/.installed joinedup/static/nhsuk/.copied

$(VENV)/.installed: requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# The NHS.UK design system's compiled CSS, JS and images, at the version the
# Jinja port supports (see docs/architecture.md).
joinedup/static/nhsuk/.copied: node_modules/.installed
	rm -rf joinedup/static/nhsuk
	mkdir -p joinedup/static/nhsuk
	cp node_modules/nhsuk-frontend/dist/nhsuk/nhsuk-frontend.min.css \
	   node_modules/nhsuk-frontend/dist/nhsuk/nhsuk-frontend.min.js joinedup/static/nhsuk/
	cp -r node_modules/nhsuk-frontend/dist/nhsuk/assets joinedup/static/nhsuk/assets
	touch $@

demo: install pdf
	mkdir -p $(DATA_DIR)
	$(BIN)/joinedup collectstatic --no-input --verbosity 0
	$(BIN)/joinedup migrate --no-input --verbosity 0
	$(BIN)/joinedup synth --residents $(RESIDENTS) --seed 1 --places 3 --replace \
	  --agencies $(DATA_DIR)/agencies --link-agencies
	$(BIN)/joinedup population run
	$(BIN)/joinedup population backfill --months 12
	$(BIN)/joinedup care build-caseload
	$(BIN)/joinedup demo care
	$(BIN)/joinedup demo portal
	$(BIN)/joinedup demo directory
	$(BIN)/joinedup demo engagement
	$(BIN)/joinedup outcomes snapshot --months 12
	JOINEDUP_LOG_FORMAT=$${JOINEDUP_LOG_FORMAT:-text} $(BIN)/joinedup serve --port $(PORT) --with-worker

chromium:
	@command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || \
	  ( $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium )

# WeasyPrint (plans as PDF) needs Pango and a font.
pdf:
	@ldconfig -p | grep -q libpangoft2-1.0.so.0 || \
	  ( $(SUDO) apt-get update -qq && \
	    $(SUDO) apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core )

# The Spark engine (PySpark) needs Java 17 or newer.
java:
	@command -v java >/dev/null 2>&1 || \
	  ( $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq openjdk-17-jre-headless )

lint: install
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/joinedup makemigrations --check --dry-run

# The suites whose behaviour turns on today's date (due dates, reviews, ages, the demo's
# history) run a second time on an awkward fixed day: a leap day, late afternoon.
DATED_TESTS := tests/integration/care tests/integration/portal
TEST_CLOCK ?= 2028-02-29T16:30

# Tests run in parallel, one worker per core (pytest-xdist; TEST_WORKERS=0 runs them in one
# process); a worker that finishes early takes tests queued for another.
TEST_WORKERS ?= auto
PYTEST := $(BIN)/pytest -n $(TEST_WORKERS) --dist worksteal

test: install chromium java pdf lint
	$(BIN)/joinedup collectstatic --no-input --verbosity 0
	$(PYTEST)
	JOINEDUP_TEST_CLOCK=$(TEST_CLOCK) $(PYTEST) -q $(DATED_TESTS)

# The unit tests alone: seconds, no browser, database or Java needed.
test-fast: install
	$(PYTEST) -q tests/unit

bench: install
	mkdir -p $(DATA_DIR)
	$(BIN)/python bench/run.py

# Known vulnerabilities in the pinned Python dependencies, from PyPI's advisory data (needs
# PyPI's JSON API). --strict: a dependency that could not be checked is a failure.
# make test runs the same audit, and npm's, in tests/integration/test_dependency_audit.py.
audit: install
	$(BIN)/pip-audit --requirement requirements.lock --no-deps --disable-pip \
	  --vulnerability-service pypi --strict --progress-spinner off

clean:
	rm -rf $(VENV) node_modules joinedup/static/nhsuk $(DATA_DIR) test-artifacts
