# Two commands do all the set-up on a fresh machine with Python 3.11+:
#   make run   - create .venv, install, run the main job on the emulated rig
#   make test  - create .venv, install, lint (ruff), type-check (mypy), run the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml setup.py | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/itpump run adult-maintenance-flex --rig emulated-ne1000

# ruff and mypy first (seconds; mypy keeps its cache in .venv), so a lint or type error fails before the suite runs
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

test: lint
	$(BIN)/python -m pytest --junitxml=test-results/junit.xml
	@echo "JUnit: test-results/junit.xml  traceability: test-results/junit.traceability.json (.csv, .html)"

bench: $(STAMP)
	for b in benchmarks/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) build *.egg-info runs test-results
