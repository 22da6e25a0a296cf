"""iam-unknown-reference: IAM actions and AWS managed policy ARNs exist (TAP-IAM-2, -3)."""

from __future__ import annotations

from aws_cdk import aws_iam as iam
from aws_cdk import aws_kinesis as kinesis
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from conftest import of_class

from tap.rules.iam.unknown_reference import action_problem

SLUG = "iam-unknown-reference"


def _role(stack, **kwargs):
    return iam.Role(
        stack, "Role", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"), **kwargs
    )


def test_actions_that_do_not_exist_are_findings(synth):
    def build(stack):
        stream = kinesis.Stream(stack, "Stream")
        role = _role(stack)
        role.add_to_policy(
            iam.PolicyStatement(actions=["kinesis:ReadStream"], resources=[stream.stream_arn])
        )
        bucket = s3.Bucket(stack, "Bucket")
        bucket.add_to_resource_policy(
            iam.PolicyStatement(
                actions=["s3:GetObjects", "s3:Put*"],
                resources=[bucket.arn_for_objects("*")],
                principals=[iam.AccountRootPrincipal()],
            )
        )

    findings = of_class(synth(build, rules=(SLUG,)), SLUG)

    messages = {f.message for f in findings}
    assert "IAM action 'kinesis:ReadStream' is not a kinesis action" in messages
    assert "IAM action 's3:GetObjects' is not a s3 action" in messages
    assert len(findings) == 2
    assert all(f.rule_id == "TAP-IAM-2" for f in findings)
    paths = {f.property_path for f in findings}
    assert "Properties/PolicyDocument/Statement/0/Action" in paths  # the role's policy
    assert "Properties/PolicyDocument/Statement/0/Action/0" in paths  # the bucket policy


def test_unknown_prefix_and_empty_wildcard_are_findings():
    assert "no IAM service has the prefix 'kinesiss'" in action_problem("kinesiss:GetRecords")
    assert "matches no s3 action" in action_problem("s3:Fetch*")
    assert action_problem("S3:getobject") is None  # IAM action names are case-insensitive
    assert action_problem("dynamodb:*") is None


def test_lambda_permission_action_is_checked(synth):
    def build(stack):
        fn = lambda_.Function(
            stack,
            "Fn",
            runtime=lambda_.Runtime.PYTHON_3_12,
            handler="index.handler",
            code=lambda_.Code.from_inline("def handler(e, c):\n    pass\n"),
        )
        fn.add_permission(
            "Iot", principal=iam.ServicePrincipal("iot.amazonaws.com"), action="lambda:Invoke"
        )

    findings = of_class(synth(build, rules=(SLUG,)), SLUG)
    assert [(f.rule_id, f.property_path) for f in findings] == [("TAP-IAM-2", "Properties/Action")]


def test_managed_policy_that_does_not_exist_is_a_finding(synth):
    # GIVEN seed 001 #10's ARN
    def build(stack):
        _role(
            stack,
            managed_policies=[
                iam.ManagedPolicy.from_managed_policy_arn(
                    stack, "Config", "arn:aws:iam::aws:policy/service-role/ConfigRole"
                )
            ],
        )

    findings = of_class(synth(build, rules=(SLUG,)), SLUG)

    assert len(findings) == 1
    f = findings[0]
    assert (f.rule_id, f.property_path) == ("TAP-IAM-3", "Properties/ManagedPolicyArns/0")
    assert "service-role/ConfigRole does not exist" in f.message
    assert "service-role/AWS_ConfigRole" in f.message


def test_real_actions_and_managed_policies_pass(synth):
    def build(stack):
        stream = kinesis.Stream(stack, "Stream")
        role = _role(
            stack,
            managed_policies=[
                iam.ManagedPolicy.from_aws_managed_policy_name("service-role/AWS_ConfigRole"),
                iam.ManagedPolicy.from_aws_managed_policy_name(
                    "service-role/AWSLambdaBasicExecutionRole"
                ),
            ],
        )
        stream.grant_read(role)
        role.add_to_policy(iam.PolicyStatement(actions=["s3:Get*"], resources=["*"]))

    assert of_class(synth(build, rules=(SLUG,)), SLUG) == []


def test_iam_unknown_reference_accepts_the_actions_of_snss_own_default_topic_policy(synth):
    # GIVEN a topic policy as AWS Solutions Constructs write it: SNS's default statement,
    # which lists SNS:Receive (not in the Service Authorization Reference), and a typo
    def build(stack):
        topic = sns.Topic(stack, "Topic")
        topic.add_to_resource_policy(
            iam.PolicyStatement(
                actions=["SNS:Publish", "SNS:Receive", "SNS:Subscribe"],
                resources=[topic.topic_arn],
                principals=[iam.AccountRootPrincipal()],
            )
        )
        topic.add_to_resource_policy(
            iam.PolicyStatement(
                actions=["SNS:Recieve"],
                resources=[topic.topic_arn],
                principals=[iam.AccountRootPrincipal()],
            )
        )

    # WHEN the pack checks it THEN only the typo is a finding
    findings = of_class(synth(build, rules=(SLUG,)), SLUG)
    assert [f.message for f in findings] == ["IAM action 'SNS:Recieve' is not a SNS action"]
