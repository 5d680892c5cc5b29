# The two commands: `make run` serves the seeded city, `make test` runs the test suite.
VENV ?= .venv
FOODTOUR := $(VENV)/bin/foodtour
PORT ?= 8000
export PORT

.PHONY: run test test-contract setup install web lint format bench clean db-down

$(VENV)/.installed: pyproject.toml scripts/bootstrap.sh
	VENV=$(VENV) ./scripts/bootstrap.sh

WEB_VENDOR := tourism/web/static/vendor

## the web pages' browser libraries (map, charts), from the npm registry (web/package-lock.json)
$(WEB_VENDOR)/.installed: web/package.json web/package-lock.json scripts/build-web.sh | $(VENV)/.installed
	./scripts/build-web.sh

web: $(WEB_VENDOR)/.installed

install: $(VENV)/.installed web

## embedded PostGIS up (installed when missing, as root), migrated, seeded
setup: install
	$(FOODTOUR) db up
	$(FOODTOUR) migrate
	$(FOODTOUR) seed

run: setup
	$(FOODTOUR) demo-accounts
	$(FOODTOUR) run --port $(PORT)

test: setup
	$(VENV)/bin/pytest

## schemathesis over every operation as every caller, every phase, many examples (CI runs it)
test-contract: setup
	FOODTOUR_FUZZ_EXAMPLES=15 FOODTOUR_FUZZ_PHASES=examples,coverage,fuzzing,stateful \
		$(VENV)/bin/pytest tests/contract

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: setup
	$(VENV)/bin/python -m bench.nearby
	$(VENV)/bin/python -m bench.search
	$(VENV)/bin/python -m bench.qr
	$(VENV)/bin/python -m bench.gbfs
	$(VENV)/bin/python -m bench.tiles
	$(VENV)/bin/python -m bench.tours
	$(VENV)/bin/python -m bench.osm_import

db-down: install
	$(FOODTOUR) db down

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info web/node_modules $(WEB_VENDOR) tests/artifacts
