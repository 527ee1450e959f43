# Two commands do all set-up on a fresh machine with Python 3.11: `make demo` and `make test`.
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
MANIFEST := dbt_project/target/manifest.json
UV_VERSION := 0.13.9

# Absolute, so Python, dbt (which runs inside dbt_project/) and Dagster agree on one folder.
export OGP_DATA_DIR ?= $(CURDIR)/data
export DAGSTER_HOME ?= $(OGP_DATA_DIR)/dagster_home

.PHONY: install manifest browser screenshots demo test test-fast lint ui bench bench-ui bench-similarity validate docs reliability-doc clean

install: $(STAMP)

# uv installs the pinned set in about 20 s where pip takes about 50 (it downloads and unpacks in
# parallel); pip installs the same set when uv cannot be had or cannot reach the index.
$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "Installing the platform's packages into $(VENV) (a minute or two the first time)"
	@{ $(BIN)/python -m pip install -qq uv==$(UV_VERSION) && \
	   $(BIN)/uv pip install -q --python $(BIN)/python --compile-bytecode -c constraints.txt -e ".[dev]"; } || \
	 { $(BIN)/python -m pip install -qq --upgrade pip && $(BIN)/python -m pip install -qq -c constraints.txt -e ".[dev]"; }
	@touch $@

# The dbt manifest is prepared once here, not parsed at every code-location load.
manifest: $(STAMP)
	@$(BIN)/ogp prepare

# Progress and a closing summary on the terminal; each run's whole log in $(OGP_DATA_DIR)/logs/
# (named at the end). `make demo OGP_ARGS=-v` streams the logs instead.
demo: manifest
	@$(BIN)/ogp $(OGP_ARGS) demo

# Two workers (the machine's two cores) share one demo, built once, and take tests as they free up.
PYTEST_WORKERS ?= 2
test: manifest browser
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

# Your own loop: everything but the end-to-end runs (no demo build, no job launched).
test-fast: manifest browser
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist worksteal -m "not e2e" $(PYTEST_ARGS)

# ruff (lint, format) over the Python; sqlfluff over the dbt models as dbt compiles them (into a
# warehouse of its own under build/, never the demo's), on every core. Run by CI and the pre-commit hooks.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	@mkdir -p build/lint
	cd dbt_project && OGP_DATA_DIR=$(CURDIR)/build/lint ../$(BIN)/sqlfluff lint --processes 0 models

# The site's browser tests drive Debian's Chromium (Playwright's own browser download cannot be
# reached here); installed from Debian's packages when missing (as root, or with sudo).
CHROMIUM ?= /usr/bin/chromium
browser:
	@test -x $(CHROMIUM) || { SUDO=$$(test "$$(id -u)" = 0 || echo sudo); \
	  $$SUDO apt-get install -y --no-install-recommends chromium >/dev/null 2>&1 || \
	  { $$SUDO apt-get update -q >/dev/null && $$SUDO apt-get install -y --no-install-recommends chromium >/dev/null; }; }

validate: manifest
	$(BIN)/ogp init-instance
	$(BIN)/dagster definitions validate -w workspace.yaml

ui: manifest
	$(BIN)/ogp init-instance
	$(BIN)/dagster dev -w workspace.yaml

# The benchmark (not a test): BENCH_SCALE=small|medium|large or a list (small,medium,large), medium by default; BENCH_REPEAT.
bench: manifest
	$(BIN)/python -m benchmarks.run

# One month's run launched from the UI (its GraphQL API) against `ogp run-month`, on the demo.
bench-ui: manifest
	$(BIN)/python -m benchmarks.ui_run

# The similar-commitments ranker: recall@10 and MRR on the labelled queries, and its speed; then on
# OGP's real Explorer file and its cross-lingual paraphrases, when ../shared holds it.
bench-similarity: install
	$(BIN)/python -m benchmarks.similarity
	@if test -f ../shared/data/ogp_explorer_full_2011_2014.csv; then $(BIN)/python -m benchmarks.similarity --real; \
	  else echo "../shared/data/ogp_explorer_full_2011_2014.csv is not here: the real-corpus evaluation is skipped"; fi

# The README's pictures of the publication, from the demo's snapshots (after `make demo`).
screenshots: install browser
	$(BIN)/python docs/screenshots.py

# docs/reliability.md from the outcomes the reliability suite recorded when it last ran (`make test`).
reliability-doc: install
	$(BIN)/python -m tests.reliability.report

# dbt's documentation as one static page that works offline (after `make demo`: it reads the warehouse's catalog).
docs: manifest
	cd dbt_project && ../$(BIN)/dbt docs generate --static --profiles-dir . --target-path target/docs
	@echo "dbt docs: file://$(CURDIR)/dbt_project/target/docs/static_index.html"

clean:
	rm -rf $(VENV) dbt_project/target dbt_project/logs data
