"""s3-acl-ownership: writers that need ACLs on buckets whose ACLs are disabled."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_s3 as s3

from bench.coverage.cases import Build, Case, _bucket


def _cloudfront_logs(acls_enabled: bool) -> Build:
    def build(stack: cdk.Stack) -> None:
        ownership = s3.ObjectOwnership.OBJECT_WRITER if acls_enabled else None
        logs = _bucket(stack, "Logs", object_ownership=ownership)
        cloudfront.Distribution(
            stack,
            "Site",
            default_behavior=cloudfront.BehaviorOptions(origin=origins.HttpOrigin("example.com")),
            enable_logging=True,
            log_bucket=logs,
        )

    return build


def _canned_acl(ownership_kept: bool) -> Build:
    def build(stack: cdk.Stack) -> None:
        bucket = _bucket(
            stack, "AccessLogs", access_control=s3.BucketAccessControl.LOG_DELIVERY_WRITE
        )
        if not ownership_kept:
            # the template of a bucket created before CDK set ObjectWriter for this ACL
            cfn = bucket.node.default_child
            assert isinstance(cfn, s3.CfnBucket)
            cfn.add_property_deletion_override("OwnershipControls")

    return build


CASES = (
    Case(
        "cloudfront-logs-acls-disabled",
        "s3-acl-ownership",
        "reported",
        "CloudFront standard logging to a bucket with CDK's defaults (ACLs disabled)",
        _cloudfront_logs(False),
        _cloudfront_logs(True),
        ("Site",),
    ),
    Case(
        "log-delivery-acl-owner-enforced",
        "s3-acl-ownership",
        "reported",
        "LogDeliveryWrite canned ACL on a bucket without OwnershipControls",
        _canned_acl(False),
        _canned_acl(True),
        ("AccessLogs",),
    ),
)
