"""Per environment: deletion policies (ephemeral dev/staging vs persistent prod) and names."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from aws_cdk.assertions import Template
from stack_helpers import resources

#: Resources that hold data (or protect it) and must follow the environment's removal policy.
STATEFUL = (
    "AWS::DynamoDB::Table",
    "AWS::Kinesis::Stream",
    "AWS::S3::Bucket",
    "AWS::SQS::Queue",
    "AWS::Logs::LogGroup",
    "AWS::KMS::Key",
)

#: Physical-name properties by resource type.
NAME_PROPERTIES = {
    "AWS::DynamoDB::Table": "TableName",
    "AWS::Kinesis::Stream": "Name",
    "AWS::Lambda::Function": "FunctionName",
    "AWS::SQS::Queue": "QueueName",
    "AWS::SNS::Topic": "TopicName",
    "AWS::Logs::LogGroup": "LogGroupName",
    "AWS::CloudWatch::Alarm": "AlarmName",
    "AWS::Events::Rule": "Name",
    "AWS::IoT::TopicRule": "RuleName",
    "AWS::IoT::Policy": "PolicyName",
    "AWS::IoT::ThingType": "ThingTypeName",
    "AWS::Athena::WorkGroup": "Name",
    "AWS::Athena::NamedQuery": "Name",
    "AWS::KinesisFirehose::DeliveryStream": "DeliveryStreamName",
    "AWS::StepFunctions::StateMachine": "StateMachineName",
}


@pytest.mark.parametrize("env_name", ["dev", "staging"])
def test_given_ephemeral_env_then_every_stateful_resource_is_deleted_and_buckets_emptied(
    env_name: str, template_for: Callable[[str], Template]
) -> None:
    template = template_for(env_name)
    for cfn_type in STATEFUL:
        found = resources(template, cfn_type)
        assert found, cfn_type
        for logical_id, resource in found.items():
            assert resource.get("DeletionPolicy") == "Delete", (cfn_type, logical_id)
    buckets = set(resources(template, "AWS::S3::Bucket"))
    emptied = {
        r["Properties"]["BucketName"]["Ref"]
        for r in resources(template, "Custom::S3AutoDeleteObjects").values()
    }
    assert emptied == buckets
    table = next(iter(resources(template, "AWS::DynamoDB::Table").values()))
    assert table["Properties"]["DeletionProtectionEnabled"] is False


def test_given_prod_then_data_stores_are_retained_protected_and_versioned(prod: Template) -> None:
    for cfn_type in STATEFUL:
        for logical_id, resource in resources(prod, cfn_type).items():
            assert resource.get("DeletionPolicy") == "Retain", (cfn_type, logical_id)
            assert resource.get("UpdateReplacePolicy") == "Retain", (cfn_type, logical_id)
    assert resources(prod, "Custom::S3AutoDeleteObjects") == {}
    table = next(iter(resources(prod, "AWS::DynamoDB::Table").values()))
    assert table["Properties"]["DeletionProtectionEnabled"] is True
    for bucket in resources(prod, "AWS::S3::Bucket").values():
        assert bucket["Properties"]["VersioningConfiguration"] == {"Status": "Enabled"}


def test_given_prod_then_retention_settings_come_from_its_config(prod: Template) -> None:
    prod.has_resource_properties("AWS::Kinesis::Stream", {"RetentionPeriodHours": 168})
    for group in resources(prod, "AWS::Logs::LogGroup").values():
        assert group["Properties"]["RetentionInDays"] == 90


@pytest.mark.parametrize(
    ("env_name", "suffix"), [("dev", "dev"), ("staging", "stg"), ("prod", "prod")]
)
def test_every_physical_name_carries_the_suffix(
    env_name: str, suffix: str, template_for: Callable[[str], Template]
) -> None:
    template = template_for(env_name)
    checked = 0
    for cfn_type, prop in NAME_PROPERTIES.items():
        for logical_id, resource in resources(template, cfn_type).items():
            name = resource["Properties"].get(prop)
            if name is None:
                continue  # CloudFormation-generated name (e.g. CDK's framework functions)
            assert isinstance(name, str), (logical_id, name)
            assert suffix in name, (cfn_type, name)
            checked += 1
    assert checked >= 25
    glue = [
        t["Properties"]["TableInput"]["Name"]
        for t in resources(template, "AWS::Glue::Table").values()
    ]
    glue += [
        d["Properties"]["DatabaseInput"]["Name"]
        for d in resources(template, "AWS::Glue::Database").values()
    ]
    assert glue and all(name.endswith(f"_{suffix}") for name in glue)
    assert all(name == name.lower() and "-" not in name for name in glue)


def test_no_account_id_or_region_literal_in_the_template(prod: Template) -> None:
    template = prod.to_json()
    # Resources and outputs (Mappings hold CDK's per-region lookup tables, keyed by region).
    rendered = json.dumps([template["Resources"], template["Outputs"]])
    # Built in-process without CDK_DEFAULT_*: account and region must stay pseudo-parameters.
    assert '"Ref": "AWS::AccountId"' in rendered
    for region in ("us-east-1", "us-west-2", "eu-west-1", "eu-central-1"):
        assert region not in rendered
