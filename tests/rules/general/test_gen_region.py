"""``hardcoded-region`` (TAP-GEN-2): region literals in ARNs, principals and endpoints."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import Aws
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_

from tests.rules.conftest import of_class

SLUG = "hardcoded-region"


def _seed_001_fix(stack: cdk.Stack, region: str | None = "us-east-1") -> None:
    """Seed 001 #8's own fix: the CloudWatch Logs grant of a key policy, with the region
    written into the service principal and the encryption-context ARN."""
    logs_region = region or Aws.REGION
    key = kms.Key(stack, "LogsKey")
    key.add_to_resource_policy(
        iam.PolicyStatement(
            sid="AllowCloudWatchLogs",
            principals=[iam.ServicePrincipal(f"logs.{logs_region}.amazonaws.com")],
            actions=["kms:Encrypt*", "kms:Decrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
            resources=["*"],
            conditions={
                "ArnLike": {
                    "kms:EncryptionContext:aws:logs:arn": (
                        f"arn:{Aws.PARTITION}:logs:{logs_region}:{Aws.ACCOUNT_ID}:*"
                    )
                }
            },
        )
    )


def test_seed_001_fix_hardcodes_us_east_1_twice(synth):
    # GIVEN the seed's fix in an environment-agnostic stack
    report = synth(_seed_001_fix, rules=(SLUG,))

    # THEN both region literals are warnings, at the principal and at the condition
    found = of_class(report, SLUG)
    assert {f.property_path for f in found} == {
        "Properties/KeyPolicy/Statement/1/Principal/Service",
        "Properties/KeyPolicy/Statement/1/Condition/ArnLike/kms:EncryptionContext:aws:logs:arn",
    }
    assert all(f.rule_id == "TAP-GEN-2" and f.severity == "warning" for f in found)
    assert all("us-east-1" in f.message for f in found)
    assert any("service principal" in f.message for f in found)
    assert any("an ARN" in f.message for f in found)
    # a warning does not fail synth
    assert report.errors == []


def test_endpoint_url_in_environment_variable_is_a_warning(synth):
    def build(stack):
        lambda_.Function(
            stack,
            "Fn",
            runtime=lambda_.Runtime.PYTHON_3_12,
            handler="index.handler",
            code=lambda_.Code.from_inline("def handler(event, context):\n    return event\n"),
            environment={"QUEUE_URL": "https://sqs.eu-west-1.amazonaws.com/111111111111/jobs"},
        )

    found = of_class(synth(build, rules=(SLUG,)), SLUG)

    assert [(f.property_path, "eu-west-1" in f.message) for f in found] == [
        ("Properties/Environment/Variables/QUEUE_URL", True)
    ]


def test_literal_of_the_stacks_own_concrete_region_is_fine(synth):
    env = cdk.Environment(account="111111111111", region="us-east-1")
    assert of_class(synth(_seed_001_fix, rules=(SLUG,), env=env), SLUG) == []


def test_literal_of_another_region_in_a_concrete_stack_is_a_warning(synth):
    env = cdk.Environment(account="111111111111", region="eu-west-1")
    found = of_class(synth(_seed_001_fix, rules=(SLUG,), env=env), SLUG)
    assert len(found) == 2 and all("us-east-1" in f.message for f in found)


def test_region_tokens_and_bare_region_values_are_not_findings(synth):
    # GIVEN the fix done right (Aws.REGION), a CDK service principal, and a bare region
    # value in an environment variable (not an ARN, principal or endpoint)
    def build(stack):
        _seed_001_fix(stack, region=None)
        fn = lambda_.Function(
            stack,
            "Fn",
            runtime=lambda_.Runtime.PYTHON_3_12,
            handler="index.handler",
            code=lambda_.Code.from_inline("def handler(event, context):\n    return event\n"),
            environment={"REPLICA_REGION": "us-west-2"},
        )
        fn.grant_invoke(iam.ServicePrincipal("events.amazonaws.com"))

    assert of_class(synth(build, rules=(SLUG,)), SLUG) == []


def test_cdk_cross_region_reference_role_is_not_a_finding(tmp_path):
    # GIVEN issue 9: Stack(cross_region_references=True); CDK's export writer role names
    # the consumer's region (its /cdk/exports/ SSM parameters) in the producer stack
    from aws_cdk import aws_sqs as sqs
    from aws_cdk import aws_ssm as ssm

    from tap.rules.engine import Options, evaluate
    from tap.rules.model import load_path

    app = cdk.App(outdir=str(tmp_path / "cdk.out"))
    account = "270543918653"
    producer = cdk.Stack(
        app,
        "Producer",
        env=cdk.Environment(account=account, region="us-east-1"),
        cross_region_references=True,
    )
    queue = sqs.Queue(producer, "Queue")
    consumer = cdk.Stack(
        app,
        "Consumer",
        env=cdk.Environment(account=account, region="eu-west-1"),
        cross_region_references=True,
    )
    ssm.StringParameter(consumer, "QueueArn", string_value=queue.queue_arn)
    app.synth()

    report = evaluate(load_path(tmp_path / "cdk.out"), Options(rules=(SLUG,)))

    assert not report.rule_errors
    assert "Producer" in report.stacks
    assert [f for f in report.active if f.slug == SLUG] == []
