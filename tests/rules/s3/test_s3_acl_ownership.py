"""s3-acl-ownership (TAP-S3-20): ACL writers target buckets whose ACLs are enabled."""

from __future__ import annotations

from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_s3 as s3
from conftest import of_class

SLUG = "s3-acl-ownership"


def _distribution(stack, log_bucket):
    cloudfront.Distribution(
        stack,
        "Site",
        default_behavior=cloudfront.BehaviorOptions(origin=origins.HttpOrigin("example.com")),
        enable_logging=True,
        log_bucket=log_bucket,
    )


def test_s3_acl_ownership_cloudfront_logs_to_a_default_bucket_is_a_finding(synth):
    # A bucket created with CDK's defaults has no OwnershipControls: S3 enforces the owner.
    findings = of_class(
        synth(lambda st: _distribution(st, s3.Bucket(st, "Logs")), rules=(SLUG,)), SLUG
    )

    assert [(f.rule_id, f.property_path) for f in findings] == [
        ("TAP-S3-20", "Properties/DistributionConfig/Logging/Bucket")
    ]
    assert findings[0].logical_id.startswith("Site")
    assert "ACLs are disabled" in findings[0].message


def test_s3_acl_ownership_cloudfront_logs_to_an_object_writer_bucket_passes(synth):
    def build(stack):
        logs = s3.Bucket(stack, "Logs", object_ownership=s3.ObjectOwnership.OBJECT_WRITER)
        _distribution(stack, logs)

    assert of_class(synth(build, rules=(SLUG,)), SLUG) == []


def test_s3_acl_ownership_cloudfront_creates_its_own_log_bucket_passes(synth):
    # CDK's own log bucket enables ACLs
    def build(stack):
        cloudfront.Distribution(
            stack,
            "Site",
            default_behavior=cloudfront.BehaviorOptions(origin=origins.HttpOrigin("example.com")),
            enable_logging=True,
        )

    assert of_class(synth(build, rules=(SLUG,)), SLUG) == []


def test_s3_acl_ownership_canned_acl_without_ownership_is_a_finding(synth):
    # The L2 sets ObjectWriter for LogDeliveryWrite itself: the mistake needs L1.
    def build(stack):
        s3.CfnBucket(stack, "AccessLogs", access_control="LogDeliveryWrite")

    findings = of_class(synth(build, rules=(SLUG,)), SLUG)

    assert [(f.logical_id, f.property_path) for f in findings] == [
        ("AccessLogs", "Properties/AccessControl")
    ]
    assert "LogDeliveryWrite" in findings[0].message


def test_s3_acl_ownership_access_logs_with_the_l2_pass(synth):
    def build(stack):
        target = s3.Bucket(stack, "AccessLogs")
        s3.Bucket(stack, "Data", server_access_logs_bucket=target)
        s3.Bucket(stack, "Private", access_control=s3.BucketAccessControl.PRIVATE)

    assert of_class(synth(build, rules=(SLUG,)), SLUG) == []


def test_s3_acl_ownership_access_logs_to_an_enforced_bucket_without_policy_is_a_finding(synth):
    def build(stack):
        target = s3.CfnBucket(stack, "AccessLogs")
        s3.CfnBucket(
            stack,
            "Data",
            logging_configuration=s3.CfnBucket.LoggingConfigurationProperty(
                destination_bucket_name=target.ref
            ),
        )

    findings = of_class(synth(build, rules=(SLUG,)), SLUG)

    assert [(f.logical_id, f.property_path) for f in findings] == [
        ("Data", "Properties/LoggingConfiguration/DestinationBucketName")
    ]
