"""circular-dependency: a Cognito trigger that reads its own user pool's id."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import RemovalPolicy
from aws_cdk import aws_cognito as cognito

from bench.coverage.cases import Build, Case, _function


def _trigger(reads_pool_id: bool) -> Build:
    def build(stack: cdk.Stack) -> None:
        fn = _function(stack, "PreSignUp")
        pool = cognito.UserPool(
            stack,
            "Users",
            removal_policy=RemovalPolicy.DESTROY,
            lambda_triggers=cognito.UserPoolTriggers(pre_sign_up=fn),
        )
        if reads_pool_id:  # the fix: read event["userPoolId"] at run time
            fn.add_environment("USER_POOL_ID", pool.user_pool_id)

    return build


CASES = (
    Case(
        "cognito-trigger-reads-pool-id",
        "circular-dependency",
        "reported",
        "user pool trigger with the pool's id in its environment: pool → function → pool",
        _trigger(True),
        _trigger(False),
        ("Users", "PreSignUp"),
    ),
)
