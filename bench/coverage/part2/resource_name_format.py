"""``resource-name-format`` widened by Part 2: a reserved word in a Cognito prefix domain."""

from __future__ import annotations

from aws_cdk import Aws

from bench.coverage.cases import SUFFIX, Case
from bench.coverage.part2.global_name_collision import pool_with_prefix

CASES = (
    Case(
        "cognito-prefix-reserved-word",
        "resource-name-format",
        "Part 2",
        "Cognito prefix domain contains the reserved word 'cognito'",
        pool_with_prefix(f"tap-cognito-{SUFFIX}-{Aws.ACCOUNT_ID}"),
        pool_with_prefix(f"tap-login-{SUFFIX}-{Aws.ACCOUNT_ID}"),
        ("Users/Login",),
    ),
)
