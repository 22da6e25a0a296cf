"""Class `iot-substitution`: IoT substitution templates survive Fn::Sub and IoT SQL parses.

GIVEN IoT topic rules and policies built with CDK, WHEN an IoT expression sits unescaped in
Fn::Sub (or escaped outside it), the SQL does not parse, or the topic filter is invalid,
THEN TAP-IOT-1/2/3 report it on the property that carries it.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_iot as iot
from aws_cdk import aws_kinesis as kinesis
from aws_cdk import aws_s3 as s3

from tests.rules.conftest import of_class

RULES = ("iot-substitution",)
GOOD_SQL = "SELECT *, topic(3) AS sensor_id, timestamp() AS ts FROM 'traffic/v1/+/telemetry'"


def _rule(stack, *, sql=GOOD_SQL, partition_key="${topic(3)}", error_key="errors/${topic(3)}"):
    stream = kinesis.Stream(stack, "Telemetry")
    bucket = s3.Bucket(stack, "Errors")
    role = iam.Role(stack, "RuleRole", assumed_by=iam.ServicePrincipal("iot.amazonaws.com"))
    payload = iot.CfnTopicRule.TopicRulePayloadProperty(
        sql=sql,
        aws_iot_sql_version="2016-03-23",
        actions=[
            iot.CfnTopicRule.ActionProperty(
                kinesis=iot.CfnTopicRule.KinesisActionProperty(
                    stream_name=stream.stream_name,
                    partition_key=partition_key,
                    role_arn=role.role_arn,
                )
            )
        ],
        error_action=iot.CfnTopicRule.ActionProperty(
            s3=iot.CfnTopicRule.S3ActionProperty(
                bucket_name=bucket.bucket_name, key=error_key, role_arn=role.role_arn
            )
        ),
    )
    return iot.CfnTopicRule(stack, "Ingest", topic_rule_payload=payload)


def _found(report):
    return {(f.rule_id, f.property_path): f for f in of_class(report, "iot-substitution")}


def test_unescaped_templates_in_fn_sub_are_reported(synth):
    def build(stack):
        _rule(
            stack,
            partition_key=cdk.Fn.sub("${topic(3)}"),
            error_key=cdk.Fn.sub("errors/${AWS::Region}/${timestamp()}"),
        )

    found = _found(synth(build, rules=RULES))
    key = ("TAP-IOT-1", "Properties/TopicRulePayload/Actions/0/Kinesis/PartitionKey")
    err = ("TAP-IOT-1", "Properties/TopicRulePayload/ErrorAction/S3/Key")
    assert set(found) == {key, err}
    assert "${topic(3)}" in found[key].message and found[key].logical_id == "Ingest"
    assert found[key].fix == "Escape it as ${!topic(3)} inside Fn::Sub."
    assert "${timestamp()}" in found[err].message


def test_unescaped_policy_variable_in_fn_sub_is_reported(synth):
    def build(stack):
        iot.CfnPolicy(
            stack,
            "DevicePolicy",
            policy_document={
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": "iot:Connect",
                        "Resource": cdk.Fn.sub(
                            "arn:${AWS::Partition}:iot:${AWS::Region}:${AWS::AccountId}"
                            ":client/${iot:Connection.Thing.ThingName}"
                        ),
                    }
                ],
            },
        )

    found = _found(synth(build, rules=RULES))
    path = ("TAP-IOT-1", "Properties/PolicyDocument/Statement/0/Resource")
    assert set(found) == {path}
    assert "policy variable ${iot:Connection.Thing.ThingName}" in found[path].message


def test_escape_outside_fn_sub_is_reported(synth):
    def build(stack):
        _rule(stack, partition_key="${!topic(3)}")

    found = _found(synth(build, rules=RULES))
    path = ("TAP-IOT-1", "Properties/TopicRulePayload/Actions/0/Kinesis/PartitionKey")
    assert set(found) == {path}
    assert "outside Fn::Sub" in found[path].message


def test_sql_that_does_not_parse_is_reported(synth):
    def build(stack):
        _rule(stack, sql="SELECT * FORM 'traffic/v1/#'")

    found = _found(synth(build, rules=RULES))
    path = ("TAP-IOT-2", "Properties/TopicRulePayload/Sql")
    assert set(found) == {path}
    assert "SELECT * FORM 'traffic/v1/#'" in found[path].message
    assert "no FROM '<topic filter>' clause" in found[path].message


def test_sql_with_a_clause_iot_lacks_is_reported(synth):
    def build(stack):
        _rule(stack, sql="SELECT * FROM 'traffic/v1/#' WHERE vehicle_count >")

    found = _found(synth(build, rules=RULES))
    assert set(found) == {("TAP-IOT-2", "Properties/TopicRulePayload/Sql")}
    assert "does not parse" in found[("TAP-IOT-2", "Properties/TopicRulePayload/Sql")].message


def test_invalid_topic_filter_is_reported(synth):
    def build(stack):
        _rule(stack, sql="SELECT * FROM 'traffic/#/telemetry'")

    found = _found(synth(build, rules=RULES))
    path = ("TAP-IOT-3", "Properties/TopicRulePayload/Sql")
    assert set(found) == {path}
    assert "'#' must be a whole level and the last one" in found[path].message


def test_escaped_templates_and_valid_sql_pass(synth):
    def build(stack):
        # a deploy-time value inside the quoted topic filter is still checked around it
        sql = f"SELECT *, topic(3) AS sensor_id FROM 'traffic/{cdk.Aws.STACK_NAME}/+/telemetry'"
        _rule(
            stack,
            sql=sql,
            partition_key=cdk.Fn.sub("${!topic(3)}-${AWS::Region}"),
            error_key="errors/${topic(3)}/${timestamp()}",
        )
        iot.CfnPolicy(
            stack,
            "DevicePolicy",
            policy_document={
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": "iot:Connect",
                        "Resource": cdk.Fn.sub(
                            "arn:${AWS::Partition}:iot:${AWS::Region}:${AWS::AccountId}"
                            ":client/${!iot:ClientId}"
                        ),
                    }
                ],
            },
        )

    report = synth(build, rules=RULES)
    assert of_class(report, "iot-substitution") == []
    assert len(report.stacks) == 1 and report.resources >= 5
