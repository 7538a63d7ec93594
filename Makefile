# Tocsin. `make demo` and `make test` are all a fresh machine needs.
VENV := .venv
BIN := $(VENV)/bin
PYTEST_WORKERS ?= 2
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: install demo test test-faults test-long test-sqlite test-postgres check format lint typecheck messages clean bench

install: $(VENV)/.installed

$(VENV)/.installed: requirements.lock pyproject.toml package.json package-lock.json
	@test -x $(BIN)/python || $$(scripts/find-python) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	npm ci --no-audit --no-fund --loglevel=error
	$(MAKE) --no-print-directory messages
	@touch $@

messages:
	cd tocsin && ../$(BIN)/tocsin compilemessages --ignore '*/node_modules/*' -v 0

demo: install
	$(BIN)/tocsin demo

test: install test-sqlite test-postgres

test-sqlite:
	$(BIN)/pytest -n $(PYTEST_WORKERS) -p no:cacheprovider -m "not fault and not long"

# Runs the suite again on PostgreSQL when TOCSIN_TEST_DATABASE_URL is set (CI sets it).
test-postgres:
	@if [ -n "$$TOCSIN_TEST_DATABASE_URL" ]; then \
	  TOCSIN_TEST_USE_POSTGRES=1 $(BIN)/pytest -n $(PYTEST_WORKERS) -p no:cacheprovider -m "not browser and not fault and not long"; \
	elif [ "$$TOCSIN_STRICT_TESTS" = "1" ]; then \
	  echo "TOCSIN_STRICT_TESTS=1 but TOCSIN_TEST_DATABASE_URL is unset: the PostgreSQL pass cannot be skipped"; exit 1; \
	else echo "TOCSIN_TEST_DATABASE_URL unset: skipping the PostgreSQL pass"; fi

# The fault suite (pytest -m fault): real workers and servers of the tests' own, killed and
# restarted; a few minutes. On PostgreSQL when TOCSIN_TEST_DATABASE_URL is set, as in
# production; CI runs it after `make check`.
test-faults: install
	@if [ -n "$$TOCSIN_TEST_DATABASE_URL" ]; then \
	  TOCSIN_TEST_USE_POSTGRES=1 $(BIN)/pytest -n $(PYTEST_WORKERS) -p no:cacheprovider -m fault; \
	else $(BIN)/pytest -n $(PYTEST_WORKERS) -p no:cacheprovider -m fault; fi

# The long tests (pytest -m long): every main page in every language through axe-core, the
# Hennepin morning, the hotline and the ATU pledge walked in Spanish and Somali, the staff
# screens over the whole demo world, the benchmark commands, the scans of a real server's
# logs and files; on PostgreSQL too when TOCSIN_TEST_DATABASE_URL is set. CI runs them.
test-long: install
	$(BIN)/pytest -n $(PYTEST_WORKERS) -p no:cacheprovider -m "long and not fault"
	@if [ -n "$$TOCSIN_TEST_DATABASE_URL" ]; then \
	  TOCSIN_TEST_USE_POSTGRES=1 $(BIN)/pytest -n $(PYTEST_WORKERS) -p no:cacheprovider -m "long and not browser and not fault"; \
	fi

# Every benchmark scenario (fanout at 10k, 100k and 1M, reports, audience, console, ballots)
# on SQLite and on PostgreSQL+Redis (TOCSIN_BENCH_DATABASE_URL, TOCSIN_BENCH_QUEUE_URL), each
# in a bounded process of its own; rewrites the "Latest results" block of docs/benchmarks.md.
# Hours at full size; `make bench BENCH_ARGS=--quick` is a smoke run of a few minutes.
bench: install
	$(BIN)/tocsin bench suite $(BENCH_ARGS)

format:
	$(BIN)/ruff format tocsin tests

# ruff, then the import contracts of pyproject.toml: the layers run one way and no two apps
# import each other (decision 0027).
lint:
	$(BIN)/ruff format --check tocsin tests
	$(BIN)/ruff check tocsin tests
	$(BIN)/lint-imports --no-logo

typecheck:
	$(BIN)/mypy

check: install lint typecheck test

clean:
	rm -rf $(VENV) node_modules var/static var/test
