"""Class ``cloudtrail-bucket-policy``: a trail writing to a bucket of the stack depends on a
bucket policy letting CloudTrail check the ACL and write with bucket-owner-full-control
(TAP-TRAIL-1, seed 000 #4)."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_cloudtrail as cloudtrail
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3

from tests.rules.conftest import of_class

SLUG = "cloudtrail-bucket-policy"
CLOUDTRAIL = iam.ServicePrincipal("cloudtrail.amazonaws.com")
ACL = {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}}


def _acl_check(bucket: s3.CfnBucket) -> iam.PolicyStatement:
    return iam.PolicyStatement(
        principals=[CLOUDTRAIL], actions=["s3:GetBucketAcl"], resources=[bucket.attr_arn]
    )


def _write(bucket: s3.CfnBucket, conditions=ACL, actions=("s3:PutObject",), key="AWSLogs/*"):
    return iam.PolicyStatement(
        principals=[CLOUDTRAIL],
        actions=list(actions),
        resources=[f"{bucket.attr_arn}/{key}"],
        conditions=conditions,
    )


def _l1(stack, statements, *, depend=True, prefix=None):
    """An L1 bucket, its policy with ``statements`` (none: no policy) and a trail."""
    bucket = s3.CfnBucket(stack, "TrailBucket")
    trail = cloudtrail.CfnTrail(
        stack, "Trail", is_logging=True, s3_bucket_name=bucket.ref, s3_key_prefix=prefix
    )
    if statements is not None:
        policy = s3.CfnBucketPolicy(
            stack,
            "TrailBucketPolicy",
            bucket=bucket.ref,
            policy_document=iam.PolicyDocument(statements=statements(bucket)),
        )
        if depend:
            trail.node.add_dependency(policy)


def test_l2_trail_with_its_own_bucket_passes(synth):
    # GIVEN the L2 trail: CDK adds both statements and the trail's DependsOn on the policy
    report = synth(lambda stack: cloudtrail.Trail(stack, "Trail"))
    assert of_class(report, SLUG) == []


def test_l2_trail_with_a_given_bucket_passes(synth):
    def build(stack):
        bucket = s3.Bucket(stack, "Audit", enforce_ssl=True)
        cloudtrail.Trail(stack, "Trail", bucket=bucket, s3_key_prefix="trail")

    assert of_class(synth(build), SLUG) == []


def test_trail_without_bucket_policy_is_flagged(synth):
    findings = of_class(synth(lambda stack: _l1(stack, None)), SLUG)
    assert [(f.rule_id, f.logical_id, f.property_path) for f in findings] == [
        ("TAP-TRAIL-1", "Trail", "Properties/S3BucketName")
    ]
    assert "has no AWS::S3::BucketPolicy" in findings[0].message


def test_put_object_grant_without_acl_condition_is_flagged(synth):
    findings = of_class(
        synth(lambda stack: _l1(stack, lambda b: [_acl_check(b), _write(b, conditions=None)])),
        SLUG,
    )
    assert [(f.logical_id, f.property_path) for f in findings] == [
        ("TrailBucketPolicy", "Properties/PolicyDocument/Statement/1")
    ]
    assert "lacks the condition StringEquals s3:x-amz-acl = bucket-owner-full-control" in (
        findings[0].message
    )


def test_policy_without_get_bucket_acl_is_flagged(synth):
    findings = of_class(synth(lambda stack: _l1(stack, lambda b: [_write(b)])), SLUG)
    assert [(f.logical_id, f.property_path) for f in findings] == [
        ("TrailBucketPolicy", "Properties/PolicyDocument")
    ]
    assert "s3:GetBucketAcl" in findings[0].message


def test_put_object_outside_the_trail_prefix_is_flagged(synth):
    # The trail writes under trail/AWSLogs/...; the grant covers only AWSLogs/... at the root
    def build(stack):
        _l1(stack, lambda b: [_acl_check(b), _write(b)], prefix="trail")

    findings = of_class(synth(build), SLUG)
    assert [f.property_path for f in findings] == ["Properties/PolicyDocument"]
    assert "s3:PutObject on ${TrailBucket.Arn}/trail/AWSLogs/<account>/*" in findings[0].message


def test_trail_not_depending_on_the_policy_is_flagged(synth):
    def build(stack):
        _l1(stack, lambda b: [_acl_check(b), _write(b)], depend=False)

    findings = of_class(synth(build), SLUG)
    assert [(f.logical_id, f.property_path) for f in findings] == [("Trail", "DependsOn")]
    assert "does not depend on the bucket policy TrailBucketPolicy" in findings[0].message


def test_wildcard_actions_and_joined_account_resource_pass(synth):
    # s3:* / s3:Put* grants, and a resource built with the account id, satisfy the check
    def build(stack):
        def statements(bucket):
            return [
                iam.PolicyStatement(
                    principals=[CLOUDTRAIL],
                    actions=["s3:Get*", "s3:ListBucket"],
                    resources=[bucket.attr_arn],
                ),
                _write(bucket, actions=("s3:Put*",), key=f"AWSLogs/{cdk.Aws.ACCOUNT_ID}/*"),
            ]

        _l1(stack, statements)

    assert of_class(synth(build), SLUG) == []
