"""TapStack-dev, stage by stage: the properties a user of the pipeline would notice.

Each test reads the synthesized CloudFormation template (aws_cdk.assertions.Template).
"""

from __future__ import annotations

import json
from typing import Any

from aws_cdk.assertions import Match, Template
from stack_helpers import only, resources


def _statements(template: Template, role_path_fragment: str) -> list[dict[str, Any]]:
    """All policy statements attached to the role whose construct path contains the fragment."""
    found = []
    for policy in resources(template, "AWS::IAM::Policy").values():
        if role_path_fragment in policy["Metadata"]["aws:cdk:path"]:
            found.extend(policy["Properties"]["PolicyDocument"]["Statement"])
    assert found, f"no policy for {role_path_fragment}"
    return found


def _actions(statement: dict[str, Any]) -> list[str]:
    action = statement["Action"]
    return [action] if isinstance(action, str) else list(action)


# -- 1. IoT Core -----------------------------------------------------------------------------


def test_iot_rule_partitions_by_segment_with_a_literal_substitution(dev: Template) -> None:
    rule = only(dev, "AWS::IoT::TopicRule")["Properties"]
    assert rule["RuleName"] == "tap_telemetry_dev"
    payload = rule["TopicRulePayload"]
    assert payload["Sql"] == "SELECT * FROM 'traffic/v1/+/telemetry'"
    kinesis = payload["Actions"][0]["Kinesis"]
    # Keyed by segment (writes at the floor), by sensor when the payload has no segment.
    # A plain string: inside Fn::Sub CloudFormation would try to resolve ${topic(3)}.
    assert kinesis["PartitionKey"] == "${get_or_default(segment_id, topic(3))}"
    assert "CloudwatchLogs" in payload["ErrorAction"]
    assert "Fn::Sub" not in json.dumps(rule)


def test_iot_rule_role_may_put_records_on_the_stream_only(dev: Template) -> None:
    statements = _statements(dev, "/Ingest/RuleRole/")
    kinesis = [s for s in statements if any(a.startswith("kinesis:") for a in _actions(s))]
    assert kinesis == [
        {
            "Action": "kinesis:PutRecord",
            "Effect": "Allow",
            "Resource": {"Fn::GetAtt": [_logical_id(dev, "AWS::Kinesis::Stream"), "Arn"]},
        }
    ]


def test_iot_policy_lets_a_thing_connect_and_publish_only_as_itself(dev: Template) -> None:
    policy = only(dev, "AWS::IoT::Policy")["Properties"]
    assert policy["PolicyName"] == "tap-device-dev"
    rendered = json.dumps(policy["PolicyDocument"])
    statements = policy["PolicyDocument"]["Statement"]
    assert sorted(s["Action"] for s in statements) == ["iot:Connect", "iot:Publish"]
    assert ":client/${iot:Connection.Thing.ThingName}" in rendered
    assert ":topic/traffic/v1/${iot:Connection.Thing.ThingName}/telemetry" in rendered
    assert "*" not in rendered
    assert "Fn::Sub" not in rendered


def test_iot_thing_type_has_at_most_three_searchable_attributes(dev: Template) -> None:
    thing_type = only(dev, "AWS::IoT::ThingType")["Properties"]
    assert thing_type["ThingTypeName"] == "tap-sensor-dev"
    assert 0 < len(thing_type["ThingTypeProperties"]["SearchableAttributes"]) <= 3


# -- 2. Kinesis ------------------------------------------------------------------------------


def test_stream_is_on_demand_encrypted_with_configured_retention(dev: Template) -> None:
    dev.has_resource_properties(
        "AWS::Kinesis::Stream",
        {
            "Name": "tap-telemetry-dev",
            "StreamModeDetails": {"StreamMode": "ON_DEMAND"},
            "StreamEncryption": {"EncryptionType": "KMS", "KeyId": "alias/aws/kinesis"},
            "RetentionPeriodHours": 24,
        },
    )


def test_stream_iterator_age_alarm_fires_at_half_the_retention(dev: Template) -> None:
    dev.has_resource_properties(
        "AWS::CloudWatch::Alarm",
        {
            "AlarmName": "tap-stream-iterator-age-dev",
            "MetricName": "GetRecords.IteratorAgeMilliseconds",
            "Threshold": 12 * 3600 * 1000,
        },
    )


# -- 3. Processor ----------------------------------------------------------------------------


def test_event_source_mapping_isolates_and_bounds_failures(dev: Template) -> None:
    mapping = only(dev, "AWS::Lambda::EventSourceMapping")["Properties"]
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert mapping["BisectBatchOnFunctionError"] is True
    assert mapping["MaximumRetryAttempts"] == 3
    assert mapping["MaximumRecordAgeInSeconds"] == 3600
    assert mapping["StartingPosition"] == "TRIM_HORIZON"
    dlq = _logical_id(dev, "AWS::SQS::Queue")
    assert mapping["DestinationConfig"]["OnFailure"]["Destination"] == {"Fn::GetAtt": [dlq, "Arn"]}


def test_dead_letter_queue_is_encrypted_and_tls_only(dev: Template) -> None:
    dev.has_resource_properties(
        "AWS::SQS::Queue",
        {"QueueName": "tap-processor-dlq-dev", "SqsManagedSseEnabled": True},
    )
    dev.has_resource_properties(
        "AWS::SQS::QueuePolicy",
        {
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {
                                "Effect": "Deny",
                                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                            }
                        )
                    ]
                )
            }
        },
    )


def test_functions_run_python_312_with_tracing_logs_and_powertools_layer(dev: Template) -> None:
    functions = {
        f["Properties"]["FunctionName"]: f["Properties"]
        for f in resources(dev, "AWS::Lambda::Function").values()
        if "FunctionName" in f["Properties"]
    }
    assert set(functions) == {"tap-processor-dev", "tap-alert-dev"}
    parameter = next(
        name
        for name, p in dev.to_json()["Parameters"].items()
        if p.get("Default") == "/aws/service/powertools/python/x86_64/python3.12/latest"
    )
    assert dev.to_json()["Parameters"][parameter]["Type"] == "AWS::SSM::Parameter::Value<String>"
    for fn in functions.values():
        assert fn["Runtime"] == "python3.12"
        assert fn["Handler"] == "app.handler"
        assert fn["TracingConfig"] == {"Mode": "Active"}
        assert fn["Layers"] == [{"Ref": parameter}]
        assert "LogGroup" in fn["LoggingConfig"]


def test_processor_environment_and_permissions_follow_the_contract(dev: Template) -> None:
    processor = next(
        f["Properties"]
        for f in resources(dev, "AWS::Lambda::Function").values()
        if f["Properties"].get("FunctionName") == "tap-processor-dev"
    )
    env = processor["Environment"]["Variables"]
    assert env["TABLE_NAME"] == {"Ref": _logical_id(dev, "AWS::DynamoDB::Table")}
    assert env["REJECTS_PREFIX"] == "rejects/"
    assert env["TTL_DAYS"] == "30"
    assert env["POWERTOOLS_SERVICE_NAME"] == "processor"
    assert env["POWERTOOLS_METRICS_NAMESPACE"] == "TapTraffic"
    statements = _statements(dev, "/Processing/Processor/Role/")
    dynamo = [s for s in statements if any(a.startswith("dynamodb:") for a in _actions(s))]
    assert [sorted(_actions(s)) for s in dynamo] == [
        ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"]
    ]
    assert dynamo[0]["Resource"] == {
        "Fn::GetAtt": [_logical_id(dev, "AWS::DynamoDB::Table"), "Arn"]
    }
    s3_writes = [s for s in statements if "s3:PutObject" in _actions(s)]
    assert len(s3_writes) == 1
    assert "/rejects/*" in json.dumps(s3_writes[0]["Resource"])
    assert not any(a in ("*", "dynamodb:*", "s3:*") for s in statements for a in _actions(s))


# -- 4. DynamoDB -----------------------------------------------------------------------------


def test_table_is_on_demand_encrypted_with_pitr_ttl_and_query_keys(dev: Template) -> None:
    table = only(dev, "AWS::DynamoDB::Table")["Properties"]
    assert table["TableName"] == "tap-aggregates-dev"
    assert table["BillingMode"] == "PAY_PER_REQUEST"
    assert table["SSESpecification"] == {"SSEEnabled": True}
    assert table["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    assert table["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}
    assert table["KeySchema"] == [
        {"AttributeName": "pk", "KeyType": "HASH"},
        {"AttributeName": "sk", "KeyType": "RANGE"},
    ]
    (index,) = table["GlobalSecondaryIndexes"]
    assert index["IndexName"] == "by-minute"
    assert index["KeySchema"] == [
        {"AttributeName": "minute", "KeyType": "HASH"},
        {"AttributeName": "segment_id", "KeyType": "RANGE"},
    ]
    assert index["Projection"] == {"ProjectionType": "ALL"}


# -- 5. Analytics ----------------------------------------------------------------------------


def test_firehose_archives_the_stream_compressed_and_partitioned_by_hour(dev: Template) -> None:
    stream = only(dev, "AWS::KinesisFirehose::DeliveryStream")["Properties"]
    assert stream["DeliveryStreamName"] == "tap-archive-dev"
    assert stream["DeliveryStreamType"] == "KinesisStreamAsSource"
    s3 = stream["ExtendedS3DestinationConfiguration"]
    assert s3["CompressionFormat"] == "GZIP"
    assert s3["Prefix"] == "raw/telemetry/dt=!{timestamp:yyyy-MM-dd}/hour=!{timestamp:HH}/"
    assert "ErrorOutputPrefix" in s3
    processors = s3["ProcessingConfiguration"]["Processors"]
    assert [p["Type"] for p in processors] == ["AppendDelimiterToRecord"]


def test_buckets_are_private_encrypted_and_tls_only(dev: Template) -> None:
    buckets = resources(dev, "AWS::S3::Bucket")
    assert len(buckets) == 3
    for bucket in buckets.values():
        props = bucket["Properties"]
        assert "BucketName" not in props  # CloudFormation names them: globally unique
        assert props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
        assert props["PublicAccessBlockConfiguration"] == {
            "BlockPublicAcls": True,
            "BlockPublicPolicy": True,
            "IgnorePublicAcls": True,
            "RestrictPublicBuckets": True,
        }
    policies = resources(dev, "AWS::S3::BucketPolicy").values()
    tls_only = [
        p
        for p in policies
        if '"aws:SecureTransport": "false"' in json.dumps(p["Properties"]["PolicyDocument"])
    ]
    assert len(tls_only) == 3


def test_glue_tables_use_partition_projection_and_lowercase_names(dev: Template) -> None:
    database = only(dev, "AWS::Glue::Database")["Properties"]["DatabaseInput"]
    assert database["Name"] == "tap_analytics_dev"
    tables = {
        t["Properties"]["TableInput"]["Name"]: t["Properties"]
        for t in resources(dev, "AWS::Glue::Table").values()
    }
    assert set(tables) == {"telemetry_raw_dev", "aggregates_export_dev"}
    for table in tables.values():
        assert table["DatabaseName"] == "tap_analytics_dev"
        assert table["TableInput"]["Parameters"]["projection.enabled"] == "true"
        assert "storage.location.template" in table["TableInput"]["Parameters"]


def test_athena_workgroup_enforces_encrypted_results_and_a_scan_cap(dev: Template) -> None:
    workgroup = only(dev, "AWS::Athena::WorkGroup")["Properties"]
    assert workgroup["Name"] == "tap-analytics-dev"
    config = workgroup["WorkGroupConfiguration"]
    assert config["EnforceWorkGroupConfiguration"] is True
    assert config["BytesScannedCutoffPerQuery"] == 1073741824
    results = config["ResultConfiguration"]
    assert results["EncryptionConfiguration"] == {"EncryptionOption": "SSE_S3"}
    results_bucket = next(
        logical_id
        for logical_id, b in resources(dev, "AWS::S3::Bucket").items()
        if "ResultsBucket" in b["Metadata"]["aws:cdk:path"]
    )
    assert {"Ref": results_bucket} in results["OutputLocation"]["Fn::Join"][1]


def test_named_queries_cover_volume_hotspots_percentiles_and_exports(dev: Template) -> None:
    queries = {
        q["Properties"]["Name"]: q["Properties"]
        for q in resources(dev, "AWS::Athena::NamedQuery").values()
    }
    assert set(queries) == {
        "tap-hourly-volume-per-segment-dev",
        "tap-congestion-hotspots-dev",
        "tap-speed-percentiles-dev",
        "tap-aggregates-from-pitr-export-dev",
        "tap-raw-archive-audit-dev",
    }
    assert "approx_percentile" in queries["tap-speed-percentiles-dev"]["QueryString"]
    # Queries over readings read the readings the processor counted (the aggregate items'
    # idempotency entries in the exports); only the audit query reads the raw archive.
    for name, query in queries.items():
        sql = query["QueryString"]
        if name == "tap-raw-archive-audit-dev":
            assert "telemetry_raw_dev" in sql
        else:
            assert "telemetry_raw_dev" not in sql and "aggregates_export_dev" in sql
    assert "aggregates_export_dev" in queries["tap-aggregates-from-pitr-export-dev"]["QueryString"]


def test_pitr_export_runs_hourly_as_an_incremental_export(dev: Template) -> None:
    machine = only(dev, "AWS::StepFunctions::StateMachine")["Properties"]
    definition = json.dumps(machine["DefinitionString"])
    assert "INCREMENTAL_EXPORT" in definition
    assert "aws-sdk:dynamodb:exportTableToPointInTime" in definition
    dev.has_resource_properties(
        "AWS::Events::Rule",
        {"Name": "tap-aggregates-export-dev", "ScheduleExpression": "cron(15 * * * ? *)"},
    )
    statements = _statements(dev, "/Analytics/ExportStateMachine/")
    assert any("dynamodb:ExportTableToPointInTime" in _actions(s) for s in statements)


# -- 6. Alerting -----------------------------------------------------------------------------


def test_alert_function_queries_the_index_and_scopes_put_metric_data(dev: Template) -> None:
    statements = _statements(dev, "/Alerting/Alert/Role/")
    query = next(s for s in statements if _actions(s) == ["dynamodb:Query"])
    assert "/index/by-minute" in json.dumps(query["Resource"])
    metrics = next(s for s in statements if _actions(s) == ["cloudwatch:PutMetricData"])
    assert metrics["Condition"] == {"StringEquals": {"cloudwatch:namespace": "TapTraffic"}}
    assert not any("dynamodb:Scan" in _actions(s) for s in statements)
    assert any(_actions(s) == ["sns:Publish"] for s in statements)


def test_alert_topic_key_lets_cloudwatch_alarms_publish(dev: Template) -> None:
    topic = only(dev, "AWS::SNS::Topic")["Properties"]
    assert topic["TopicName"] == "tap-alerts-dev"
    key_id = topic["KmsMasterKeyId"]["Fn::GetAtt"][0]
    key_policy = resources(dev, "AWS::KMS::Key")[key_id]["Properties"]["KeyPolicy"]
    cloudwatch = [
        s
        for s in key_policy["Statement"]
        if s.get("Principal") == {"Service": "cloudwatch.amazonaws.com"}
    ]
    assert len(cloudwatch) == 1
    assert sorted(_actions(cloudwatch[0])) == ["kms:Decrypt", "kms:GenerateDataKey*"]


def test_alarms_cover_errors_throttles_lag_dlq_and_congestion(dev: Template) -> None:
    alarms = {
        a["Properties"]["AlarmName"]: a["Properties"]
        for a in resources(dev, "AWS::CloudWatch::Alarm").values()
    }
    assert set(alarms) == {
        "tap-processor-errors-dev",
        "tap-processor-throttles-dev",
        "tap-processor-iterator-age-dev",
        "tap-processor-dlq-depth-dev",
        "tap-congestion-dev",
        "tap-alert-errors-dev",
        "tap-stream-iterator-age-dev",
    }
    topic = _logical_id(dev, "AWS::SNS::Topic")
    for alarm in alarms.values():
        assert alarm["AlarmActions"] == [{"Ref": topic}]
    assert alarms["tap-congestion-dev"]["Namespace"] == "TapTraffic"


def test_no_email_subscription_unless_configured(dev: Template) -> None:
    assert resources(dev, "AWS::SNS::Subscription") == {}


# -- whole stack -----------------------------------------------------------------------------


def test_every_log_group_has_a_retention(dev: Template) -> None:
    groups = resources(dev, "AWS::Logs::LogGroup")
    assert len(groups) == 5
    assert all(g["Properties"]["RetentionInDays"] == 7 for g in groups.values())


def test_template_records_its_environment_and_exports_the_endpoints(dev: Template) -> None:
    template = dev.to_json()
    assert template["Metadata"]["TapEnvironment"] == {
        "name": "dev",
        "suffix": "dev",
        "ephemeral": True,
    }
    expected = {
        "StreamName", "TableName", "ArchiveBucketName", "AthenaWorkGroupName",
        "GlueDatabaseName", "AlertTopicArn", "DeadLetterQueueUrl", "IotTopicPrefix",
        "ProcessorFunctionName", "AlertFunctionName", "DeliveryStreamName",
    }  # fmt: skip
    assert expected <= set(template["Outputs"])
    assert template["Outputs"]["IotTopicPrefix"]["Value"] == "traffic/v1"


def _logical_id(template: Template, cfn_type: str) -> str:
    found = resources(template, cfn_type)
    assert len(found) == 1, f"expected one {cfn_type}"
    return next(iter(found))
