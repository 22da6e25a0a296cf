"""lambda-environment: environments over 4 KB or setting a reserved key."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_ssm as ssm

from bench.coverage.cases import Build, Case, _function

THRESHOLDS = {
    f"SEGMENT_{i:03d}_THRESHOLDS": "12,25,40,60,85,110,140,175,215,260,310,365,425,490"
    for i in range(60)
}


def _thresholds(in_parameter: bool) -> Build:
    def build(stack: cdk.Stack) -> None:
        if not in_parameter:
            _function(stack, "Scorer", environment=THRESHOLDS)
            return
        param = ssm.StringParameter(
            stack,
            "Thresholds",
            string_value=str(THRESHOLDS),
            tier=ssm.ParameterTier.ADVANCED,
        )
        fn = _function(stack, "Scorer", environment={"THRESHOLDS_PARAMETER": param.parameter_name})
        param.grant_read(fn)

    return build


def _reserved(override: bool) -> Build:
    def build(stack: cdk.Stack) -> None:
        fn = _function(stack, "Scorer", environment={"STAGE": "dev"})
        if override:  # add_environment refuses AWS_REGION; an escape hatch does not
            cfn = fn.node.default_child
            assert isinstance(cfn, lambda_.CfnFunction)
            cfn.add_property_override("Environment.Variables.AWS_REGION", cdk.Aws.REGION)

    return build


CASES = (
    Case(
        "environment-over-4kb",
        "lambda-environment",
        "reported",
        "a lookup table inlined into a function's environment (over 4 KB)",
        _thresholds(False),
        _thresholds(True),
        ("Scorer",),
    ),
    Case(
        "environment-reserved-key",
        "lambda-environment",
        "reported",
        "AWS_REGION set through an escape hatch",
        _reserved(True),
        _reserved(False),
        ("Scorer",),
    ),
)
