"""Class ``s3-notification-permission``: S3 notifications to Lambda have an
s3.amazonaws.com invoke permission that the notification depends on (TAP-S3-4, seed 002 #4)."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_notifications as s3n

from tests.rules.conftest import of_class

SLUG = "s3-notification-permission"
L1_PATH = "Properties/NotificationConfiguration/LambdaConfigurations/0/Function"


def _function(stack: cdk.Stack) -> lambda_.Function:
    return lambda_.Function(
        stack,
        "Processor",
        runtime=lambda_.Runtime.PYTHON_3_12,
        handler="index.handler",
        code=lambda_.Code.from_inline("def handler(event, context):\n    return None\n"),
    )


def _l1_bucket(stack: cdk.Stack, fn: lambda_.Function, name: str | None = None) -> s3.CfnBucket:
    return s3.CfnBucket(
        stack,
        "Uploads",
        bucket_name=name,
        notification_configuration=s3.CfnBucket.NotificationConfigurationProperty(
            lambda_configurations=[
                s3.CfnBucket.LambdaConfigurationProperty(
                    event="s3:ObjectCreated:*", function=fn.function_arn
                )
            ]
        ),
    )


def _permission(stack, fn, source_arn, construct_id="AllowS3") -> lambda_.CfnPermission:
    return lambda_.CfnPermission(
        stack,
        construct_id,
        action="lambda:InvokeFunction",
        function_name=fn.function_name,
        principal="s3.amazonaws.com",
        source_arn=source_arn,
        source_account=cdk.Aws.ACCOUNT_ID,
    )


def test_l2_add_event_notification_passes(synth):
    # GIVEN the L2 way: CDK adds the permission and the custom resource's dependency on it
    def build(stack):
        bucket = s3.Bucket(stack, "Uploads")
        bucket.add_event_notification(
            s3.EventType.OBJECT_CREATED, s3n.LambdaDestination(_function(stack))
        )

    # THEN nothing is reported
    assert of_class(synth(build), SLUG) == []


def test_notification_without_permission_is_flagged(synth):
    def build(stack):
        _l1_bucket(stack, _function(stack))

    findings = of_class(synth(build), SLUG)
    assert [(f.rule_id, f.logical_id, f.property_path) for f in findings] == [
        ("TAP-S3-4", "Uploads", L1_PATH)
    ]
    assert "no AWS::Lambda::Permission letting s3.amazonaws.com invoke it" in findings[0].message


def test_permission_scoped_to_another_bucket_does_not_count(synth):
    def build(stack):
        fn = _function(stack)
        other = s3.CfnBucket(stack, "Other")
        bucket = _l1_bucket(stack, fn)
        bucket.node.add_dependency(_permission(stack, fn, other.attr_arn))

    findings = of_class(synth(build), SLUG)
    assert [f.property_path for f in findings] == [L1_PATH]
    assert "AllowS3" in findings[0].message and "scoped to another bucket" in findings[0].message


def test_permission_without_dependency_is_flagged(synth):
    # GIVEN the seed's defect: the permission exists, the notification does not wait for it
    def build(stack):
        fn = _function(stack)
        bucket = _l1_bucket(stack, fn)
        _permission(stack, fn, bucket.attr_arn)

    findings = of_class(synth(build), SLUG)
    assert [(f.logical_id, f.property_path) for f in findings] == [("Uploads", L1_PATH)]
    assert "does not depend on its permission AllowS3" in findings[0].message
    # the permission references the bucket's ARN: the fix explains the circular dependency
    assert "circular" in findings[0].fix


def test_l1_permission_with_name_based_arn_and_dependency_passes(synth):
    def build(stack):
        fn = _function(stack)
        name = f"uploads-{cdk.Aws.ACCOUNT_ID}-dev"
        perm = _permission(stack, fn, f"arn:{cdk.Aws.PARTITION}:s3:::{name}")
        _l1_bucket(stack, fn, name).node.add_dependency(perm)

    assert of_class(synth(build), SLUG) == []


def test_custom_resource_notification_without_dependency_is_flagged(synth):
    # GIVEN the L2 notification whose DependsOn was dropped with an escape hatch
    def build(stack):
        bucket = s3.Bucket(stack, "Uploads")
        bucket.add_event_notification(
            s3.EventType.OBJECT_CREATED, s3n.LambdaDestination(_function(stack))
        )
        notifications = bucket.node.find_child("Notifications").node.default_child
        notifications.add_override("DependsOn", [])

    findings = of_class(synth(build), SLUG)
    assert [f.property_path for f in findings] == [
        "Properties/NotificationConfiguration/LambdaFunctionConfigurations/0/LambdaFunctionArn"
    ]
    assert findings[0].resource_type == "Custom::S3BucketNotifications"
    assert "does not depend on its permission" in findings[0].message
