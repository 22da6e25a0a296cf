"""The validation-plugin door: the rule pack inside ``cdk synth`` (tap/rules/plugin.py).

Classes exercised: ``s3-bucket-name`` (an error), ``s3-lifecycle-filter`` (a warning),
``lambda-handler`` (needs the staged asset at validation time).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3

from tap.rules.plugin import INTERNAL_RULE_ID, TapRulesPlugin, register
from tap.rules.registry import all_rules

ACK = "tap-rules::TAP-S3-1"


def _synth(
    tmp_path: Path, build: Callable[[cdk.Stack], Any], *, rules: list[str] | None = None
) -> tuple[Path, str | None]:
    """Synthesize one stack with the plugin; (outdir, validation error text or None)."""
    outdir = tmp_path / "cdk.out"
    app = cdk.App(outdir=str(outdir))
    stack = cdk.Stack(app, "PluginStack")
    stack.template_options.metadata = {
        "TapEnvironment": {"name": "test", "suffix": "dev", "ephemeral": True}
    }
    build(stack)
    cdk.Validations.of(app).add_plugins(TapRulesPlugin(rules=rules))
    try:
        app.synth()
    except RuntimeError as exc:
        assert "ValidationFailed" in str(exc), exc
        return outdir, str(exc)
    return outdir, None


def _report(outdir: Path) -> dict[str, Any]:
    data = json.loads((outdir / "validation-report.json").read_text())
    return next(r for r in data["pluginReports"] if r["pluginName"] == "tap-rules")


def _named_bucket(stack: cdk.Stack, ack: bool = False) -> s3.Bucket:
    bucket = s3.Bucket(stack, "Logs", bucket_name="tap-logs-dev")
    if ack:
        cdk.Validations.of(bucket).acknowledge(
            cdk.Acknowledgment(id=ACK, reason="legacy bucket imported by name, see ADR-7")
        )
    return bucket


def test_plugin_metadata_is_visible_to_jsii() -> None:
    plugin = TapRulesPlugin()
    assert plugin.name == "tap-rules"
    assert plugin.rule_ids == [r.id for r in all_rules()]
    assert plugin.version


def test_unacknowledged_error_fails_synth(tmp_path: Path) -> None:
    outdir, error = _synth(tmp_path, _named_bucket, rules=["TAP-S3-1"])

    assert error is not None and "TAP-S3-1" in error
    report = _report(outdir)
    assert report["conclusion"] == "failure"
    (violation,) = report["violations"]
    assert violation["severity"] == "error"
    assert violation["ruleMetadata"]["class"] == "s3-bucket-name"
    assert "tap-logs-dev" in violation["description"]
    (construct,) = violation["violatingConstructs"]
    assert construct["constructPath"] == "PluginStack/Logs/Resource"
    assert construct["cloudFormationResource"]["propertyPaths"] == ["Properties/BucketName"]


def test_acknowledged_error_no_longer_fails_synth(tmp_path: Path) -> None:
    outdir, error = _synth(tmp_path, lambda s: _named_bucket(s, ack=True), rules=["TAP-S3-1"])

    assert error is None
    report = _report(outdir)
    assert report["conclusion"] == "success"
    assert report["violations"] == []
    (suppressed,) = report["suppressedViolations"]
    assert suppressed["ruleName"] == "TAP-S3-1"
    assert suppressed["reason"] == "legacy bucket imported by name, see ADR-7"


def _unfiltered_lifecycle(stack: cdk.Stack) -> None:
    s3.CfnBucket(
        stack,
        "Archive",
        lifecycle_configuration=s3.CfnBucket.LifecycleConfigurationProperty(
            rules=[s3.CfnBucket.RuleProperty(status="Enabled", expiration_in_days=30)]
        ),
    )


def test_warning_only_stack_passes_and_reports_the_warning(tmp_path: Path) -> None:
    outdir, error = _synth(tmp_path, _unfiltered_lifecycle, rules=["TAP-S3-3"])

    assert error is None
    report = _report(outdir)
    assert report["conclusion"] == "success"
    (violation,) = report["violations"]
    assert violation["ruleName"] == "TAP-S3-3"
    assert violation["severity"] == "warning"


def test_acknowledged_error_beside_a_warning_passes(tmp_path: Path) -> None:
    # With an acknowledgement present CDK recomputes success from the severities left:
    # the warning must not count as an error (DEVELOPERS.md pitfall).
    def build(stack: cdk.Stack) -> None:
        _named_bucket(stack, ack=True)
        _unfiltered_lifecycle(stack)

    outdir, error = _synth(tmp_path, build, rules=["TAP-S3-1", "TAP-S3-3"])

    assert error is None
    report = _report(outdir)
    assert [v["ruleName"] for v in report["violations"]] == ["TAP-S3-3"]
    assert [v["ruleName"] for v in report["suppressedViolations"]] == ["TAP-S3-1"]


def _function(stack: cdk.Stack, code_dir: Path) -> None:
    lambda_.Function(
        stack,
        "Fn",
        runtime=lambda_.Runtime.PYTHON_3_12,
        handler="app.handler",
        code=lambda_.Code.from_asset(str(code_dir)),
    )


@pytest.mark.parametrize(
    ("source", "fails"),
    [("def handler(e, c):\n    return 1\n", False), ("def other(e, c):\n    return 1\n", True)],
)
def test_staged_assets_are_read_during_synth(tmp_path: Path, source: str, fails: bool) -> None:
    code = tmp_path / "code"
    code.mkdir()
    (code / "app.py").write_text(source)

    outdir, error = _synth(tmp_path, lambda s: _function(s, code), rules=["TAP-LAMBDA-1"])

    assert (error is not None) is fails
    if fails:
        assert error is not None and "TAP-LAMBDA-1" in error
        assert _report(outdir)["violations"][0]["ruleMetadata"]["class"] == "lambda-handler"


def test_a_failing_rule_fails_synth_as_tap_internal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rule = next(r for r in all_rules() if r.id == "TAP-S3-1")

    def broken(self: object, ctx: object) -> list[object]:
        raise ValueError("boom in a rule")

    monkeypatch.setattr(rule, "check_stack", broken)
    outdir, error = _synth(tmp_path, _named_bucket, rules=["TAP-S3-1"])

    assert error is not None and INTERNAL_RULE_ID in error
    (violation,) = _report(outdir)["violations"]
    assert violation["ruleName"] == INTERNAL_RULE_ID
    assert "boom in a rule" in violation["description"]
    assert violation["violatingConstructs"][0]["constructPath"] == "PluginStack"


def test_register_adds_the_plugin_with_the_given_environment(tmp_path: Path) -> None:
    # GIVEN a stack with no TapEnvironment metadata and a bucket named without the suffix
    app = cdk.App(outdir=str(tmp_path / "cdk.out"))
    stack = cdk.Stack(app, "Bare")
    s3.Bucket(stack, "B", bucket_name=f"tap-archive-{cdk.Aws.ACCOUNT_ID}")
    # WHEN the plugin is registered with the suffix
    register(app, environment_suffix="dev", ephemeral=None)
    # THEN the environment-suffix rule runs and fails synth
    with pytest.raises(RuntimeError, match="TAP-GEN-3"):
        app.synth()


# -- nested stacks, empty stacks, broken metadata (issue 9) -----------------------------------


def test_a_nested_stack_is_checked_during_synth(tmp_path: Path) -> None:
    # GIVEN a named bucket in a real NestedStack, and an acknowledged one beside it
    def build(stack: cdk.Stack) -> None:
        inner = cdk.NestedStack(stack, "Inner")
        _named_bucket(inner, ack=True)
        s3.Bucket(inner, "Other", bucket_name="tap-other-dev")

    outdir, error = _synth(tmp_path, build, rules=["TAP-S3-1"])

    assert error is not None and "TAP-S3-1" in error
    (violation,) = _report(outdir)["violations"]
    paths = {c["constructPath"] for c in violation["violatingConstructs"]}
    assert paths == {"PluginStack/Inner/Other/Resource"}  # the acknowledged one is suppressed


def test_an_empty_stack_neither_fails_nor_hides_other_findings(tmp_path: Path) -> None:
    # GIVEN an app whose stacks are: empty, outputs only, and one with an error
    outdir = tmp_path / "cdk.out"
    app = cdk.App(outdir=str(outdir))
    cdk.Stack(app, "Empty")
    outputs = cdk.Stack(app, "OutputsOnly")
    cdk.CfnOutput(outputs, "Out", value="1")
    _named_bucket(cdk.Stack(app, "Named"))
    cdk.Validations.of(app).add_plugins(TapRulesPlugin(rules=["TAP-S3-1"]))
    # WHEN synthesized THEN only the real error fails synth: no TAP-INTERNAL
    with pytest.raises(RuntimeError, match="ValidationFailed") as exc:
        app.synth()
    assert INTERNAL_RULE_ID not in str(exc.value)
    assert [v["ruleName"] for v in _report(outdir)["violations"]] == ["TAP-S3-1"]


def test_metadata_that_is_not_an_object_is_reported_not_raised(tmp_path: Path) -> None:
    # GIVEN a resource whose Metadata an escape hatch made a string
    def build(stack: cdk.Stack) -> None:
        bucket = s3.Bucket(stack, "Odd")
        bucket.node.default_child.add_override("Metadata", "not an object")  # type: ignore[union-attr]

    outdir, error = _synth(tmp_path, build, rules=["TAP-CFN-2", "TAP-S3-1"])

    # THEN the plugin reports a cfn-schema finding (CDK did not see the plugin fail)
    assert error is not None and "Validation plugin 'tap-rules' failed" not in error
    (violation,) = _report(outdir)["violations"]
    assert violation["ruleName"] == "TAP-CFN-2"
    assert "Metadata that is a string" in violation["description"]


def test_an_unreadable_stack_is_internal_on_that_stack_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN two stacks, one nested deeper than the loader reads, one with a finding
    from tap.rules import model

    monkeypatch.setattr(model, "MAX_DEPTH", 12)  # CDK's own bootstrap rule is 10 deep
    outdir = tmp_path / "cdk.out"
    app = cdk.App(outdir=str(outdir))
    deep = cdk.Stack(app, "Deep")
    nesting: object = "x"
    for _ in range(20):
        nesting = [nesting]
    s3.CfnBucket(deep, "B").add_override("Metadata.Nesting", nesting)
    _named_bucket(cdk.Stack(app, "Named"))
    cdk.Validations.of(app).add_plugins(TapRulesPlugin(rules=["TAP-S3-1"]))
    # WHEN synthesized
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        app.synth()
    # THEN Deep is reported as not checked, and Named's finding is still there
    by_rule = {v["ruleName"]: v for v in _report(outdir)["violations"]}
    assert set(by_rule) == {"TAP-S3-1", INTERNAL_RULE_ID}
    internal = by_rule[INTERNAL_RULE_ID]
    assert [c["constructPath"] for c in internal["violatingConstructs"]] == ["Deep"]
    assert "nested more than 12 levels" in internal["description"]
