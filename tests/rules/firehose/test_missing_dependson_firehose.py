"""missing-dependson (TAP-FIREHOSE-1): delivery streams wait for their roles' policies."""

from __future__ import annotations

from aws_cdk import aws_iam as iam
from aws_cdk import aws_kinesisfirehose as firehose
from aws_cdk import aws_s3 as s3
from conftest import of_class

SLUG = "missing-dependson"


def _l1_stream(stack, *, depend):
    bucket = s3.Bucket(stack, "Archive")
    role = iam.Role(
        stack, "DeliveryRole", assumed_by=iam.ServicePrincipal("firehose.amazonaws.com")
    )
    bucket.grant_read_write(role)  # lands in the role's DefaultPolicy, a separate resource
    stream = firehose.CfnDeliveryStream(
        stack,
        "Delivery",
        extended_s3_destination_configuration=firehose.CfnDeliveryStream.ExtendedS3DestinationConfigurationProperty(
            bucket_arn=bucket.bucket_arn, role_arn=role.role_arn
        ),
    )
    if depend:
        stream.node.add_dependency(role)


def test_missing_dependson_l1_delivery_stream_before_its_role_policy_is_a_finding(synth):
    findings = of_class(synth(lambda st: _l1_stream(st, depend=False), rules=(SLUG,)), SLUG)

    assert [(f.rule_id, f.logical_id, f.property_path, f.severity) for f in findings] == [
        (
            "TAP-FIREHOSE-1",
            "Delivery",
            "Properties/ExtendedS3DestinationConfiguration/RoleARN",
            # a race CloudFormation may win: warned, never a failed synth on a guess
            "warning",
        )
    ]
    assert "DeliveryRoleDefaultPolicy" in findings[0].message


def test_missing_dependson_l1_delivery_stream_depending_on_its_role_passes(synth):
    assert of_class(synth(lambda st: _l1_stream(st, depend=True), rules=(SLUG,)), SLUG) == []


def test_missing_dependson_l2_delivery_stream_passes(synth):
    def build(stack):
        firehose.DeliveryStream(
            stack, "Delivery", destination=firehose.S3Bucket(s3.Bucket(stack, "Archive"))
        )

    assert of_class(synth(build, rules=(SLUG,)), SLUG) == []
