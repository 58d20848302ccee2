# Envdeck: `make run` serves the app; `make test` runs every check CI runs.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
PY_STAMP := $(VENV)/.install-stamp
NPM_STAMP := frontend/node_modules/.install-stamp
UI_INDEX := src/envdeck/web/static/index.html
UI_SOURCES := $(shell find frontend/src frontend/public -type f 2>/dev/null) \
	$(wildcard frontend/index.html frontend/vite.config.* frontend/tsconfig*.json frontend/package.json)

.PHONY: install run demo test fuzz lint check-api api-client bench bench-quick clean

install: $(PY_STAMP) $(NPM_STAMP) $(UI_INDEX)

# The venv is rebuilt when pyproject.toml changes.
$(PY_STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

$(NPM_STAMP): frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund
	touch $@

# The UI is rebuilt only when its sources changed.
$(UI_INDEX): $(UI_SOURCES) $(NPM_STAMP)
	cd frontend && npm run build

run: install
	$(BIN)/envdeck serve

# `make run` plus a simulated fleet of 12 environments, registered and checked (docs/demo.md).
demo: install
	$(BIN)/envdeck demo

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache
	cd frontend && npm run typecheck && npm run lint

# Fails when frontend/src/api/schema.d.ts no longer matches the backend's OpenAPI.
check-api: install
	@tmp=$$(mktemp -d) && $(PY) scripts/export_openapi.py $$tmp/openapi.json \
		&& (cd frontend && node scripts/check-api.mjs $$tmp/openapi.json); \
		status=$$?; rm -rf $$tmp; exit $$status

# Regenerates the UI's typed client after an API change.
api-client: install
	$(PY) scripts/export_openapi.py frontend/openapi.json
	cd frontend && npm run gen:api

# pytest last: its summary is the run's closing line. Two workers, one test file each at a
# time (files share their fixtures); most tests wait on sockets, so two fit on two cores.
test: install lint check-api
	cd frontend && npm test
	$(BIN)/pytest -n 2 --dist loadfile

# The API fuzzed at length: 200 examples per operation, new ones each run (docs/testing.md).
fuzz: install
	ENVDECK_FUZZ_EXAMPLES=200 ENVDECK_FUZZ_RANDOM=1 $(BIN)/pytest tests/fuzz

bench: install
	$(PY) bench/run_all.py

bench-quick: install
	$(PY) bench/run_all.py --quick

clean:
	rm -rf $(VENV) frontend/node_modules src/envdeck/web/static .pytest_cache .mypy_cache .ruff_cache
