"""lambda-environment (TAP-LAMBDA-20): environments fit 4 KB and set no reserved key."""

from __future__ import annotations

from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sqs as sqs
from conftest import of_class

SLUG = "lambda-environment"


def _function(stack, environment):
    return lambda_.Function(
        stack,
        "Scorer",
        runtime=lambda_.Runtime.PYTHON_3_12,
        handler="index.handler",
        code=lambda_.Code.from_inline("def handler(event, context):\n    return {}\n"),
        environment=environment,
    )


def test_lambda_environment_over_4_kb_is_a_finding(synth):
    # a lookup table inlined into the environment: 60 segments × ~80 bytes
    table = {
        f"SEGMENT_{i:03d}_THRESHOLDS": "12,25,40,60,85,110,140,175,215,260,310,365,425,490"
        for i in range(60)
    }
    findings = of_class(synth(lambda st: _function(st, table), rules=(SLUG,)), SLUG)

    assert [(f.rule_id, f.property_path) for f in findings] == [
        ("TAP-LAMBDA-20", "Properties/Environment/Variables")
    ]
    assert "4,096" in findings[0].message


def test_lambda_environment_reserved_key_is_a_finding(synth):
    # CDK's add_environment refuses AWS_REGION; an escape hatch does not
    def build(stack):
        fn = _function(stack, {"TABLE": "aggregates"})
        fn.node.default_child.add_property_override("Environment.Variables.AWS_REGION", "eu-west-1")

    findings = of_class(synth(build, rules=(SLUG,)), SLUG)

    assert [f.property_path for f in findings] == ["Properties/Environment/Variables/AWS_REGION"]
    assert "reserved" in findings[0].message


def test_lambda_environment_references_and_settable_keys_pass(synth):
    def build(stack):
        queue = sqs.Queue(stack, "Jobs")
        _function(
            stack,
            {"QUEUE_URL": queue.queue_url, "TZ": "Europe/Berlin", "POWERTOOLS_SERVICE_NAME": "tap"},
        )

    assert of_class(synth(build, rules=(SLUG,)), SLUG) == []
