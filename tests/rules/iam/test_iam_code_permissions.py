"""iam-code-permissions: the SDK calls of a function's asset against its role (TAP-IAM-1)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from conftest import of_class

SLUG = "iam-code-permissions"

ALERT_APP = '''\
"""An alert function like seed 004's: reads the table, publishes metrics."""
import os

import boto3

cloudwatch = boto3.client("cloudwatch")
table = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])


def handler(event, context):
    item = table.get_item(Key={"pk": "x"})
    cloudwatch.put_metric_data(Namespace="TapTraffic", MetricData=[])
    return item
'''


def _asset(tmp_path: Path, name: str, files: dict[str, str]) -> str:
    root = tmp_path / name
    root.mkdir()
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(textwrap.dedent(text))
    return str(root)


def _function(stack: cdk.Stack, code_dir: str, table: dynamodb.Table) -> lambda_.Function:
    return lambda_.Function(
        stack,
        "Alert",
        runtime=lambda_.Runtime.PYTHON_3_12,
        handler="app.handler",
        code=lambda_.Code.from_asset(code_dir),
        environment={"TABLE_NAME": table.table_name},
    )


def _table(stack: cdk.Stack) -> dynamodb.Table:
    return dynamodb.Table(
        stack,
        "Table",
        partition_key=dynamodb.Attribute(name="pk", type=dynamodb.AttributeType.STRING),
    )


def test_missing_put_metric_data_is_named_with_its_line(synth, tmp_path):
    # GIVEN the seed 004 #5 alert function: the table is granted, CloudWatch is not
    code = _asset(tmp_path, "alert", {"app.py": ALERT_APP})

    def build(stack):
        table = _table(stack)
        table.grant_read_data(_function(stack, code, table))

    # WHEN the stack is checked
    findings = of_class(synth(build, rules=(SLUG,)), SLUG)

    # THEN the finding names the action and the call's place in the asset
    assert len(findings) == 1
    f = findings[0]
    assert f.rule_id == "TAP-IAM-1"
    assert f.logical_id.startswith("Alert")
    assert f.property_path == "Properties/Role"
    assert "cloudwatch:PutMetricData (app.py:12)" in f.message
    assert "dynamodb:GetItem" not in f.message


def test_conditioned_put_metric_data_grant_passes(synth, tmp_path):
    # GIVEN the seed's fix, scoped by the namespace condition
    code = _asset(tmp_path, "alert", {"app.py": ALERT_APP})

    def build(stack):
        table = _table(stack)
        fn = _function(stack, code, table)
        table.grant_read_data(fn)
        fn.add_to_role_policy(
            iam.PolicyStatement(
                actions=["cloudwatch:PutMetricData"],
                resources=["*"],
                conditions={"StringEquals": {"cloudwatch:namespace": "TapTraffic"}},
            )
        )

    assert of_class(synth(build, rules=(SLUG,)), SLUG) == []


STORE_APP = {
    "app.py": """\
        from boto3 import resource
        from boto3.session import Session

        import store

        _clients = {}


        def _s3():
            if "s3" not in _clients:
                _clients["s3"] = Session().client("s3")
            return _clients["s3"]


        def handler(event, context):
            writer = store.Writer(resource("dynamodb").Table("t"))
            writer.save({"pk": "a"})
            _s3().put_object(Bucket="b", Key="rejects/x", Body=b"")
            with writer.table.batch_writer() as batch:
                batch.put_item(Item={"pk": "b"})
        """,
    "store.py": """\
        class Writer:
            def __init__(self, table):
                self.table = table

            def save(self, item):
                self.table.put_item(Item=item)
                self.table.update_item(Key=item)
        """,
}


def test_calls_through_modules_and_getters_need_their_actions(synth, tmp_path):
    # GIVEN a table passed to a class of another module, an S3 client from a lazy getter,
    # and a role that may only read the table
    code = _asset(tmp_path, "proc", STORE_APP)

    def build(stack):
        table = _table(stack)
        table.grant_read_data(_function(stack, code, table))

    findings = of_class(synth(build, rules=(SLUG,)), SLUG)

    assert len(findings) == 1
    msg = findings[0].message
    assert "dynamodb:PutItem (store.py:6)" in msg
    assert "dynamodb:UpdateItem (store.py:7)" in msg
    assert "dynamodb:BatchWriteItem (app.py:19)" in msg
    assert "s3:PutObject (app.py:18)" in msg


def test_grants_from_l2_constructs_cover_the_code(synth, tmp_path):
    code = _asset(tmp_path, "proc", STORE_APP)

    def build(stack):
        table = _table(stack)
        fn = _function(stack, code, table)
        table.grant_read_write_data(fn)
        bucket = s3.Bucket(stack, "Rejects")
        bucket.grant_put(fn, "rejects/*")

    assert of_class(synth(build, rules=(SLUG,)), SLUG) == []


def test_explicit_deny_wins_over_allow(synth, tmp_path):
    code = _asset(
        tmp_path,
        "pub",
        {
            "app.py": """\
            import boto3 as aws

            def handler(event, context):
                aws.session.Session().client("sns").publish(TopicArn="t", Message="m")
            """
        },
    )

    def build(stack):
        topic = sns.Topic(stack, "Topic")
        fn = lambda_.Function(
            stack,
            "Pub",
            runtime=lambda_.Runtime.PYTHON_3_12,
            handler="app.handler",
            code=lambda_.Code.from_asset(code),
        )
        topic.grant_publish(fn)
        fn.add_to_role_policy(
            iam.PolicyStatement(effect=iam.Effect.DENY, actions=["sns:*"], resources=["*"])
        )

    findings = of_class(synth(build, rules=(SLUG,)), SLUG)
    assert len(findings) == 1
    assert "sns:Publish (app.py:4)" in findings[0].message


def test_imported_role_and_unknown_receivers_are_not_judged(synth, tmp_path):
    # GIVEN a function on an imported role, and one whose calls go to objects the
    # analysis cannot identify
    code = _asset(
        tmp_path,
        "misc",
        {
            "app.py": """\
            import boto3

            def handler(event, context):
                event["client"].put_item(Item={})
                boto3.client("s3").generate_presigned_url("get_object")
            """
        },
    )

    def build(stack):
        lambda_.Function(
            stack,
            "OnImportedRole",
            runtime=lambda_.Runtime.PYTHON_3_12,
            handler="app.handler",
            code=lambda_.Code.from_asset(ALERT_DIR(tmp_path)),
            role=iam.Role.from_role_arn(
                stack, "Imported", f"arn:aws:iam::{cdk.Aws.ACCOUNT_ID}:role/ops"
            ),
        )
        lambda_.Function(
            stack,
            "Misc",
            runtime=lambda_.Runtime.PYTHON_3_12,
            handler="app.handler",
            code=lambda_.Code.from_asset(code),
        )

    assert of_class(synth(build, rules=(SLUG,)), SLUG) == []


def ALERT_DIR(tmp_path: Path) -> str:  # noqa: N802 - reads as a constant at the call site
    return _asset(tmp_path, "alert2", {"app.py": ALERT_APP})
