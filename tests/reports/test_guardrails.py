"""Every guardrail in one report (issue 11), on a real app synthesized by the CDK CLI.

GIVEN an app whose ``dev`` environment draws an error from each guardrail that runs inside
``cdk synth`` -- cdk-nag (AwsSolutions-S10: a bucket without ``enforce_ssl``), CDK's built-in
CloudFormation validation (F3002: an override of a property that does not exist) and ours
(class ``dynamodb-pitr``: a table without point-in-time recovery) -- and whose ``bad``
environment raises in the app before synthesis, WHEN ``python -m tap.reports`` (what ``make
report`` runs) or the CLI checks them, THEN every format names all three tools and the failed
synth, and the exit status is not 0.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest

from tap.reports import render
from tap.reports import run as report_run
from tap.reports.guardrails import combine
from tap.reports.markdown import MARKER
from tap.rules.cli import main as cli_main

REPO_ROOT = Path(__file__).resolve().parents[2]

APP = """\
import aws_cdk as cdk
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_s3 as s3
from cdk_nag import AwsSolutionsChecks

from tap.rules.plugin import register

app = cdk.App()
env = app.node.try_get_context("env")
if env == "bad":
    raise ValueError("the partner bucket name is missing")
stack = cdk.Stack(app, "Guarded")
bucket = s3.Bucket(stack, "Uploads", removal_policy=cdk.RemovalPolicy.DESTROY)
bucket.node.default_child.add_property_override("NotAProperty", "x")
cdk.Validations.of(bucket).acknowledge(
    cdk.Acknowledgment(id="AwsSolutions::AwsSolutions-S1", reason="access logs are bucket X")
)
key = dynamodb.Attribute(name="pk", type=dynamodb.AttributeType.STRING)
dynamodb.Table(stack, "Readings", partition_key=key, removal_policy=cdk.RemovalPolicy.DESTROY)
register(app, environment_suffix="dev", ephemeral=True)
cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
app.synth()
"""

TOOLS = {"tap-rules": "TAP-DDB-1", "cdk-nag": "AwsSolutions-S10", "cdk-validation": "F3002"}
NAMES = {"tap-rules": "tap-rules", "cdk-nag": "cdk-nag", "cdk-validation": "CDK validation"}


def _project(root: Path) -> Path:
    project = root / "app"
    project.mkdir()
    for name in ("tap", ".venv", "node_modules"):
        (project / name).symlink_to(REPO_ROOT / name)
    context = json.loads((REPO_ROOT / "cdk.json").read_text())["context"]
    context["tap:environments"] = {"dev": {}, "bad": {}}
    cdk_json = {"app": ".venv/bin/python app.py", "context": context}
    (project / "cdk.json").write_text(json.dumps(cdk_json), encoding="utf-8")
    (project / "app.py").write_text(APP, encoding="utf-8")
    return project


@pytest.fixture(scope="module")
def reported(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """``python -m tap.reports --env dev --env bad`` run once in the project."""
    project = _project(tmp_path_factory.mktemp("guardrails"))
    cwd = Path.cwd()
    os.chdir(project)
    try:
        code = report_run.main(["--env", "dev", "--env", "bad", "--dir", "out"])
    finally:
        os.chdir(cwd)
    out = project / "out"
    return {
        "code": code,
        "project": project,
        "out": out,
        "markdown": (out / "tap-report.md").read_text(encoding="utf-8"),
        "sarif": json.loads((out / "tap-report.sarif").read_text(encoding="utf-8")),
        "json": json.loads((out / "tap-report.json").read_text(encoding="utf-8")),
    }


def test_three_tools_in_json_with_tool_rule_severity_and_construct(reported):
    findings = reported["json"]["findings"]
    for tool, rule in TOOLS.items():
        hits = [f for f in findings if f["tool"] == tool and f["rule_id"] == rule]
        assert hits, f"{tool} {rule} missing from the JSON report"
        assert all(f["severity"] == "error" and not f["acknowledged"] for f in hits)
    nag = next(f for f in findings if f["rule_id"] == "AwsSolutions-S10")
    assert nag["construct_path"] == "Guarded/Uploads/Resource"
    assert nag["stack"] == "Guarded" and nag["logical_id"].startswith("Uploads")
    cfn = next(f for f in findings if f["rule_id"] == "F3002")
    assert cfn["property_path"] == "Properties/NotAProperty"
    # the tap-rules plugin's own entries of validation-report.json are not counted twice
    ours = [f for f in findings if f["rule_id"] == "TAP-DDB-1"]
    assert len(ours) == 1
    tools = reported["json"]["summary"]["tools"]
    assert {t: tools[t]["errors"] >= 1 for t in TOOLS} == dict.fromkeys(TOOLS, True)
    assert reported["json"]["summary"]["status"] == "failed"


def test_acknowledged_cdk_nag_finding_keeps_its_reason(reported):
    acked = [f for f in reported["json"]["findings"] if f["rule_id"] == "AwsSolutions-S1"]
    assert [(f["acknowledged"], f["reason"]) for f in acked] == [(True, "access logs are bucket X")]
    assert reported["json"]["summary"]["tools"]["cdk-nag"]["acknowledged"] == 1


def test_three_tools_in_markdown(reported):
    text = reported["markdown"]
    for tool, rule in TOOLS.items():
        assert re.search(rf"\*\*🔴 {re.escape(NAMES[tool])} · \S*{re.escape(rule)}\b", text), tool
        assert re.search(rf"^\| {re.escape(NAMES[tool])} \| [1-9]", text, re.M), tool


def test_three_tools_are_three_sarif_runs(reported, sarif_validator):
    log = reported["sarif"]
    sarif_validator.validate(log)
    drivers = [run["tool"]["driver"]["name"] for run in log["runs"]]
    assert drivers == ["tap-rules", "cdk-nag", "CDK validation"]
    # code scanning rejects an upload whose runs share a tool name and category
    assert len(set(drivers)) == len(drivers)
    for run, (_tool, rule) in zip(log["runs"], TOOLS.items(), strict=True):
        assert rule in [r["ruleId"] for r in run["results"] if r["level"] == "error"]
        assert rule in [r["id"] for r in run["tool"]["driver"]["rules"]]


def test_failed_synth_leads_the_markdown_in_red(reported):
    lines = reported["markdown"].splitlines()
    assert lines[0] == MARKER
    assert lines[1].startswith("### ❌") and "synth of dev, bad failed" in lines[1]
    text = reported["markdown"]
    bad = text[text.index("**🔴 Synthesis of `bad` failed") :]
    assert "ValueError: the partner bucket name is missing" in bad.split("```")[1]
    # whatever findings exist are still shown
    assert "#### Findings" in text


def test_failed_synth_in_sarif_and_json(reported):
    for run in reported["sarif"]["runs"]:
        invocation = run["invocations"][0]
        assert invocation["executionSuccessful"] is False
        errors = [n for n in invocation["toolExecutionNotifications"] if n["level"] == "error"]
        assert any(
            "ValueError: the partner bucket name is missing" in n["message"]["text"] for n in errors
        )
    failures = {s["target"]: s for s in reported["json"]["summary"]["synth_failures"]}
    assert failures["bad"]["error"][0] == "ValueError: the partner bucket name is missing"
    # dev failed validation: its cause is the findings of this very report
    assert failures["dev"]["error"][0].startswith("validation failed")


def test_make_report_exits_non_zero(reported):
    assert reported["code"] == 1


def test_check_exits_1_on_other_tools_errors_and_tools_keeps_ours(reported, capsys):
    assembly = str(reported["out"] / "dev")
    assert cli_main(["check", assembly, "--format", "json", "--tools", "cdk-nag"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert {f["tool"] for f in data["findings"]} == {"cdk-nag"}
    assert cli_main(["check", assembly, "--format", "json", "--tools", "tap-rules"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert {f["tool"] for f in data["findings"]} == {"tap-rules"}
    assert list(data["summary"]["tools"]) == ["tap-rules"]
    assert cli_main(["check", assembly, "--tools", "checkov"]) == 2
    assert "unknown tool 'checkov'" in capsys.readouterr().err


def test_text_summary_line_counts_per_tool(reported, capsys):
    assert cli_main(["check", str(reported["out"] / "dev")]) == 1
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert last.startswith("guardrails FAILED:")
    for name in NAMES.values():
        assert re.search(rf"{re.escape(name)} [1-9]\d*/\d+/\d+", last), name


def test_error_excerpt_names_the_exception_first():
    log = (
        "Traceback (most recent call last):\n"
        '  File "/p/app.py", line 9, in <module>\n'
        '    raise ValueError("no")\n'
        "ValueError: no\n"
        ".venv/bin/python app.py: Subprocess exited with error 1\n"
    )
    assert report_run.error_excerpt(log) == (
        "ValueError: no",
        'File "/p/app.py", line 9, in <module>',
        ".venv/bin/python app.py: Subprocess exited with error 1",
    )
    assert report_run.error_excerpt("!! banner\n\ntap: unknown environment ''\n") == (
        "tap: unknown environment ''",
    )


def test_expected_tools_keep_their_sarif_run_when_clean(tmp_path, make_report, sarif_validator):
    # GIVEN a clean app: CDK's validation report lists no plugin at all
    report = combine(make_report(), [tmp_path], expected=["cdk-nag", "cdk-validation"])
    log = json.loads(render(report, "sarif", root=tmp_path))
    sarif_validator.validate(log)
    # THEN each tool still has its (empty) run: code scanning closes its fixed alerts
    assert [r["tool"]["driver"]["name"] for r in log["runs"]] == [
        "tap-rules",
        "cdk-nag",
        "CDK validation",
    ]
    assert all(
        r["results"] == [] and r["invocations"][0]["executionSuccessful"] for r in log["runs"]
    )
    assert json.loads(render(report, "json"))["summary"]["status"] == "passed"
    assert render(report, "markdown").splitlines()[1] == (
        "### ✅ guardrails: no unacknowledged findings"
    )


def _assembly_with_report(root: Path, *, stale: bool) -> Path:
    root.mkdir()
    (root / "manifest.json").write_text(json.dumps({"version": "1", "artifacts": {}}))
    violation = {
        "ruleName": "AwsSolutions-SQS3",
        "description": "The SQS queue has no dead-letter queue.",
        "severity": "error",
        "violatingConstructs": [{"constructPath": "S/Queue/Resource"}],
    }
    report = {"pluginReports": [{"pluginName": "AwsSolutions", "violations": [violation]}]}
    (root / "validation-report.json").write_text(json.dumps(report))
    if stale:  # written by an earlier synth than the assembly's
        manifest_time = (root / "manifest.json").stat().st_mtime
        os.utime(root / "validation-report.json", (manifest_time - 60, manifest_time - 60))
    return root


def test_validation_report_of_an_earlier_synth_is_not_read(tmp_path, make_report):
    fresh = combine(make_report(), [_assembly_with_report(tmp_path / "a", stale=False)])
    assert [(f.rule_id, f.stack, f.construct_path) for f in fresh.findings] == [
        ("AwsSolutions-SQS3", "S", "S/Queue/Resource")
    ]
    stale = combine(make_report(), [_assembly_with_report(tmp_path / "b", stale=True)])
    assert stale.findings == []
    assert "older than the assembly" in stale.notices[0].message
    assert "older than the assembly" in render(stale, "markdown")
