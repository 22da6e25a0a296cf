"""s3-public-access-block (TAP-S3-21): public grants only where Block Public Access allows."""

from __future__ import annotations

from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from conftest import of_class

SLUG = "s3-public-access-block"


def test_s3_public_access_block_grant_public_access_on_a_default_bucket_is_a_finding(synth):
    # CDK's default bucket leaves Block Public Access on (S3's default): the policy is refused.
    findings = of_class(
        synth(lambda st: s3.Bucket(st, "Site").grant_public_access(), rules=(SLUG,)), SLUG
    )

    assert [(f.rule_id, f.property_path) for f in findings] == [
        ("TAP-S3-21", "Properties/PolicyDocument/Statement/0")
    ]
    assert findings[0].logical_id.startswith("SitePolicy")
    assert "s3:GetObject" in findings[0].message


def test_s3_public_access_block_public_read_acl_is_a_finding(synth):
    def build(stack):
        s3.Bucket(stack, "Site", access_control=s3.BucketAccessControl.PUBLIC_READ)

    findings = of_class(synth(build, rules=(SLUG,)), SLUG)

    assert [f.property_path for f in findings] == ["Properties/AccessControl"]
    assert "PublicRead" in findings[0].message


def test_s3_public_access_block_public_bucket_with_policies_allowed_passes(synth):
    def build(stack):
        s3.Bucket(
            stack,
            "Site",
            public_read_access=True,
            block_public_access=s3.BlockPublicAccess.BLOCK_ACLS_ONLY,
        )

    assert of_class(synth(build, rules=(SLUG,)), SLUG) == []


def test_s3_public_access_block_private_policies_pass(synth):
    # enforce_ssl's Deny for everyone and a grant to a service with a source condition
    def build(stack):
        bucket = s3.Bucket(stack, "Data", enforce_ssl=True)
        bucket.add_to_resource_policy(
            iam.PolicyStatement(
                actions=["s3:PutObject"],
                resources=[bucket.arn_for_objects("*")],
                principals=[iam.AnyPrincipal()],
                conditions={"StringEquals": {"aws:SourceAccount": stack.account}},
            )
        )

    assert of_class(synth(build, rules=(SLUG,)), SLUG) == []
