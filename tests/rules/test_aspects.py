"""Guardrail Aspects (tap/rules/aspects.py): ``removal-policy`` and ``log-retention`` enforced
on the construct tree, and the plugin catching what an escape hatch hides from them."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_kinesis as kinesis
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk.assertions import Match, Template

from tap.rules.aspects import (
    AUTO_DELETE_MISSING,
    AUTO_DELETE_PERSISTENT,
    FUNCTION_LOG_GROUP,
    LogRetentionGuardrail,
    apply_guardrail_aspects,
)
from tap.rules.plugin import TapRulesPlugin

# As in cdk.json: error annotations (the Aspects' errors) are part of the validation report.
CONTEXT = {"@aws-cdk/core:annotationsInValidationReport": True}


def _synth(
    tmp_path: Path,
    build: Callable[[cdk.Stack], Any],
    *,
    ephemeral: bool,
    days: int = 7,
    plugin: TapRulesPlugin | None = None,
) -> tuple[Template | None, str | None]:
    """Synthesize one stack with the Aspects: (template, None) or (None, failure text)."""
    outdir = tmp_path / "cdk.out"
    app = cdk.App(outdir=str(outdir), context=CONTEXT)
    stack = cdk.Stack(app, "GuardedStack")
    build(stack)
    apply_guardrail_aspects(app, ephemeral=ephemeral, log_retention_days=days)
    if plugin is not None:
        cdk.Validations.of(app).add_plugins(plugin)
    try:
        app.synth()
    except RuntimeError as exc:
        assert "ValidationFailed" in str(exc), exc
        return None, str(exc)
    data = json.loads((outdir / "GuardedStack.template.json").read_text())
    return Template.from_json(data), None


def _emptied_bucket(stack: cdk.Stack) -> s3.Bucket:
    return s3.Bucket(
        stack, "Data", removal_policy=cdk.RemovalPolicy.DESTROY, auto_delete_objects=True
    )


def _function(stack: cdk.Stack, name: str, **kwargs: Any) -> lambda_.Function:
    return lambda_.Function(
        stack,
        name,
        runtime=lambda_.Runtime.PYTHON_3_12,
        handler="index.handler",
        code=lambda_.Code.from_inline("def handler(event, context):\n    return None\n"),
        **kwargs,
    )


# -- removal-policy ------------------------------------------------------------------------


def test_ephemeral_stateful_resources_are_destroyed(tmp_path: Path) -> None:
    def build(stack: cdk.Stack) -> None:
        _emptied_bucket(stack)
        dynamodb.TableV2(  # L2 default: RETAIN
            stack,
            "Table",
            partition_key=dynamodb.Attribute(name="pk", type=dynamodb.AttributeType.STRING),
        )
        kinesis.Stream(stack, "Stream", removal_policy=cdk.RemovalPolicy.RETAIN)
        logs.CfnLogGroup(stack, "RawLogs").apply_removal_policy(cdk.RemovalPolicy.RETAIN)

    template, error = _synth(tmp_path, build, ephemeral=True)

    assert error is None and template is not None
    for kind in (
        "AWS::S3::Bucket",
        "AWS::DynamoDB::GlobalTable",
        "AWS::Kinesis::Stream",
        "AWS::Logs::LogGroup",
    ):
        template.has_resource(kind, {"DeletionPolicy": "Delete", "UpdateReplacePolicy": "Delete"})


def test_ephemeral_bucket_without_auto_delete_fails_synth(tmp_path: Path) -> None:
    def build(stack: cdk.Stack) -> None:
        s3.Bucket(stack, "Kept")  # L2 default: RETAIN, never emptied

    _, error = _synth(tmp_path, build, ephemeral=True)

    assert error is not None
    assert AUTO_DELETE_MISSING in error
    assert "GuardedStack/Kept" in error and "auto_delete_objects=True" in error


def test_persistent_data_stores_are_retained(tmp_path: Path) -> None:
    def build(stack: cdk.Stack) -> None:
        s3.Bucket(stack, "Data", removal_policy=cdk.RemovalPolicy.DESTROY)
        dynamodb.Table(
            stack,
            "Table",
            partition_key=dynamodb.Attribute(name="pk", type=dynamodb.AttributeType.STRING),
            removal_policy=cdk.RemovalPolicy.DESTROY,
        )
        kinesis.Stream(stack, "Stream", removal_policy=cdk.RemovalPolicy.DESTROY)

    template, error = _synth(tmp_path, build, ephemeral=False)

    assert error is None and template is not None
    retained = {"DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain"}
    template.has_resource("AWS::S3::Bucket", retained)
    template.has_resource("AWS::DynamoDB::Table", retained)
    # a stream is a buffer with bounded retention, not a data store: left as written
    template.has_resource("AWS::Kinesis::Stream", {"DeletionPolicy": "Delete"})


def test_persistent_bucket_with_auto_delete_fails_synth(tmp_path: Path) -> None:
    _, error = _synth(tmp_path, _emptied_bucket, ephemeral=False)

    assert error is not None
    assert AUTO_DELETE_PERSISTENT in error and "GuardedStack/Data" in error


def test_persistent_keeps_a_stronger_choice_made_by_the_construct(tmp_path: Path) -> None:
    def build(stack: cdk.Stack) -> None:
        dynamodb.Table(
            stack,
            "Table",
            partition_key=dynamodb.Attribute(name="pk", type=dynamodb.AttributeType.STRING),
            removal_policy=cdk.RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
        )

    template, error = _synth(tmp_path, build, ephemeral=False)

    assert error is None and template is not None
    template.has_resource("AWS::DynamoDB::Table", {"DeletionPolicy": "RetainExceptOnCreate"})


def test_plugin_catches_the_override_the_aspect_cannot_see(tmp_path: Path) -> None:
    # GIVEN a bucket the Aspect makes destroyable, then an escape hatch retains it
    def build(stack: cdk.Stack) -> None:
        bucket = _emptied_bucket(stack)
        cfn = bucket.node.default_child
        assert isinstance(cfn, s3.CfnBucket)
        cfn.add_override("DeletionPolicy", "Retain")

    # WHEN only the Aspects guard the stack, the override reaches the template
    template, error = _synth(tmp_path / "a", build, ephemeral=True)
    assert error is None and template is not None
    template.has_resource("AWS::S3::Bucket", {"DeletionPolicy": "Retain"})

    # THEN the plugin, reading the final template, fails synth on it
    plugin = TapRulesPlugin(rules=["removal-policy"], ephemeral=True)
    _, error = _synth(tmp_path / "b", build, ephemeral=True, plugin=plugin)
    assert error is not None and "TAP-GEN-10" in error


# -- log-retention -------------------------------------------------------------------------


def test_log_groups_without_retention_get_the_default(tmp_path: Path) -> None:
    def build(stack: cdk.Stack) -> None:
        logs.CfnLogGroup(stack, "Raw")
        logs.CfnLogGroup(stack, "Kept", retention_in_days=365)
        logs.LogGroup(stack, "Forever", retention=logs.RetentionDays.INFINITE)

    template, error = _synth(tmp_path, build, ephemeral=True, days=14)

    assert error is None and template is not None
    groups = template.find_resources("AWS::Logs::LogGroup")
    by_id = {lid.rstrip("0123456789ABCDEF"): r for lid, r in groups.items()}
    assert by_id["Raw"]["Properties"]["RetentionInDays"] == 14
    assert by_id["Kept"]["Properties"]["RetentionInDays"] == 365
    assert by_id["Forever"]["Properties"]["RetentionInDays"] == 14


def test_function_without_log_group_fails_synth(tmp_path: Path) -> None:
    _, error = _synth(tmp_path, lambda s: _function(s, "Implicit"), ephemeral=True)

    assert error is not None
    assert FUNCTION_LOG_GROUP in error and "GuardedStack/Implicit" in error


def test_functions_with_their_own_log_group_pass(tmp_path: Path) -> None:
    def build(stack: cdk.Stack) -> None:
        _function(stack, "Explicit", log_group=logs.LogGroup(stack, "ExplicitLogs"))
        named = _function(stack, "Named")
        logs.CfnLogGroup(stack, "NamedLogs", log_group_name=f"/aws/lambda/{named.function_name}")

    template, error = _synth(tmp_path, build, ephemeral=True)

    assert error is None and template is not None
    template.has_resource_properties(
        "AWS::Lambda::Function", {"LoggingConfig": {"LogGroup": Match.any_value()}}
    )


def test_invalid_retention_is_rejected_with_the_allowed_values() -> None:
    with pytest.raises(ValueError, match="log_retention_days=10 is not a CloudWatch Logs"):
        LogRetentionGuardrail(retention_days=10)
