# Two commands do all set-up on a fresh machine with Python 3.11: `make demo` and `make test`.
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
MANIFEST := dbt_project/target/manifest.json

# Absolute, so Python, dbt (which runs inside dbt_project/) and Dagster agree on one folder.
export OGP_DATA_DIR ?= $(CURDIR)/data
export DAGSTER_HOME ?= $(OGP_DATA_DIR)/dagster_home

.PHONY: install manifest demo test ui bench validate docs clean

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev]"
	@touch $@

# The dbt manifest is prepared once here, not parsed at every code-location load.
manifest: $(STAMP)
	$(BIN)/ogp prepare

demo: manifest
	$(BIN)/ogp demo

# Two workers (the machine's two cores); each builds the demo once and takes tests as it frees up.
PYTEST_WORKERS ?= 2
test: manifest
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

validate: manifest
	$(BIN)/ogp init-instance
	$(BIN)/dagster definitions validate -w workspace.yaml

ui: manifest
	$(BIN)/ogp init-instance
	$(BIN)/dagster dev -w workspace.yaml

# The benchmark (not a test): BENCH_SCALE=small|medium|large (medium by default), BENCH_REPEAT.
bench: manifest
	$(BIN)/python -m benchmarks.run

docs: manifest
	cd dbt_project && ../$(BIN)/dbt docs generate --profiles-dir .

clean:
	rm -rf $(VENV) dbt_project/target dbt_project/logs data
