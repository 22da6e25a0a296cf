"""Class ``log-retention``: Lambda functions log to a log group the stack manages, not to the
implicit never-expiring one (TAP-LOGS-2, seed 003)."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_notifications as s3n

from tests.rules.conftest import of_class

SLUG = "log-retention"
CODE = lambda_.Code.from_inline("def handler(event, context):\n    return None\n")


def _function(stack, construct_id="Processor", **kwargs) -> lambda_.Function:
    return lambda_.Function(
        stack,
        construct_id,
        runtime=lambda_.Runtime.PYTHON_3_12,
        handler="index.handler",
        code=CODE,
        **kwargs,
    )


def test_function_without_log_group_is_flagged(synth):
    findings = of_class(synth(lambda stack: _function(stack, function_name="tap-proc-dev")), SLUG)
    assert [(f.rule_id, f.property_path) for f in findings] == [
        ("TAP-LOGS-2", "Properties/LoggingConfig")
    ]
    assert findings[0].logical_id.startswith("Processor")
    assert "/aws/lambda/tap-proc-dev" in findings[0].message


def test_function_with_its_own_log_group_passes(synth):
    def build(stack):
        group = logs.LogGroup(stack, "ProcessorLogs", retention=logs.RetentionDays.ONE_MONTH)
        _function(stack, log_group=group)

    assert of_class(synth(build), SLUG) == []


def test_function_with_an_aws_lambda_named_group_passes(synth):
    # The classic pattern: a log group named /aws/lambda/<function name>, with retention
    def build(stack):
        fn = _function(stack)
        logs.LogGroup(
            stack,
            "ProcessorLogs",
            log_group_name=f"/aws/lambda/{fn.function_name}",
            retention=logs.RetentionDays.TWO_WEEKS,
        )

    assert of_class(synth(build), SLUG) == []


def test_cdk_custom_resource_handlers_are_not_flagged(synth):
    # Auto-delete and bucket-notification handlers are CDK's raw functions: no log group
    # can be given to them, so only the user's function may be reported.
    def build(stack):
        bucket = s3.Bucket(
            stack, "Uploads", removal_policy=cdk.RemovalPolicy.DESTROY, auto_delete_objects=True
        )
        group = logs.LogGroup(stack, "ProcessorLogs", retention=logs.RetentionDays.ONE_WEEK)
        bucket.add_event_notification(
            s3.EventType.OBJECT_CREATED, s3n.LambdaDestination(_function(stack, log_group=group))
        )

    report = synth(build)
    assert of_class(report, SLUG) == []


def test_provider_framework_handlers_are_not_flagged(synth):
    # GIVEN issue 9: a custom resource behind custom_resources.Provider (as aws-cdk-lib's
    # alpha modules build their internal resources). The framework's function takes a log
    # group; the handler it invokes is named only in the framework's environment.
    from aws_cdk import custom_resources as cr

    def build(stack):
        group = logs.LogGroup(stack, "FrameworkLogs", retention=logs.RetentionDays.ONE_WEEK)
        handler = _function(stack, "OnEvent", log_group=group)
        provider = cr.Provider(stack, "Provider", on_event_handler=handler, log_group=group)
        cdk.CustomResource(stack, "Thing", service_token=provider.service_token)
        _function(stack, "Orphan", function_name="tap-orphan-dev")

    findings = of_class(synth(build), SLUG)

    # THEN only the function no custom resource invokes is reported
    assert [f.logical_id.startswith("Orphan") for f in findings] == [True]


def test_provider_framework_handler_without_log_group_is_not_flagged(synth):
    from aws_cdk import custom_resources as cr

    def build(stack):
        handler = _function(stack, "OnEvent")
        provider = cr.Provider(stack, "Provider", on_event_handler=handler)
        cdk.CustomResource(stack, "Thing", service_token=provider.service_token)

    assert of_class(synth(build), SLUG) == []
