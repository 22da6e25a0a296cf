"""``region-bound-resource``: a Lambda@Edge version imported from the app's region."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import Aws
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_lambda as lambda_

from bench.coverage.cases import Case


def _edge(region: str):
    def build(stack: cdk.Stack) -> None:
        version = lambda_.Version.from_version_arn(
            stack,
            "EdgeAuth",
            f"arn:{Aws.PARTITION}:lambda:{region}:{Aws.ACCOUNT_ID}:function:edge-auth:3",
        )
        cdn = cloudfront.Distribution(
            stack,
            "Cdn",
            default_behavior=cloudfront.BehaviorOptions(
                origin=origins.HttpOrigin("origin.example.com"),
                edge_lambdas=[
                    cloudfront.EdgeLambda(
                        function_version=version,
                        event_type=cloudfront.LambdaEdgeEventType.VIEWER_REQUEST,
                    )
                ],
            ),
        )
        if region == "us-east-1":
            # The fix names us-east-1 on purpose: Lambda@Edge lives there whatever the
            # stack's region (hardcoded-region's own advice: acknowledge it).
            cdk.Validations.of(cdn).acknowledge(
                cdk.Acknowledgment(
                    id="tap-rules::TAP-GEN-2",
                    reason="Lambda@Edge functions are replicated from us-east-1 only",
                )
            )

    return build


CASES = (
    Case(
        "edge-function-outside-us-east-1",
        "region-bound-resource",
        "Part 2",
        "distribution associates a Lambda@Edge version imported from eu-west-1",
        _edge("eu-west-1"),
        _edge("us-east-1"),
        ("Cdn",),
    ),
)
