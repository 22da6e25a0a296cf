"""missing-dependson (TAP-LAMBDA-21): functions that mount EFS wait for its mount targets."""

from __future__ import annotations

from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_efs as efs
from aws_cdk import aws_lambda as lambda_
from conftest import of_class

SLUG = "missing-dependson"


def _file_system(stack):
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=0)
    fs = efs.FileSystem(stack, "Models", vpc=vpc)
    ap = fs.add_access_point(
        "Cache",
        path="/cache",
        create_acl=efs.Acl(owner_uid="1001", owner_gid="1001", permissions="750"),
        posix_user=efs.PosixUser(uid="1001", gid="1001"),
    )
    return vpc, fs, ap


def _function(stack, vpc, **kwargs):
    return lambda_.Function(
        stack,
        "Scorer",
        runtime=lambda_.Runtime.PYTHON_3_12,
        handler="index.handler",
        code=lambda_.Code.from_inline("def handler(event, context):\n    return {}\n"),
        vpc=vpc,
        **kwargs,
    )


def test_missing_dependson_function_mounting_efs_through_an_override_is_a_finding(synth):
    def build(stack):
        vpc, _, ap = _file_system(stack)
        fn = _function(stack, vpc)
        fn.node.default_child.add_property_override(
            "FileSystemConfigs", [{"Arn": ap.access_point_arn, "LocalMountPath": "/mnt/cache"}]
        )

    findings = of_class(synth(build, rules=(SLUG,)), SLUG)

    assert [(f.rule_id, f.property_path) for f in findings] == [
        ("TAP-LAMBDA-21", "Properties/FileSystemConfigs/0/Arn")
    ]
    assert findings[0].logical_id.startswith("Scorer")
    assert "ModelsEfsMountTarget" in findings[0].message


def test_missing_dependson_function_with_the_l2_filesystem_passes(synth):
    def build(stack):
        vpc, _, ap = _file_system(stack)
        _function(stack, vpc, filesystem=lambda_.FileSystem.from_efs_access_point(ap, "/mnt/cache"))

    assert of_class(synth(build, rules=(SLUG,)), SLUG) == []
