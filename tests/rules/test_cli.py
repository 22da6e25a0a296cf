"""The command-line door, end to end (``python -m tap.rules check``; RULES-SPEC's contract).

Classes exercised: ``s3-bucket-name`` (error), ``s3-lifecycle-filter`` (warning),
``removal-policy`` (needs --ephemeral/--persistent).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_s3 as s3

from tap.rules.cli import main

ROOT = Path(__file__).resolve().parents[2]
REQUIRED = {
    "rule_id",
    "class",
    "severity",
    "stack",
    "logical_id",
    "construct_path",
    "property_path",
    "message",
    "fix",
    "acknowledged",
}
REASON = "name fixed by the partner integration, see ADR-3"


def _assembly(outdir: Path, stack_id: str, *, unacknowledged: bool) -> Path:
    app = cdk.App(outdir=str(outdir))
    stack = cdk.Stack(app, stack_id)
    stack.template_options.metadata = {
        "TapEnvironment": {"name": "test", "suffix": "dev", "ephemeral": True}
    }
    acked = s3.Bucket(stack, "Acked", bucket_name="tap-acked-dev")
    cdk.Validations.of(acked).acknowledge(
        cdk.Acknowledgment(id="tap-rules::TAP-S3-1", reason=REASON)
    )
    s3.CfnBucket(
        stack,
        "Archive",
        lifecycle_configuration=s3.CfnBucket.LifecycleConfigurationProperty(
            rules=[s3.CfnBucket.RuleProperty(status="Enabled", expiration_in_days=30)]
        ),
    )
    if unacknowledged:
        s3.Bucket(stack, "Named", bucket_name="tap-named-dev")
    app.synth()
    return outdir


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An assembly whose only error is acknowledged (plus a warning)."""
    return _assembly(tmp_path_factory.mktemp("clean") / "cdk.out", "Clean", unacknowledged=False)


@pytest.fixture(scope="module")
def dirty(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same, plus one unacknowledged error (bucket ``Named``)."""
    return _assembly(tmp_path_factory.mktemp("dirty") / "cdk.out", "Dirty", unacknowledged=True)


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "tap.rules", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        check=False,
    )


def _json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    code = main(["check", *args, "--format", "json"])
    return code, json.loads(capsys.readouterr().out)


# -- exit status -----------------------------------------------------------------------------


def test_unacknowledged_error_exits_1_with_a_text_report(dirty: Path) -> None:
    result = _run("check", str(dirty), "--rules", "TAP-S3-1,s3-lifecycle-filter")

    assert result.returncode == 1, result.stderr
    assert "ERROR TAP-S3-1 (s3-bucket-name) Named" in result.stdout
    assert "WARNING TAP-S3-3" in result.stdout
    assert "TAP-S3-1 Acked" in result.stdout and REASON in result.stdout
    assert "FAILED: 1 error(s), 1 warning(s), 1 acknowledged" in result.stdout


def test_acknowledged_errors_and_warnings_exit_0(clean: Path) -> None:
    result = _run("check", str(clean), "--rules", "TAP-S3-1,TAP-S3-3")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "passed: 0 error(s), 1 warning(s), 1 acknowledged" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["check", "no/such/cdk.out"], "no/such/cdk.out: no such file or directory"),
        (["check", "{malformed}"], "not valid JSON"),
        (["check", "{not-a-template}"], "not a CloudFormation template"),
        (["check", "{clean}", "--format", "xml"], "invalid choice: 'xml'"),
        (["check", "{clean}", "--rules", "TAP-NOPE-9"], "unknown rule id or class: TAP-NOPE-9"),
        (["check", "{clean}", "--ephemeral", "--persistent"], "not allowed with"),
    ],
)
def test_bad_input_exits_2_with_one_line_and_no_traceback(
    tmp_path: Path, clean: Path, args: list[str], message: str
) -> None:
    malformed = tmp_path / "malformed.json"
    malformed.write_text('{"Resources": {')
    not_template = tmp_path / "not-a-template.json"
    not_template.write_text('{"AWSTemplateFormatVersion": "2010-09-09"}')
    paths = {"malformed": str(malformed), "not-a-template": str(not_template), "clean": str(clean)}
    args = [a.format(**paths) if a.startswith("{") else a for a in args]

    result = _run(*args)

    assert result.returncode == 2
    assert result.stdout == ""
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


# -- JSON contract ---------------------------------------------------------------------------


def test_json_findings_carry_the_contract_fields(
    dirty: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, data = _json(capsys, str(dirty), "--rules", "s3-bucket-name")

    assert code == 1
    assert set(data) == {"findings", "summary"}
    by_id = {f["logical_id"][:5]: f for f in data["findings"] if f["rule_id"] == "TAP-S3-1"}
    named, acked = by_id["Named"], by_id["Acked"]
    for finding in (named, acked):
        assert REQUIRED <= set(finding)
        assert finding["class"] == "s3-bucket-name"
        assert finding["severity"] == "error"
        assert finding["stack"] == "Dirty"
        assert finding["property_path"] == "Properties/BucketName"
    assert named["construct_path"] == "Dirty/Named/Resource"
    assert named["acknowledged"] is False and "reason" not in named
    assert "tap-named-dev" in named["message"]
    assert acked["acknowledged"] is True and acked["reason"] == REASON
    assert data["summary"]["errors"] == 1 and data["summary"]["acknowledged"] == 1


def test_template_file_input_names_the_stack_by_artifact_id(
    dirty: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, data = _json(capsys, str(dirty / "Dirty.template.json"), "--rules", "TAP-S3-1")

    # a bare template carries no acknowledgements: both buckets are errors
    assert code == 1
    assert {f["stack"] for f in data["findings"]} == {"Dirty"}
    assert [f["acknowledged"] for f in data["findings"]] == [False, False]


def test_output_writes_the_report_to_a_file(
    clean: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "report.json"

    code = main(
        [
            "check",
            str(clean),
            "--rules",
            "TAP-S3-1,TAP-S3-3",
            "--format",
            "json",
            "--output",
            str(out),
        ]
    )

    assert code == 0
    assert capsys.readouterr().out == ""
    assert json.loads(out.read_text())["summary"]["acknowledged"] >= 1


# -- environment flags -----------------------------------------------------------------------


def test_environment_rules_are_skipped_until_the_environment_is_given(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    template = tmp_path / "retained.json"
    template.write_text(
        json.dumps({"Resources": {"Data": {"Type": "AWS::S3::Bucket", "DeletionPolicy": "Retain"}}})
    )

    code, data = _json(capsys, str(template), "--rules", "TAP-GEN-10")
    assert code == 0
    assert [s["rule_id"] for s in data["summary"]["skipped"]] == ["TAP-GEN-10"]

    code, data = _json(capsys, str(template), "--rules", "TAP-GEN-10", "--ephemeral")
    assert code == 1
    assert [f["logical_id"] for f in data["findings"]] == ["Data"]

    code, data = _json(capsys, str(template), "--rules", "TAP-GEN-10", "--persistent")
    assert code == 0 and data["findings"] == [] and data["summary"]["skipped"] == []


def test_baseline_marks_findings_existing(
    dirty: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = tmp_path / "base.json"
    assert main(["check", str(dirty), "--format", "json", "--output", str(base)]) == 1

    code, data = _json(capsys, str(dirty), "--baseline", str(base))

    assert code == 1
    assert data["findings"] and {f["baseline"] for f in data["findings"]} == {"existing"}


def test_list_prints_every_rule(capsys: pytest.CaptureFixture[str]) -> None:
    from tap.rules.registry import all_rules

    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert [line.split()[0] for line in out.splitlines()] == [r.id for r in all_rules()]


# -- what real apps give: nested stacks, empty stacks, template folders (issue 9) -------------


@pytest.fixture(scope="module")
def nested(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An app with a nested stack holding the only error, and two stacks without resources."""
    outdir = tmp_path_factory.mktemp("nested") / "cdk.out"
    app = cdk.App(outdir=str(outdir))
    parent = cdk.Stack(app, "Parent")
    inner = cdk.NestedStack(parent, "Inner")
    s3.Bucket(inner, "Named", bucket_name="tap-named-dev")
    cdk.Stack(app, "Empty")
    outputs = cdk.Stack(app, "OutputsOnly")
    cdk.CfnOutput(outputs, "Out", value="1")
    app.synth()
    return outdir


def test_a_finding_in_a_nested_stack_fails_and_names_it(
    nested: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, data = _json(capsys, str(nested), "--rules", "TAP-S3-1", "--tools", "tap-rules")

    assert code == 1
    (finding,) = data["findings"]
    assert finding["stack"] == "Parent/Inner"
    assert finding["construct_path"] == "Parent/Inner/Named/Resource"
    assert data["summary"]["stacks"] == 4


def test_stacks_without_resources_are_checked_and_pass(
    nested: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("Empty", "OutputsOnly"):  # alone, CloudFormation would refuse the file
        assert main(["check", str(nested / f"{name}.template.json")]) == 2
        assert "no 'Resources' object" in capsys.readouterr().err
    # (--tools: CDK's own validation warns on those stacks in validation-report.json)
    code, data = _json(
        capsys, str(nested), "--rules", "cfn-schema,TAP-GEN-1", "--tools", "tap-rules"
    )

    assert code == 0
    assert data["summary"]["stacks"] == 4 and data["findings"] == []


def test_a_folder_of_templates_exits_1_on_a_yaml_finding_and_2_on_an_empty_file(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "bucket.yaml").write_text(
        "Resources:\n  Logs:\n    Type: AWS::S3::Bucket\n    Properties:\n"
        "      BucketName: !Join ['-', [logs, !Ref 'AWS::Region']]\n"
    )
    (folder / "queue.json").write_text('{"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}}')

    found = _run("check", str(folder), "--rules", "TAP-S3-1")
    (folder / "x.template.json").write_text("")
    refused = _run("check", str(folder), "--rules", "TAP-S3-1")

    assert found.returncode == 1 and "TAP-S3-1 (s3-bucket-name) Logs" in found.stdout
    assert refused.returncode == 2 and refused.stdout == ""
    assert "x.template.json: empty, not a template" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
