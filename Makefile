# tap: every command a user or CI runs. `make synth` and `make test` are the README's two commands;
# both install what they need (.venv/, node_modules/) and are idempotent.
SHELL := /bin/bash
.DEFAULT_GOAL := synth

ENV ?= dev
ENVS := dev staging prod
VENV := .venv
PY := $(VENV)/bin/python
CDK := node_modules/.bin/cdk
# Lambda runs Python 3.12: prefer the same interpreter locally, fall back to any python3 >= 3.11.
PYTHON_BOOT := $(shell for p in python3.12 $$(ls -d /root/.pyenv/versions/3.12*/bin/python3.12 2>/dev/null) python3; do \
	$$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null && { echo $$p; break; }; done)

export JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION := 1
export JSII_DEPRECATED := fail
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: install synth synth-all test lint rules-doc report demo bench deploy destroy clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@test -x $(PY) || $(PYTHON_BOOT) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

install: $(VENV)/.installed node_modules/.installed

## synth: synthesize TapStack-$(ENV) into cdk.out/ (our rule pack, cdk-nag and CDK's validation run inside) and print the rule report
synth: install
	$(CDK) synth --context env=$(ENV) --quiet
	$(PY) -m tap.rules check cdk.out --format text

## synth-all: synthesize every environment into cdk.out/<env>/
synth-all: install
	@for e in $(ENVS); do $(CDK) synth --context env=$$e --quiet --output cdk.out/$$e || exit 1; done

## test: lint, cfn-lint on every environment's template, and the test suite
test: install
	$(MAKE) --no-print-directory lint
	$(PY) -m pytest -q -n 2 --dist loadfile

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

## rules-doc: regenerate RULES.md from the rule metadata
rules-doc: install
	$(PY) -m tap.rules docs --output RULES.md

## report: write cdk.out/tap-report.{md,sarif,json}: exactly what the pull-request workflow posts
report: synth

## demo: run the whole pipeline locally (moto + DuckDB) on a generated sample
demo: install

## bench: rule evaluation, synth and processor benchmarks (Markdown table + JSON)
bench: install

## deploy / destroy: real AWS (needs credentials); outputs go to cfn-outputs/flat-outputs.json
deploy: install
	$(CDK) deploy --context env=$(ENV) --require-approval never --outputs-file cfn-outputs/flat-outputs.json

destroy: install
	$(CDK) destroy --context env=$(ENV) --force

clean:
	rm -rf cdk.out .pytest_cache .ruff_cache .mypy_cache
