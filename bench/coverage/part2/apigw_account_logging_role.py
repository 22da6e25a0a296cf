"""``apigw-account-logging-role``: execution logging without the account's CloudWatch role."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_apigateway as apigw

from bench.coverage.cases import Case


def _api(role: bool):
    def build(stack: cdk.Stack) -> None:
        api = apigw.RestApi(
            stack,
            "Api",
            cloud_watch_role=role,
            deploy_options=apigw.StageOptions(logging_level=apigw.MethodLoggingLevel.INFO),
        )
        api.root.add_method("GET", apigw.MockIntegration())

    return build


CASES = (
    Case(
        "stage-logging-without-account-role",
        "apigw-account-logging-role",
        "Part 2",
        "REST API stage logs at INFO; no AWS::ApiGateway::Account role (CDK's default now)",
        _api(False),
        _api(True),
        ("Api",),
    ),
)
