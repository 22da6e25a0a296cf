"""End to end: the tap pack on the seed reproductions of ``bench/coverage/cases.py``.

Every RULES-SPEC class, Part 1 and Part 2 (``FAILURE_CLASSES``), has at least one case: a bad
stack reproducing a documented failure and a good stack with its fix (Part 2's cases live in
``bench/coverage/part2/``). GIVEN all of them synthesized into one cloud assembly (once
for this module) WHEN the tap engine evaluates it THEN each bad stack draws a finding of its
case's class on the resource at fault, and the good stacks draw none at all (no false alarm
on a correct stack). ``make coverage`` compares the same cases against cdk-nag, cfn-lint,
checkov and CDK's built-in validation.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from bench.coverage.cases import CASES, PART2_CASES, Case, relative_path
from bench.coverage.run import Synthesized, synthesize
from tap.rules.base import FAILURE_CLASSES
from tap.rules.engine import evaluate
from tap.rules.finding import Finding
from tap.rules.model import load_path

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_CASES = [c for c in CASES if not c.synth_error]
REFUSED_CASES = [c for c in CASES if c.synth_error]


def _id(case: Case) -> str:
    return f"{case.slug}:{case.id}"


@pytest.fixture(scope="module")
def assembly(tmp_path_factory) -> tuple[Synthesized, dict[str, list[Finding]]]:
    outdir = tmp_path_factory.mktemp("coverage") / "cdk.out"
    synth = synthesize(outdir, nag=False)
    report = evaluate(load_path(outdir))
    assert not report.rule_errors, report.rule_errors
    by_stack: dict[str, list[Finding]] = defaultdict(list)
    for f in report.active:
        by_stack[f.stack].append(f)
    return synth, by_stack


def _rel(f: Finding) -> str | None:
    rel = relative_path(f.construct_path)
    return rel[1] if rel else None


def _describe(findings: list[Finding]) -> str:
    return "; ".join(f"{f.rule_id} ({f.slug}) on {_rel(f)}: {f.message}" for f in findings) or "-"


def test_the_catalogue_covers_every_class_of_the_spec():
    from tap.rules.registry import select_rules

    slugs = {rule.slug for rule in select_rules(None)}
    assert {c.slug for c in CASES} == slugs
    assert len({c.id for c in CASES}) == len(CASES)


def test_every_failure_class_has_a_case():
    # Parts 1 and 2 of RULES-SPEC: all 37 slugs, whether or not a rule covers them yet
    missing = sorted(set(FAILURE_CLASSES) - {c.slug for c in CASES})

    assert missing == [], f"failure classes without a coverage case: {missing}"
    assert {c.slug for c in CASES} <= set(FAILURE_CLASSES)


def test_part2_cases_are_in_the_catalogue_with_the_widened_seed_classes():
    ids = {c.id for c in CASES}

    assert PART2_CASES, "bench/coverage/part2/ holds no case"
    assert {c.id for c in PART2_CASES} <= ids
    # RULES-SPEC Part 2 widens three seed classes: each has a Part 2 case of its own
    widened = {"kms-service-access", "removal-policy", "resource-name-format"}
    assert widened <= {c.slug for c in PART2_CASES}


@pytest.mark.parametrize("case", TEMPLATE_CASES, ids=_id)
def test_tap_catches_the_bad_stack(case: Case, assembly):
    synth, by_stack = assembly
    stack = case.stack_id("bad")
    assert stack not in synth.refused, synth.refused.get(stack)

    found = by_stack[stack]
    hits = [f for f in found if f.slug == case.slug and case.offends(_rel(f))]

    assert hits, (
        f"tap reports no {case.slug} finding on {case.offending} of {stack} "
        f"(seed {case.seed}: {case.description}); it reports: {_describe(found)}"
    )
    assert all(f.severity in ("error", "warning") for f in hits)


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_tap_reports_nothing_of_the_class_on_the_fix(case: Case, assembly):
    synth, by_stack = assembly
    stack = case.stack_id("good")
    assert stack not in synth.refused, synth.refused.get(stack)

    found = [f for f in by_stack[stack] if f.slug == case.slug]

    assert found == [], f"false alarm on {stack}: {_describe(found)}"


def test_no_tap_finding_of_any_class_on_the_good_stacks(assembly):
    _synth, by_stack = assembly
    found = [f for c in CASES for f in by_stack[c.stack_id("good")]]
    assert found == [], f"false alarms: {_describe(found)}"


@pytest.mark.parametrize("case", REFUSED_CASES, ids=_id)
def test_deprecated_api_fails_synth(case: Case, tmp_path):
    # GIVEN a fresh process (jsii throws on the first deprecated call of a process only)
    script = (
        "import sys; sys.path.insert(0, sys.argv[1])\n"
        "import aws_cdk as cdk\n"
        "from bench.coverage.cases import CASES, apply_environment\n"
        "case = next(c for c in CASES if c.id == sys.argv[2])\n"
        "app = cdk.App(outdir=sys.argv[3])\n"
        "stack = cdk.Stack(app, case.stack_id('bad'))\n"
        "apply_environment(stack, ephemeral=case.ephemeral)\n"
        "case.build_bad(stack)\n"
        "app.synth()\n"
    )
    env = {**os.environ, "JSII_DEPRECATED": "fail"}

    # WHEN the bad stack is built as `cdk synth` builds it (JSII_DEPRECATED=fail, as app.py)
    proc = subprocess.run(
        [sys.executable, "-c", script, str(ROOT), case.id, str(tmp_path / "cdk.out")],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )

    # THEN synthesis fails and names the deprecated API
    assert proc.returncode != 0
    assert "is deprecated" in proc.stderr
    assert not (tmp_path / "cdk.out" / "manifest.json").exists()
