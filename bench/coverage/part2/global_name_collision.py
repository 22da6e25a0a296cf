"""``global-name-collision``: a fixed Cognito prefix domain."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import Aws, RemovalPolicy
from aws_cdk import aws_cognito as cognito

from bench.coverage.cases import SUFFIX, Case


def pool_with_prefix(prefix: str):
    def build(stack: cdk.Stack) -> None:
        pool = cognito.UserPool(stack, "Users", removal_policy=RemovalPolicy.DESTROY)
        pool.add_domain("Login", cognito_domain=cognito.CognitoDomainOptions(domain_prefix=prefix))

    return build


CASES = (
    Case(
        "cognito-prefix-fixed",
        "global-name-collision",
        "Part 2",
        "Cognito prefix domain is a fixed literal shared by every account in the region",
        pool_with_prefix(f"tap-login-{SUFFIX}"),
        pool_with_prefix(f"tap-login-{SUFFIX}-{Aws.ACCOUNT_ID}"),
        ("Users/Login",),
    ),
)
