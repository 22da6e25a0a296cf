"""A typical CDK stack, written correctly, draws no finding from the naming and
hard-coded-value classes: ``hardcoded-account-id``, ``hardcoded-region``,
``s3-bucket-name``, ``environment-suffix``, ``resource-name-format``."""

from __future__ import annotations

import aws_cdk as cdk
import pytest
from aws_cdk import Aws, Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kinesis as kinesis
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs

from tests.rules.conftest import of_class

SLUGS = (
    "hardcoded-account-id",
    "hardcoded-region",
    "s3-bucket-name",
    "environment-suffix",
    "resource-name-format",
)
SUFFIX = "stg"


def _typical(stack: cdk.Stack, code_dir: str) -> None:
    key = kms.Key(stack, "Key", enable_key_rotation=True)
    key.grant_encrypt_decrypt(iam.ServicePrincipal(f"logs.{Aws.REGION}.amazonaws.com"))
    archive = s3.Bucket(
        stack,
        "Archive",
        bucket_name=f"tap-archive-{Aws.ACCOUNT_ID}-{Aws.REGION}-{SUFFIX}",
        encryption_key=key,
        auto_delete_objects=True,
        removal_policy=cdk.RemovalPolicy.DESTROY,
    )
    table = dynamodb.TableV2(
        stack,
        "Aggregates",
        table_name=f"tap-aggregates-{SUFFIX}",
        partition_key=dynamodb.Attribute(name="pk", type=dynamodb.AttributeType.STRING),
        sort_key=dynamodb.Attribute(name="sk", type=dynamodb.AttributeType.STRING),
    )
    stream = kinesis.Stream(stack, "Telemetry", stream_name=f"tap-telemetry-{SUFFIX}")
    dlq = sqs.Queue(stack, "Dlq", queue_name=f"tap-processor-dlq-{SUFFIX}")
    topic = sns.Topic(stack, "Alerts", topic_name=f"tap-alerts-{SUFFIX}")
    log_group = logs.LogGroup(
        stack,
        "ProcessorLogs",
        log_group_name=f"/aws/lambda/tap-processor-{SUFFIX}",
        retention=logs.RetentionDays.ONE_MONTH,
    )
    fn = lambda_.Function(
        stack,
        "Processor",
        function_name=f"tap-processor-{SUFFIX}",
        runtime=lambda_.Runtime.PYTHON_3_12,
        handler="app.handler",
        code=lambda_.Code.from_asset(code_dir),
        log_group=log_group,
        environment={"TABLE_NAME": table.table_name, "TOPIC_ARN": topic.topic_arn},
        layers=[
            lambda_.LayerVersion.from_layer_version_arn(
                stack,
                "Powertools",
                f"arn:{Aws.PARTITION}:lambda:{Aws.REGION}:017000801446:layer:"
                "AWSLambdaPowertoolsPythonV3-python312-x86_64:18",
            )
        ],
    )
    fn.add_event_source(
        sources.KinesisEventSource(
            stream,
            starting_position=lambda_.StartingPosition.LATEST,
            on_failure=sources.SqsDlq(dlq),
        )
    )
    table.grant_read_write_data(fn)
    archive.grant_put(fn)
    topic.grant_publish(fn)
    events.Rule(
        stack,
        "Schedule",
        rule_name=f"tap-alert-schedule-{SUFFIX}",
        schedule=events.Schedule.rate(Duration.minutes(1)),
        targets=[targets.LambdaFunction(fn)],
    )
    cloudwatch.Alarm(
        stack,
        "Errors",
        alarm_name=f"tap-processor-errors-{SUFFIX}",
        metric=fn.metric_errors(),
        threshold=1,
        evaluation_periods=1,
    )


@pytest.mark.parametrize(
    "env",
    [None, cdk.Environment(account="111111111111", region="ap-southeast-2")],
    ids=["environment-agnostic", "concrete-environment"],
)
def test_typical_stack_draws_no_finding(synth, tmp_path, env):
    code = tmp_path / "processor"
    code.mkdir()
    (code / "app.py").write_text("def handler(event, context):\n    return event\n")

    report = synth(lambda stack: _typical(stack, str(code)), suffix=SUFFIX, env=env, rules=SLUGS)

    assert report.resources > 15
    assert [f for slug in SLUGS for f in of_class(report, slug)] == []
