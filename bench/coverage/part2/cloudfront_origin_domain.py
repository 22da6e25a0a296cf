"""``cloudfront-origin-domain``: a Lambda function URL handed to HttpOrigin as is."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import RemovalPolicy
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs

from bench.coverage.cases import Case

_CODE = "def handler(event, context):\n    return {'statusCode': 200}\n"


def _site(split: bool):
    def build(stack: cdk.Stack) -> None:
        fn = lambda_.Function(
            stack,
            "Api",
            runtime=lambda_.Runtime.PYTHON_3_12,
            handler="index.handler",
            code=lambda_.Code.from_inline(_CODE),
            log_group=logs.LogGroup(
                stack,
                "ApiLogs",
                retention=logs.RetentionDays.ONE_MONTH,
                removal_policy=RemovalPolicy.DESTROY,
            ),
        )
        url = fn.add_function_url(auth_type=lambda_.FunctionUrlAuthType.AWS_IAM)
        origin = (
            origins.FunctionUrlOrigin.with_origin_access_control(url)
            if split
            else origins.HttpOrigin(url.url)
        )
        cloudfront.Distribution(
            stack, "Cdn", default_behavior=cloudfront.BehaviorOptions(origin=origin)
        )

    return build


CASES = (
    Case(
        "origin-function-url",
        "cloudfront-origin-domain",
        "Part 2",
        "HttpOrigin(fn_url.url): the origin domain is https://<id>.lambda-url.<region>.on.aws/",
        _site(False),
        _site(True),
        ("Cdn",),
    ),
)
