"""``removal-policy`` widened by Part 2: an ECR repository deleted with the stack, not emptied."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import RemovalPolicy
from aws_cdk import aws_ecr as ecr

from bench.coverage.cases import Case


def _repository(empty: bool):
    def build(stack: cdk.Stack) -> None:
        ecr.Repository(stack, "Images", removal_policy=RemovalPolicy.DESTROY, empty_on_delete=empty)

    return build


CASES = (
    Case(
        "ecr-destroy-without-empty-on-delete",
        "removal-policy",
        "Part 2",
        "ECR repository DESTROY without empty_on_delete in an ephemeral environment",
        _repository(False),
        _repository(True),
        ("Images",),
    ),
)
