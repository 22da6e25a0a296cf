"""missing-dependson: resources validated against another one at create time, unordered."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import RemovalPolicy
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_efs as efs
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kinesisfirehose as firehose
from aws_cdk import aws_lambda as lambda_

from bench.coverage.cases import Build, Case, _bucket, _function


def _firehose(depend: bool) -> Build:
    def build(stack: cdk.Stack) -> None:
        bucket = _bucket(stack, "Archive")
        role = iam.Role(
            stack, "DeliveryRole", assumed_by=iam.ServicePrincipal("firehose.amazonaws.com")
        )
        bucket.grant_read_write(role)
        dest = firehose.CfnDeliveryStream.ExtendedS3DestinationConfigurationProperty(
            bucket_arn=bucket.bucket_arn, role_arn=role.role_arn
        )
        stream = firehose.CfnDeliveryStream(
            stack, "Delivery", extended_s3_destination_configuration=dest
        )
        if depend:
            stream.node.add_dependency(role)

    return build


def _usage_plan(depend: bool) -> Build:
    def build(stack: cdk.Stack) -> None:
        api = apigw.RestApi(stack, "Api", cloud_watch_role=False)
        api.root.add_method("GET", apigw.MockIntegration())
        stage = apigw.CfnUsagePlan.ApiStageProperty(api_id=api.rest_api_id, stage="prod")
        plan = apigw.CfnUsagePlan(stack, "Plan", api_stages=[stage])
        if depend:
            plan.node.add_dependency(api.deployment_stage)

    return build


def _efs_function(l2: bool) -> Build:
    def build(stack: cdk.Stack) -> None:
        vpc = ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=0)
        fs = efs.FileSystem(stack, "Models", vpc=vpc, removal_policy=RemovalPolicy.DESTROY)
        ap = fs.add_access_point(
            "Cache",
            path="/cache",
            create_acl=efs.Acl(owner_uid="1001", owner_gid="1001", permissions="750"),
            posix_user=efs.PosixUser(uid="1001", gid="1001"),
        )
        if l2:
            _function(
                stack,
                "Scorer",
                vpc=vpc,
                filesystem=lambda_.FileSystem.from_efs_access_point(ap, "/mnt/cache"),
            )
            return
        fn = _function(stack, "Scorer", vpc=vpc)
        fs.grant(fn, "elasticfilesystem:ClientMount")
        fs.connections.allow_default_port_from(fn)
        cfn = fn.node.default_child
        assert isinstance(cfn, lambda_.CfnFunction)
        cfn.add_property_override(
            "FileSystemConfigs", [{"Arn": ap.access_point_arn, "LocalMountPath": "/mnt/cache"}]
        )

    return build


CASES = (
    Case(
        "firehose-before-role-policy",
        "missing-dependson",
        "reported",
        "L1 delivery stream that does not depend on its role's DefaultPolicy",
        _firehose(False),
        _firehose(True),
        ("Delivery",),
    ),
    Case(
        "usage-plan-before-stage",
        "missing-dependson",
        "reported",
        "usage plan naming stage 'prod' literally, not ordered after the stage",
        _usage_plan(False),
        _usage_plan(True),
        ("Plan",),
    ),
    Case(
        "efs-function-before-mount-targets",
        "missing-dependson",
        "reported",
        "function mounting an EFS access point, not ordered after the mount targets",
        _efs_function(False),
        _efs_function(True),
        ("Scorer",),
    ),
)
