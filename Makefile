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

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install -q -e ".[dev]"
	@touch $(STAMP)

## make demo: import the demo corpus, suggest, agreement, treemaps, exports -> out/
demo: $(STAMP)
	$(BIN)/qualcode demo --out out/

## make test: the whole suite (unit, property, doctests, notebooks, browser)
test: $(STAMP) browser
	$(BIN)/ruff check src tests benchmarks notebooks corpora
	$(BIN)/python -m pytest -n 2 -q -m "not browser"
	$(BIN)/python -m pytest -q -m browser -rs
	$(BIN)/python -m pytest -q --nbmake notebooks/

## make browser: Debian's Chromium for the end-to-end widget test (skipped if it cannot be installed)
browser:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = "0" ]; then \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	  || echo "chromium could not be installed: the browser test will be skipped"; \
	else echo "no apt-get as root: the browser test will be skipped"; fi

## make lab: JupyterLab on notebooks/
lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks notebooks corpora

bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf out build dist src/*.egg-info
