# The two commands of the README:
#   make run    set up .venv and run taskmcp locally
#   make test   set up .venv and run every quality gate and test
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install tools run test lint typecheck unit clean bench bench-smoke soak

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

# The whole system on 127.0.0.1, in one process: the TaskManager stand-in (4321), the
# authorization server (9000) and the resource server (8001), with its data in
# .taskmcp/. Ctrl-C stops it. Flags go through ARGS: make run ARGS="--revision dec".
run: $(STAMP)
	$(BIN)/taskmcp dev $(ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy --strict taskmcp

unit: $(STAMP) tools
	$(BIN)/pytest

test: lint typecheck unit

# Benchmarks against the official mcp SDK and bare aiohttp, all started on 127.0.0.1
# (issue #8; bench/RESULTS.md). About 10 minutes; writes bench/out/latest.{json,md}.
# bench-smoke is the few-seconds-per-scenario run that CI does under pytest.
bench: $(STAMP)
	$(BIN)/python -m bench $(ARGS)

bench-smoke: $(STAMP)
	$(BIN)/python -m bench --smoke $(ARGS)

# Load and soak (issue #9): 64 MCP clients for 10 minutes against the stand-in, the
# authorization server and the resource server as processes on 127.0.0.1 (CI runs
# the same test for 60 s). Prints its figures; also writes them to .taskmcp/soak.json.
soak: $(STAMP)
	mkdir -p .taskmcp
	TASKMCP_SOAK_SECONDS=$${TASKMCP_SOAK_SECONDS:-600} TASKMCP_SOAK_REPORT=.taskmcp/soak.json \
	$(BIN)/pytest -q -s tests/soak

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis
