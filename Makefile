# Everything runs from a virtual environment at .venv, bootstrapped from pinned requirements on first use.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
VENV_STAMP := $(VENV)/.installed
TOOLS_STAMP := tools/node_modules/.installed
REDOCLY := tools/node_modules/.bin/redocly
export REDOCLY_TELEMETRY := off
export REDOCLY_SUPPRESS_UPDATE_NOTICE := true
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: all demo venv generate check-generated lint lint-spec lint-python test fuzz chaos spec-diff bench clean

all: test

$(VENV_STAMP): requirements/dev.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet -r requirements/dev.txt
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

venv: $(VENV_STAMP)

$(TOOLS_STAMP): tools/package.json tools/package-lock.json
	npm ci --prefix tools --no-audit --no-fund --loglevel=error
	touch $@

## generate: regenerate the generated part of gladia_live_client/ from openapi.yaml
generate: $(VENV_STAMP)
	$(PY) scripts/generate.py

## check-generated: fail when the committed package differs from a fresh generation
check-generated: $(VENV_STAMP)
	$(PY) scripts/generate.py --check

## lint: the spec (openapi-spec-validator, redocly) and the package (ruff, mypy --strict)
lint: lint-spec lint-python

lint-spec: $(VENV_STAMP) $(TOOLS_STAMP)
	$(VENV)/bin/openapi-spec-validator openapi.yaml
	$(REDOCLY) lint openapi.yaml --config redocly.yaml 2>&1 | grep -v -e '^\s*$$' -e '║' -e '╔' -e '╚'; test $${PIPESTATUS[0]} -eq 0

lint-python: $(VENV_STAMP)
	$(VENV)/bin/ruff check gladia_live_client scripts tests benchmarks
	$(VENV)/bin/ruff format --check gladia_live_client scripts tests benchmarks
	$(VENV)/bin/mypy

## demo: a local server, a live session on demo/speech.wav from the command line, then every job command
## (with GLADIA_API_KEY set and no GLADIA_API_URL: against the real service; DEMO_ARGS=--fast skips the pacing)
demo: $(VENV_STAMP)
	$(PY) scripts/demo.py $(DEMO_ARGS)

## test: lint, drift check and the test suite
test: lint check-generated
	$(PY) -m pytest -q

## fuzz: the large run of the generated-response fuzz (GLADIA_FUZZ_EXAMPLES per schema; >= 10,000 bodies in all)
GLADIA_FUZZ_EXAMPLES ?= 400
fuzz: $(VENV_STAMP)
	GLADIA_FUZZ_EXAMPLES=$(GLADIA_FUZZ_EXAMPLES) $(PY) -m pytest -q tests/contract/test_responses.py tests/contract/test_ws_messages.py

## chaos: the large chaos run: GLADIA_CHAOS_RUNS sessions (>= 2,000) with 3 abrupt cuts each through the chaos
## proxy, sync and async, each recording aligned against its source; prints runs, cuts, reconnections, bytes
## lost and bytes duplicated
GLADIA_CHAOS_RUNS ?= 2000
chaos: $(VENV_STAMP)
	GLADIA_CHAOS_RUNS=$(GLADIA_CHAOS_RUNS) $(PY) -m pytest -q -s -p no:logging tests/live/test_chaos.py

## spec-diff: what a newer upstream document changes in the live contract (UPSTREAM=path/to/openapi.json; without
## it, the copy kept in reference/upstream/)
spec-diff: $(VENV_STAMP)
	$(PY) scripts/spec_diff.py $(if $(UPSTREAM),"$(UPSTREAM)")

## bench: every benchmark side by side, with ratios against baselines measured in the same run
BENCH_VENV := .venv-bench
$(BENCH_VENV)/.installed: requirements/dev.txt requirements/bench.txt pyproject.toml
	test -x $(BENCH_VENV)/bin/python || $(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install --quiet -r requirements/dev.txt -r requirements/bench.txt
	$(BENCH_VENV)/bin/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

bench: $(BENCH_VENV)/.installed
	$(BENCH_VENV)/bin/python benchmarks/run.py

clean:
	rm -rf $(VENV) $(BENCH_VENV) tools/node_modules
