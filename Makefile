# The two commands of the README:
#   make run    set up .venv and run taskmcp locally
#   make test   set up .venv and run every quality gate and test
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install tools run test lint typecheck unit clean

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "taskmcp needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Node 22, the MCP conformance suite and the Inspector CLI, pinned, into .tools/ (npm).
tools:
	bash scripts/install-node-tools.sh

# Starts what exists today: the authorization server (9000) and the resource server
# (8001) on 127.0.0.1. Ctrl-C stops both; if either exits, the other is stopped too.
# This becomes `taskmcp dev` (issue 7).
run: $(STAMP)
	@trap 'kill $$(jobs -p) 2>/dev/null; wait' EXIT; \
	$(BIN)/taskmcp auth & \
	$(BIN)/taskmcp resource & \
	wait -n

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy --strict taskmcp

unit: $(STAMP) tools
	$(BIN)/pytest

test: lint typecheck unit

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis
