"""``environment-suffix`` (TAP-GEN-3): explicit physical names carry the suffix."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import Aws
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_glue as glue
from aws_cdk import aws_iot as iot
from aws_cdk import aws_kinesis as kinesis
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns

from tests.rules.conftest import of_class

SLUG = "environment-suffix"
SUFFIX = "dev"


def _function(stack: cdk.Stack, **kwargs: object) -> lambda_.Function:
    return lambda_.Function(
        stack,
        "Processor",
        runtime=lambda_.Runtime.PYTHON_3_12,
        handler="index.handler",
        code=lambda_.Code.from_inline("def handler(event, context):\n    return event\n"),
        **kwargs,
    )


def _glue_database(stack: cdk.Stack, name: str) -> glue.CfnDatabase:
    return glue.CfnDatabase(
        stack,
        "Database",
        catalog_id=Aws.ACCOUNT_ID,
        database_input=glue.CfnDatabase.DatabaseInputProperty(name=name),
    )


def _glue_table(stack: cdk.Stack, database: str, name: str) -> glue.CfnTable:
    return glue.CfnTable(
        stack,
        "Table",
        catalog_id=Aws.ACCOUNT_ID,
        database_name=database,
        table_input=glue.CfnTable.TableInputProperty(name=name),
    )


def test_suffix_only_in_construct_id_still_fails(synth):
    # GIVEN seed 004's "fix": the suffix in the construct id, not in the bucket name
    def build(stack):
        s3.Bucket(stack, f"Bucket{SUFFIX}", bucket_name=f"tap-logs-{Aws.ACCOUNT_ID}")

    found = of_class(synth(build, suffix=SUFFIX, rules=(SLUG,)), SLUG)

    assert len(found) == 1
    (f,) = found
    assert f.rule_id == "TAP-GEN-3" and f.severity == "error"
    assert f.logical_id.startswith("Bucketdev")
    assert f.property_path == "Properties/BucketName"
    assert "'dev'" in f.message and "construct id" in f.message


def test_every_named_resource_type_without_suffix_is_reported(synth):
    def build(stack):
        dynamodb.TableV2(
            stack,
            "Aggregates",
            table_name="tap-aggregates",
            partition_key=dynamodb.Attribute(name="pk", type=dynamodb.AttributeType.STRING),
        )
        _function(stack, function_name="tap-processor")
        kinesis.Stream(stack, "Telemetry", stream_name="tap-devices")  # "dev" is not a word
        sns.Topic(stack, "Alerts", topic_name="TapAlerts")
        logs.LogGroup(stack, "Logs", log_group_name="/tap/firehose/archive")
        iot.CfnTopicRule(
            stack,
            "Ingest",
            rule_name="tap_ingest",
            topic_rule_payload=iot.CfnTopicRule.TopicRulePayloadProperty(
                sql="SELECT * FROM 'traffic/v1/+/telemetry'", actions=[]
            ),
        )
        _glue_database(stack, "tap_analytics")

    found = of_class(synth(build, suffix=SUFFIX, rules=(SLUG,)), SLUG)

    assert sorted((f.resource_type, f.property_path) for f in found) == [
        ("AWS::DynamoDB::GlobalTable", "Properties/TableName"),
        ("AWS::Glue::Database", "Properties/DatabaseInput/Name"),
        ("AWS::IoT::TopicRule", "Properties/RuleName"),
        ("AWS::Kinesis::Stream", "Properties/Name"),
        ("AWS::Lambda::Function", "Properties/FunctionName"),
        ("AWS::Logs::LogGroup", "Properties/LogGroupName"),
        ("AWS::SNS::Topic", "Properties/TopicName"),
    ]
    assert any("'tap-devices'" in f.message for f in found)


def test_glue_table_in_an_unsuffixed_database_needs_the_suffix(synth):
    def build(stack):
        _glue_table(stack, database="default", name="telemetry_raw")

    found = of_class(synth(build, suffix=SUFFIX, rules=(SLUG,)), SLUG)

    assert [f.property_path for f in found] == ["Properties/TableInput/Name"]


def test_suffixed_unnamed_and_unknown_names_pass(synth):
    # GIVEN names with the suffix as a word (-, _ and camel case), resources whose names
    # CloudFormation generates, a Glue table inside a suffixed database, and a name
    # from a parameter (unknown: no finding)
    def build(stack):
        s3.Bucket(stack, "Archive", bucket_name=f"tap-archive-{Aws.ACCOUNT_ID}-{SUFFIX}")
        s3.Bucket(stack, "Unnamed")
        _function(stack, function_name=f"tap-processor-{SUFFIX}")
        sns.Topic(stack, "Alerts", topic_name="TapDevAlerts")
        _glue_database(stack, f"tap_analytics_{SUFFIX}")
        _glue_table(stack, database=f"tap_analytics_{SUFFIX}", name="telemetry_raw")
        prefix = cdk.CfnParameter(stack, "NamePrefix", type="String")
        kinesis.Stream(stack, "Telemetry", stream_name=f"{prefix.value_as_string}-telemetry")

    assert of_class(synth(build, suffix=SUFFIX, rules=(SLUG,)), SLUG) == []


def test_rule_is_skipped_when_the_suffix_is_unknown(synth):
    def build(stack):
        s3.Bucket(stack, "Logs", bucket_name=f"tap-logs-{Aws.ACCOUNT_ID}")

    report = synth(build, suffix=None, ephemeral=None, rules=(SLUG,))

    assert of_class(report, SLUG) == []
    assert [s.rule_id for s in report.skipped] == ["TAP-GEN-3"]
