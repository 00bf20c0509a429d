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

.PHONY: all demo venv generate check-generated unasync check-unasync template-diff lint lint-spec lint-python test fuzz chaos spec-diff bench dist docs test-all clean

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

## unasync: regenerate the sync REST client (_client.py) from the async one (_async_client.py)
unasync: $(VENV_STAMP)
	$(PY) scripts/unasync.py

## check-unasync: fail when the committed _client.py differs from a fresh unasync of _async_client.py
check-unasync: $(VENV_STAMP)
	$(PY) scripts/unasync.py --check

## template-diff: every file of generator-templates/ against the pinned generator's own template of that name
template-diff: $(VENV_STAMP)
	@$(PY) scripts/template_diff.py

## lint: the spec (openapi-spec-validator, redocly) and the package (ruff, mypy --strict)
lint: lint-spec lint-python

lint-spec: $(VENV_STAMP) $(TOOLS_STAMP)
	$(VENV)/bin/openapi-spec-validator openapi.yaml
	$(REDOCLY) lint openapi.yaml --config redocly.yaml 2>&1 | grep -v -e '^\s*$$' -e '║' -e '╔' -e '╚'; test $${PIPESTATUS[0]} -eq 0

lint-python: $(VENV_STAMP)
	$(VENV)/bin/ruff check gladia_live_client scripts tests benchmarks examples
	$(VENV)/bin/ruff format --check gladia_live_client scripts tests benchmarks examples
	$(VENV)/bin/mypy
	$(VENV)/bin/mypy examples

## demo: a local server, a live session on demo/speech.wav from the command line, then every job command
## (with GLADIA_API_KEY set and no GLADIA_API_URL: against the real service; DEMO_ARGS=--fast skips the pacing)
demo: $(VENV_STAMP)
	$(PY) scripts/demo.py $(DEMO_ARGS)

## test: lint, drift checks (generated package, sync twin) and the test suite
test: lint check-generated check-unasync
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

## test-all: the test suite on Python 3.11, 3.12 and 3.13 (noxfile.py); pyenv's versions are found when installed
## (NOX_ARGS="-p 3.12 3.13" picks versions: CI runs those two after make test, which runs 3.11)
NOX_ARGS ?=
NOX_VENV := .venv-nox
$(NOX_VENV)/.installed: requirements/nox.txt
	test -x $(NOX_VENV)/bin/python || $(PYTHON) -m venv $(NOX_VENV)
	$(NOX_VENV)/bin/python -m pip install --quiet -r requirements/nox.txt
	touch $@

test-all: $(NOX_VENV)/.installed
	PYENV_VERSION="$$(pyenv versions --bare 2>/dev/null | grep -E '^3\.1[123]\.[0-9]+$$' | tr '\n' ':' | sed 's/:$$//')" \
		$(NOX_VENV)/bin/nox --envdir .nox $(NOX_ARGS)

## dist: build the sdist and the wheel into dist/, check them with twine (--strict) and scripts/check_dist.py
DIST_VENV := .venv-dist
$(DIST_VENV)/.installed: requirements/dist.txt
	test -x $(DIST_VENV)/bin/python || $(PYTHON) -m venv $(DIST_VENV)
	$(DIST_VENV)/bin/python -m pip install --quiet -r requirements/dist.txt
	touch $@

dist: $(DIST_VENV)/.installed
	rm -rf dist
	$(DIST_VENV)/bin/python -m build --outdir dist .
	$(DIST_VENV)/bin/python -m twine check --strict dist/*
	$(DIST_VENV)/bin/python scripts/check_dist.py dist

## docs: the documentation site (docs/, mkdocs.yml) built into site/ with warnings as errors; griffe reads the
## package's source for the API reference, so .venv-docs needs only requirements/docs.txt
DOCS_VENV := .venv-docs
$(DOCS_VENV)/.installed: requirements/docs.txt
	test -x $(DOCS_VENV)/bin/python || $(PYTHON) -m venv $(DOCS_VENV)
	$(DOCS_VENV)/bin/python -m pip install --quiet -r requirements/docs.txt
	touch $@

docs: $(DOCS_VENV)/.installed
	NO_MKDOCS_2_WARNING=1 $(DOCS_VENV)/bin/mkdocs build --strict --site-dir site

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
	rm -rf $(VENV) $(BENCH_VENV) $(DIST_VENV) $(DOCS_VENV) $(NOX_VENV) .nox dist site tools/node_modules
