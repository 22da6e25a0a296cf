"""SARIF and Markdown point at the Python line that created the construct (class
``dynamodb-pitr``, rule TAP-DDB-1, as the deliberately broken stack).

The broken app is defined in this file and synthesized in a subprocess with
``CDK_DEBUG=true JSII_HOST_STACK_TRACES=1`` (the jsii host records Python frames only when
the variable is set before the jsii runtime starts): the creation traces then name this
file's lines. The target branch has one table without point-in-time recovery (``Old``);
the change adds a second (``New``): exactly one new finding.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
THIS = Path(__file__).resolve()


def broken_app(outdir: str, *, with_new_table: bool) -> None:
    """A stack with DynamoDB tables lacking point-in-time recovery (one more on the head)."""
    import aws_cdk as cdk
    from aws_cdk import aws_dynamodb as dynamodb

    app = cdk.App(outdir=outdir)
    stack = cdk.Stack(app, "Broken")
    key = dynamodb.Attribute(name="pk", type=dynamodb.AttributeType.STRING)
    dynamodb.Table(stack, "Old", partition_key=key, removal_policy=cdk.RemovalPolicy.DESTROY)
    if with_new_table:
        dynamodb.Table(stack, "New", partition_key=key, removal_policy=cdk.RemovalPolicy.DESTROY)
    app.synth()


def _line_of(fragment: str) -> int:
    lines = THIS.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if fragment in line and "def " not in line)


@pytest.fixture(scope="module")
def assemblies(tmp_path_factory) -> tuple[Path, Path]:
    out = tmp_path_factory.mktemp("broken")
    env = {**os.environ, "CDK_DEBUG": "true", "JSII_HOST_STACK_TRACES": "1"}
    proc = subprocess.run(
        [sys.executable, str(THIS), str(out)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return out / "base", out / "head"


@pytest.fixture(scope="module")
def reports(assemblies, tmp_path_factory):
    from tap.reports import render
    from tap.reports.baseline import apply_baseline
    from tap.rules.engine import Options, evaluate_paths

    base, head = assemblies
    options = Options(rules=("TAP-DDB-1",))
    tmp = tmp_path_factory.mktemp("reports")
    baseline = tmp / "base.json"
    base_report = evaluate_paths([base], options)
    baseline.write_text(
        json.dumps({"findings": [f.to_dict() for f in base_report.findings]}), encoding="utf-8"
    )
    report = apply_baseline(evaluate_paths([head], options), baseline)
    return {
        "baseline": base_report,
        "report": report,
        "markdown": render(report, "markdown", root=REPO_ROOT, link_base=""),
        "sarif": json.loads(render(report, "sarif", root=REPO_ROOT, link_base="")),
    }


def test_baseline_has_one_old_finding(reports):
    assert [f.construct_path for f in reports["baseline"].findings] == ["Broken/Old/Resource"]


def test_exactly_one_new_finding_at_the_top_of_the_markdown(reports):
    text = reports["markdown"]
    states = {f.construct_path: f.extra["baseline"] for f in reports["report"].findings}
    assert states == {"Broken/Old/Resource": "existing", "Broken/New/Resource": "new"}
    assert "(1 new)" in text.splitlines()[1]
    first = text.index("#### ")
    assert text[first:].startswith("#### 🆕 New in this change (1)")
    new_section = text[first : text.index("<details>", first)]
    assert "`Broken/New/Resource`" in new_section
    assert "Broken/Old/Resource" not in new_section
    # the source column names this file's line
    rel = THIS.relative_to(REPO_ROOT).as_posix()
    line = _line_of('dynamodb.Table(stack, "New"')
    assert f"{rel}:{line}" in new_section


def test_sarif_points_at_this_file_and_line(reports, sarif_validator):
    log = reports["sarif"]
    sarif_validator.validate(log)
    results = {
        r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]: r
        for r in log["runs"][0]["results"]
    }
    new = results["Broken/New/Resource"]
    physical = new["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"] == {
        "uri": THIS.relative_to(REPO_ROOT).as_posix(),
        "uriBaseId": "%SRCROOT%",
    }
    assert physical["region"]["startLine"] == _line_of('dynamodb.Table(stack, "New"')
    assert new["baselineState"] == "new"
    old = results["Broken/Old/Resource"]
    assert old["locations"][0]["physicalLocation"]["region"]["startLine"] == _line_of(
        'dynamodb.Table(stack, "Old"'
    )
    assert old["baselineState"] == "unchanged"
    # the template's line and column stay as the related location
    related = new["relatedLocations"][0]["physicalLocation"]
    assert related["artifactLocation"]["uri"].endswith("/head/Broken.template.json")
    assert related["region"]["startColumn"] > 1


def test_without_traces_the_template_location_is_used(reports):
    from dataclasses import replace

    from tap.reports import render

    traced = reports["report"]
    report = replace(traced, findings=[f.with_(source=None) for f in traced.findings])
    log = json.loads(render(report, "sarif", root=REPO_ROOT, link_base=""))
    physical = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"]["uri"].endswith("Broken.template.json")
    assert physical["region"]["startLine"] > 1 and physical["region"]["startColumn"] > 1


if __name__ == "__main__":  # the subprocess: synthesize the target branch's and the change's app
    broken_app(str(Path(sys.argv[1]) / "base"), with_new_table=False)
    broken_app(str(Path(sys.argv[1]) / "head"), with_new_table=True)
