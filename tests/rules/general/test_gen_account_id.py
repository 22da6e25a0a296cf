"""``hardcoded-account-id`` (TAP-GEN-1): literal account ids in resources."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import Aws, Fn, Tags
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sqs as sqs

from tests.rules.conftest import of_class

SLUG = "hardcoded-account-id"
PLACEHOLDER = "123456789012"


def _function(stack: cdk.Stack, cid: str = "Fn", **kwargs: object) -> lambda_.Function:
    return lambda_.Function(
        stack,
        cid,
        runtime=lambda_.Runtime.PYTHON_3_12,
        handler="index.handler",
        code=lambda_.Code.from_inline("def handler(event, context):\n    return event\n"),
        **kwargs,
    )


def test_account_in_key_policy_principal_is_an_error(synth):
    # GIVEN seed 001 #1: a key policy granting a placeholder account's root
    def build(stack):
        key = kms.Key(stack, "Key")
        key.add_to_resource_policy(
            iam.PolicyStatement(
                principals=[iam.ArnPrincipal(f"arn:aws:iam::{PLACEHOLDER}:root")],
                actions=["kms:Decrypt"],
                resources=["*"],
            )
        )

    # WHEN the stack is synthesized and checked
    found = of_class(synth(build, rules=(SLUG,)), SLUG)

    # THEN the principal is reported at its property path
    assert len(found) == 1
    (f,) = found
    assert f.rule_id == "TAP-GEN-1" and f.severity == "error"
    assert f.logical_id.startswith("Key")
    assert f.property_path == "Properties/KeyPolicy/Statement/1/Principal/AWS"
    assert PLACEHOLDER in f.message and "ARN" in f.message


def test_account_principal_rendered_through_fn_join_is_found(synth):
    # GIVEN iam.AccountPrincipal: CDK renders Fn::Join ["arn:", Partition, ":iam::<id>:root"]
    def build(stack):
        queue = sqs.Queue(stack, "Queue")
        queue.grant_send_messages(iam.AccountPrincipal(PLACEHOLDER))

    found = of_class(synth(build, rules=(SLUG,)), SLUG)

    assert [f.property_path for f in found] == [
        "Properties/PolicyDocument/Statement/0/Principal/AWS"
    ]
    assert found[0].logical_id.startswith("QueuePolicy")


def test_account_in_environment_variable_is_an_error(synth):
    def build(stack):
        _function(stack, environment={"TARGET_ACCOUNT": PLACEHOLDER})

    found = of_class(synth(build, rules=(SLUG,)), SLUG)

    assert len(found) == 1
    assert found[0].property_path == "Properties/Environment/Variables/TARGET_ACCOUNT"
    assert "environment variable TARGET_ACCOUNT" in found[0].message


def test_imported_role_arn_is_an_error(synth):
    # GIVEN seed 001 #1's second case: a function on a hard-coded role ARN
    def build(stack):
        role = iam.Role.from_role_arn(stack, "Imported", f"arn:aws:iam::{PLACEHOLDER}:role/lambda")
        _function(stack, role=role)

    found = of_class(synth(build, rules=(SLUG,)), SLUG)

    assert [(f.logical_id.startswith("Fn"), f.property_path) for f in found] == [
        (True, "Properties/Role")
    ]
    assert "arn:aws:iam::123456789012:role/lambda" in found[0].message


def test_literal_parts_of_fn_sub_tags_and_foreign_layers_are_found(synth):
    # GIVEN an account in a Fn::Sub literal, in a tag, and a layer ARN of an account
    # that is not an AWS-owned publisher
    def build(stack):
        fn = _function(
            stack,
            layers=[
                lambda_.LayerVersion.from_layer_version_arn(
                    stack, "Shared", f"arn:aws:lambda:{Aws.REGION}:{PLACEHOLDER}:layer:shared:3"
                )
            ],
        )
        fn.add_to_role_policy(
            iam.PolicyStatement(
                actions=["sqs:SendMessage"],
                resources=[Fn.sub(f"arn:${{AWS::Partition}}:sqs:${{AWS::Region}}:{PLACEHOLDER}:q")],
            )
        )
        Tags.of(fn).add("BillingAccount", PLACEHOLDER)

    found = of_class(synth(build, rules=(SLUG,)), SLUG)

    paths = sorted(f.property_path for f in found)
    assert "Properties/Layers/0" in paths
    assert "Properties/PolicyDocument/Statement/0/Resource" in paths
    assert any(p.startswith("Properties/Tags/") for p in paths)
    assert all(PLACEHOLDER in f.message for f in found)


def test_non_account_numbers_and_cdk_output_are_not_findings(synth, tmp_path):
    # GIVEN a typical stack: an asset-backed function (64-hex asset hashes), CDK's own
    # account principals, the Powertools layer (AWS-owned account), a 12-digit numeric
    # alarm threshold and a 13-digit epoch-millisecond value
    code = tmp_path / "src"
    code.mkdir()
    (code / "index.py").write_text("def handler(event, context):\n    return event\n")

    def build(stack):
        bucket = s3.Bucket(stack, "Data")
        fn = lambda_.Function(
            stack,
            "Fn",
            runtime=lambda_.Runtime.PYTHON_3_12,
            handler="index.handler",
            code=lambda_.Code.from_asset(str(code)),
            environment={"BUCKET": bucket.bucket_name, "SINCE_MS": "1700000000000"},
            layers=[
                lambda_.LayerVersion.from_layer_version_arn(
                    stack,
                    "Powertools",
                    f"arn:aws:lambda:{Aws.REGION}:017000801446:layer:"
                    "AWSLambdaPowertoolsPythonV3-python312-x86_64:18",
                )
            ],
        )
        bucket.grant_read(fn)
        kms.Key(stack, "Key").grant_decrypt(iam.AccountRootPrincipal())
        cloudwatch.Alarm(
            stack,
            "Bytes",
            metric=cloudwatch.Metric(namespace="Tap", metric_name="Bytes"),
            threshold=100_000_000_000,
            evaluation_periods=1,
        )

    assert of_class(synth(build, rules=(SLUG,)), SLUG) == []


def test_concrete_environment_account_and_lambda_insights_are_allowed(synth):
    # GIVEN a stack pinned to an account and region: CDK renders that account and the
    # regional Lambda Insights layer ARN (AWS account 580247275435) literally
    def build(stack):
        fn = _function(stack, insights_version=lambda_.LambdaInsightsVersion.VERSION_1_0_229_0)
        kms.Key(stack, "Key").grant_decrypt(fn)

    env = cdk.Environment(account="111111111111", region="eu-west-1")
    report = synth(build, rules=(SLUG,), env=env)

    assert of_class(report, SLUG) == []


def test_other_account_in_concrete_environment_is_still_an_error(synth):
    def build(stack):
        sqs.Queue(stack, "Queue").grant_send_messages(iam.AccountPrincipal(PLACEHOLDER))

    env = cdk.Environment(account="111111111111", region="eu-west-1")
    found = of_class(synth(build, rules=(SLUG,), env=env), SLUG)

    assert [PLACEHOLDER in f.message for f in found] == [True]


# Issue 9, cause 4: which literal ids are mistakes, and which case the message names.
OTHER = "270543918653"  # a realistic id of another account (not a placeholder)


def test_cross_account_principals_are_not_findings(synth):
    # GIVEN deliberate cross-account grants: an event bus open to another account, a role
    # trusting another account's role, a key policy naming another account's root
    from aws_cdk import aws_events as events

    def build(stack):
        bus = events.EventBus(stack, "Bus")
        bus.grant_put_events_to(iam.AccountPrincipal(OTHER))
        events.CfnEventBusPolicy(
            stack,
            "BusPolicy",
            event_bus_name=bus.event_bus_name,
            statement_id="partner",
            statement={
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{OTHER}:root"},
                "Action": "events:PutEvents",
                "Resource": bus.event_bus_arn,
            },
        )
        iam.Role(stack, "Deployer", assumed_by=iam.ArnPrincipal(f"arn:aws:iam::{OTHER}:role/ci"))
        kms.Key(stack, "Key").grant_decrypt(iam.AccountPrincipal(OTHER))

    assert of_class(synth(build, rules=(SLUG,)), SLUG) == []


def test_serverless_application_repository_application_is_not_a_finding(synth):
    from aws_cdk import aws_sam as sam

    def build(stack):
        sam.CfnApplication(
            stack,
            "Rotation",
            location=sam.CfnApplication.ApplicationLocationProperty(
                application_id="arn:aws:serverlessrepo:us-east-1:297356227824:applications/"
                "SecretsManagerRDSPostgreSQLRotationSingleUser",
                semantic_version="1.1.367",
            ),
        )

    assert of_class(synth(build, rules=(SLUG,)), SLUG) == []


def test_placeholder_principal_is_an_error_named_as_placeholder(synth):
    def build(stack):
        kms.Key(stack, "Key").grant_decrypt(iam.AccountPrincipal("111111111111"))

    found = of_class(synth(build, rules=(SLUG,)), SLUG)

    assert [(f.severity, "placeholder" in f.message) for f in found] == [("error", True)]


def test_role_arn_handed_to_a_service_is_the_deploying_account_literal(synth):
    # GIVEN a function on a role ARN written with a real-looking account: Lambda only
    # accepts a role of its own account, so the literal is the deploying account's
    def build(stack):
        role = iam.Role.from_role_arn(stack, "Imported", f"arn:aws:iam::{OTHER}:role/lambda")
        _function(stack, role=role)

    found = of_class(synth(build, rules=(SLUG,)), SLUG)

    assert [(f.severity, f.property_path) for f in found] == [("error", "Properties/Role")]
    assert "deploying account" in found[0].message


def test_undecidable_literal_account_is_a_warning(synth):
    # GIVEN another account's id in an environment variable of an environment-agnostic
    # stack: the template cannot tell whether it is the deploying account
    def build(stack):
        _function(stack, environment={"AUDIT_ACCOUNT": OTHER})

    found = of_class(synth(build, rules=(SLUG,)), SLUG)

    assert [(f.severity, f.property_path) for f in found] == [
        ("warning", "Properties/Environment/Variables/AUDIT_ACCOUNT")
    ]
    assert "if it is the deploying account" in found[0].message
