"""policy-size-limit: policies over their service's size quota."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import Aws
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_iam as iam

from bench.coverage.cases import Build, Case, _function


def _archive_statements() -> list[iam.PolicyStatement]:
    return [
        iam.PolicyStatement(
            actions=["s3:GetObject", "s3:PutObject"],
            resources=[f"arn:{Aws.PARTITION}:s3:::traffic-archive-segment-{i:03d}/*"],
        )
        for i in range(90)
    ]


def _role_policy(split_by_cdk: bool) -> Build:
    def build(stack: cdk.Stack) -> None:
        role = iam.Role(stack, "Worker", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
        if split_by_cdk:
            for statement in _archive_statements():
                role.add_to_policy(statement)
        else:
            iam.Policy(stack, "Archive", statements=_archive_statements(), roles=[role])

    return build


def _api_permissions(one_per_api: bool) -> Build:
    def build(stack: cdk.Stack) -> None:
        fn = _function(stack, "Handler")
        api = apigw.RestApi(stack, "Api", cloud_watch_role=False)
        options = {"scope_permission_to_method": False, "allow_test_invoke": False}
        integration = apigw.LambdaIntegration(fn, **(options if one_per_api else {}))
        for i in range(40):
            api.root.add_resource(f"segment{i}").add_method("GET", integration)

    return build


CASES = (
    Case(
        "role-inline-policies-over-10k",
        "policy-size-limit",
        "reported",
        "a standalone iam.Policy of 90 statements on one role (over 10,240 characters)",
        _role_policy(False),
        _role_policy(True),
        ("Worker", "Archive"),
    ),
    Case(
        "function-policy-over-20k",
        "policy-size-limit",
        "reported",
        "one function behind 40 API methods: 80 permissions, over Lambda's 20 KB policy",
        _api_permissions(False),
        _api_permissions(True),
        ("Handler",),
    ),
)
