"""``resource-name-format`` (TAP-GEN-4): names the service rejects or Athena cannot query."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import Aws
from aws_cdk import aws_glue as glue
from aws_cdk import aws_iam as iam
from aws_cdk import aws_iot as iot
from aws_cdk import aws_kinesis as kinesis
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sqs as sqs

from tap.rules.resolve import longest_region_name
from tests.rules.conftest import of_class

SLUG = "resource-name-format"


def _topic_rule(stack: cdk.Stack, name: str, cid: str = "Ingest") -> iot.CfnTopicRule:
    return iot.CfnTopicRule(
        stack,
        cid,
        rule_name=name,
        topic_rule_payload=iot.CfnTopicRule.TopicRulePayloadProperty(
            sql="SELECT * FROM 'traffic/v1/+/telemetry'", actions=[]
        ),
    )


def _function(stack: cdk.Stack, name: str) -> lambda_.Function:
    return lambda_.Function(
        stack,
        "Processor",
        function_name=name,
        runtime=lambda_.Runtime.PYTHON_3_12,
        handler="index.handler",
        code=lambda_.Code.from_inline("def handler(event, context):\n    return event\n"),
    )


def test_iot_rule_name_with_hyphens_is_rejected(synth):
    report = synth(lambda stack: _topic_rule(stack, "tap-ingest-dev"), rules=(SLUG,))

    found = of_class(report, SLUG)
    assert len(found) == 1
    (f,) = found
    assert f.rule_id == "TAP-GEN-4" and f.severity == "error"
    assert f.property_path == "Properties/RuleName"
    assert "'tap-ingest-dev'" in f.message and "'-'" in f.message
    assert "_" in f.fix


def test_glue_names_athena_must_quote_are_warnings(synth):
    # GIVEN a database with capitals and a hyphen, and a table whose name takes the
    # region (whose hyphens Athena cannot take unquoted): Glue accepts both (issue 9)
    def build(stack):
        glue.CfnDatabase(
            stack,
            "Database",
            catalog_id=Aws.ACCOUNT_ID,
            database_input=glue.CfnDatabase.DatabaseInputProperty(name="Tap-Analytics"),
        )
        glue.CfnTable(
            stack,
            "Table",
            catalog_id=Aws.ACCOUNT_ID,
            database_name="tap_analytics",
            table_input=glue.CfnTable.TableInputProperty(name=f"telemetry_{Aws.REGION}"),
        )

    findings = of_class(synth(build, rules=(SLUG,)), SLUG)
    found = {f.property_path: f.message for f in findings}

    assert {f.severity for f in findings} == {"warning"}
    assert set(found) == {"Properties/DatabaseInput/Name", "Properties/TableInput/Name"}
    assert "Athena needs quoted: '-', 'A', 'T'" in found["Properties/DatabaseInput/Name"]
    assert "'-'" in found["Properties/TableInput/Name"]


def test_length_is_computed_with_the_longest_region_and_a_12_digit_account(synth):
    # GIVEN a function name of 60 characters in us-east-1 (it deploys there) but longer
    # than Lambda's 64 in the longest-named region
    stem = "tap-x"
    base = f"{stem}-{{region}}-{'1' * 12}-"
    pad = 60 - len(base.format(region="us-east-1"))
    name = f"{stem}-{Aws.REGION}-{Aws.ACCOUNT_ID}-{'p' * pad}"
    worst = 60 - len("us-east-1") + len(longest_region_name())

    found = of_class(synth(lambda stack: _function(stack, name), rules=(SLUG,)), SLUG)

    assert [f.property_path for f in found] == ["Properties/FunctionName"]
    assert f"is {worst} characters" in found[0].message
    assert longest_region_name() in found[0].message and "(max 64)" in found[0].message


def test_fifo_and_standard_queue_names(synth):
    # GIVEN a FIFO queue without the .fifo suffix, a standard queue with a dot, and an
    # IAM role name over 64 characters (escape hatches: the L2s validate literals)
    def build(stack):
        sqs.CfnQueue(stack, "Jobs", queue_name="tap-jobs-dev", fifo_queue=True)
        sqs.CfnQueue(stack, "Dlq", queue_name="tap.dlq.dev")
        role = iam.Role(stack, "Role", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
        role.node.default_child.add_property_override("RoleName", "tap-" + "r" * 70)

    found = {f.logical_id: f.message for f in of_class(synth(build, rules=(SLUG,)), SLUG)}
    role = next(lid for lid in found if lid.startswith("Role"))

    assert set(found) == {"Jobs", "Dlq", role}
    assert "does not end with '.fifo'" in found["Jobs"]
    assert "not allowed: '.'" in found["Dlq"]
    assert "is 74 characters (max 64)" in found[role]


def test_literal_parts_around_unknown_tokens_are_checked_but_not_length(synth):
    # GIVEN names built from a parameter: the literal '-' is certain, the length is not
    def build(stack):
        prefix = cdk.CfnParameter(stack, "Prefix", type="String").value_as_string
        _topic_rule(stack, f"{prefix}-ingest")
        _topic_rule(stack, f"{prefix}_{'x' * 20}", cid="Other")

    found = of_class(synth(build, rules=(SLUG,)), SLUG)

    assert [(f.logical_id, "'-'" in f.message) for f in found] == [("Ingest", True)]


def test_valid_names_pass(synth):
    def build(stack):
        suffix = "dev"
        _topic_rule(stack, f"tap_ingest_{suffix}")
        _function(stack, f"tap-processor-{suffix}")
        kinesis.Stream(stack, "Telemetry", stream_name=f"tap-telemetry-{suffix}")
        logs.LogGroup(stack, "Logs", log_group_name=f"/tap/firehose/archive-{suffix}")
        sqs.Queue(stack, "Jobs", queue_name=f"tap-jobs-{suffix}.fifo", fifo=True)
        glue.CfnDatabase(
            stack,
            "Database",
            catalog_id=Aws.ACCOUNT_ID,
            database_input=glue.CfnDatabase.DatabaseInputProperty(name=f"tap_analytics_{suffix}"),
        )
        iam.Role(
            stack,
            "Role",
            role_name=f"tap-processor-{Aws.REGION}-{suffix}",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
        )

    assert of_class(synth(build, rules=(SLUG,)), SLUG) == []


def test_valid_glue_database_name_with_a_hyphen_is_not_an_error(synth):
    # GIVEN issue 9's "log-database": valid for Glue, quoted in Athena queries
    def build(stack):
        glue.CfnDatabase(
            stack,
            "Logs",
            catalog_id=Aws.ACCOUNT_ID,
            database_input=glue.CfnDatabase.DatabaseInputProperty(name="log-database"),
        )

    findings = of_class(synth(build, rules=(SLUG,)), SLUG)

    assert [(f.severity, f.property_path) for f in findings] == [
        ("warning", "Properties/DatabaseInput/Name")
    ]


def test_dynamic_reference_names_are_not_checked_as_literals(synth):
    # GIVEN names read from SSM at deploy time: "{{resolve:ssm:...}}" is replaced by
    # CloudFormation, its braces and colons are not the name's characters
    from aws_cdk import aws_sqs as sqs

    def build(stack):
        sqs.CfnQueue(stack, "Queue", queue_name="{{resolve:ssm:/app/queue-name}}")
        glue.CfnDatabase(
            stack,
            "Database",
            catalog_id=Aws.ACCOUNT_ID,
            database_input=glue.CfnDatabase.DatabaseInputProperty(
                name="{{resolve:ssm:/app/database}}"
            ),
        )

    report = synth(build, rules=(SLUG, "environment-suffix"))

    assert of_class(report, SLUG) == []
    assert of_class(report, "environment-suffix") == []
