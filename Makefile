# cxkit: `make demo` and `make test` set everything up themselves.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
# From the npm registry, into $(VENV)/node: the workshop room's proxy, and the
# accessibility engine the browser tests run in each page. cxkit.resources.node_tool finds them.
NODE_PACKAGES := configurable-http-proxy@5.2.0 axe-core@4.14.1
NODE_STAMP    := $(VENV)/node/.installed

.PHONY: demo lab room check test lint format bench clean help

help:
	@echo "make demo   run the main job on the bundled sample company"
	@echo "make lab    a participant's own copy of the notebooks, in JupyterLab (./workspace)"
	@echo "make room   a workshop room for the roster (JupyterHub; ARGS='--port 8000 --facilitator kim')"
	@echo "make check  the everyday tier: lint, then the tests not marked slow or browser (under 3 min)"
	@echo "make test   lint, then every test"
	@echo "make lint   ruff, ruff format --check, mypy"
	@echo "make bench  benchmarks: figures and ratios against plain pandas"

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	$(PY) -m ipykernel install --sys-prefix --name cxkit --display-name "Python 3 (cxkit)" >/dev/null
	touch $(STAMP)

$(NODE_STAMP): Makefile $(STAMP)
	@command -v npm >/dev/null || { echo "npm is missing: install Node.js 18 or newer (Debian: apt install nodejs npm)"; exit 1; }
	npm install --prefix $(VENV)/node --no-save --no-audit --no-fund --loglevel=error $(NODE_PACKAGES)
	touch $(NODE_STAMP)

demo: $(STAMP)
	$(VENV)/bin/cxkit demo

lab: $(STAMP)
	$(VENV)/bin/cxkit lab workspace

room: $(NODE_STAMP)
	$(VENV)/bin/cxkit room start $(ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

check: lint $(NODE_STAMP)
	$(PY) -m pytest -q -m "not slow and not browser"

test: lint $(NODE_STAMP)
	$(PY) -m pytest

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: $(STAMP)
	$(PY) -m pip install --quiet -e ".[test,scale]"
	$(PY) benchmarks/run.py $(ARGS)

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache .hypothesis
