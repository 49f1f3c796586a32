# The two commands a newcomer needs: `make run` and `make test`. Everything else is built on them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CHECKOV_VENV := .venv-checkov
STAMP := $(VENV)/.installed
CHECKOV_STAMP := $(CHECKOV_VENV)/.installed
LOWEST_VENV := .venv-lowest
LOWEST_STAMP := $(LOWEST_VENV)/.installed
PIP_FLAGS := --quiet --disable-pip-version-check

.PHONY: install lint test unit bench run demo reconcile clean

install: $(STAMP) $(CHECKOV_STAMP)

# Re-install whenever the pins change.
$(STAMP): pyproject.toml constraints/lock.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install $(PIP_FLAGS) -c constraints/lock.txt -e '.[dev]'
	@touch $@

# checkov pins versions that conflict with moto and aws-sam-translator, so it lives in its own venv.
$(CHECKOV_STAMP): constraints/checkov.txt
	@test -x $(CHECKOV_VENV)/bin/python || $(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/pip install $(PIP_FLAGS) -c constraints/checkov.txt checkov
	@touch $@

# samlite's runtime dependencies are ranges; this venv holds exactly their lower bounds, so that
# `make test` proves the ranges true by running samlite's own tests once more against them.
$(LOWEST_STAMP): pyproject.toml constraints/lowest.txt
	@test -x $(LOWEST_VENV)/bin/python || $(PYTHON) -m venv $(LOWEST_VENV)
	$(LOWEST_VENV)/bin/pip install $(PIP_FLAGS) -r constraints/lowest.txt
	$(LOWEST_VENV)/bin/pip install $(PIP_FLAGS) --no-deps -e .
	@touch $@

lint: $(STAMP)
	$(BIN)/ruff check .
	PYTHONPATH=app:src $(BIN)/lint-imports

# upload-catalog's integration suite runs a second time with chaos on: S3 events duplicated, reordered
# and delayed as AWS may deliver them; the catalog must still converge. CHAOS=... to vary it.
CHAOS ?= duplicate=0.3,reorder=0.3,delay=20ms,seed=1

test: install lint $(LOWEST_STAMP)
	CHECKOV=$(CURDIR)/$(CHECKOV_VENV)/bin/checkov $(BIN)/pytest --durations=15
	@echo "upload-catalog's integration tests once more, with chaos on pushed deliveries ($(CHAOS)):"
	$(BIN)/pytest tests/integration -q -p no:cacheprovider --samlite-chaos $(CHAOS)
	@echo "samlite's tests once more, against the lowest dependency versions pyproject.toml allows:"
	$(LOWEST_VENV)/bin/pytest tests/samlite -q -p no:cacheprovider

unit: $(STAMP)
	$(BIN)/pytest tests/unit

bench: $(STAMP)
	$(BIN)/python bench/run_all.py

# The local cloud: the template's resources on http://127.0.0.1:4566, its functions in local workers.
run: $(STAMP)
	$(BIN)/samlite start -t template.yaml

# One command: start the stack in-process, upload generated images and a text file, print the catalog.
demo: $(STAMP)
	$(BIN)/python scripts/demo.py

# The catalog's reconcile, now, with progress, against the stack `make run` is serving (in another
# terminal); the same script against a deployed stack: scripts/reconcile.py --stack-name NAME.
reconcile: $(STAMP)
	@test -f .samlite/env || { echo "make reconcile: no .samlite/env; start the stack with make run in another terminal first" >&2; exit 1; }
	@. ./.samlite/env && $(BIN)/python scripts/reconcile.py $(ARGS)

clean:
	rm -rf $(VENV) $(CHECKOV_VENV) $(LOWEST_VENV) .samlite .pytest_cache .ruff_cache .hypothesis
