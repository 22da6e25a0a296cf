"""Class `cfn-schema`: rendered properties match the CloudFormation resource schemas.

GIVEN real CDK constructs, WHEN an escape hatch, a typed-but-unchecked L1 value or a raw
CfnResource renders something the CloudFormation registry schema rejects, THEN TAP-CFN-1/2
report it with the cfn-lint rule id and the property path.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_dynamodb as ddb
from aws_cdk import aws_iot as iot
from aws_cdk import aws_kinesis as kinesis
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3

from tests.rules.conftest import of_class

RULES = ("cfn-schema",)


def _paths(report, rule_id):
    return {f.property_path: f for f in of_class(report, "cfn-schema") if f.rule_id == rule_id}


def test_escape_hatch_unknown_property_is_reported(synth):
    def build(stack):
        bucket = s3.Bucket(stack, "State")
        bucket.node.default_child.add_property_override("UseLockfile", True)

    found = _paths(synth(build, rules=RULES), "TAP-CFN-1")
    assert set(found) == {"Properties/UseLockfile"}
    f = found["Properties/UseLockfile"]
    assert f.logical_id.startswith("State")
    assert "'UseLockfile' was unexpected" in f.message and "E3002" in f.message


def test_camel_case_key_is_reported_with_the_missing_pascal_case_key(synth):
    def build(stack):
        stream = kinesis.CfnStream(stack, "Telemetry", retention_period_hours=24)
        stream.add_property_override("StreamModeDetails", {"streamMode": "ON_DEMAND"})

    found = _paths(synth(build, rules=RULES), "TAP-CFN-1")
    assert set(found) == {"Properties/StreamModeDetails/streamMode", "Properties/StreamModeDetails"}
    assert "Did you mean 'StreamMode'" in found["Properties/StreamModeDetails/streamMode"].message
    assert "'StreamMode' is a required property" in found["Properties/StreamModeDetails"].message
    assert "E3003" in found["Properties/StreamModeDetails"].message


def test_list_where_an_object_is_expected_is_reported(synth):
    def build(stack):
        bucket = s3.CfnBucket(
            stack,
            "Logs",
            lifecycle_configuration=s3.CfnBucket.LifecycleConfigurationProperty(
                rules=[s3.CfnBucket.RuleProperty(status="Enabled", prefix="logs/")]
            ),
        )
        bucket.add_property_override(
            "LifecycleConfiguration.Rules.0.NoncurrentVersionExpiration", [{"NoncurrentDays": 90}]
        )

    found = _paths(synth(build, rules=RULES), "TAP-CFN-1")
    path = "Properties/LifecycleConfiguration/Rules/0/NoncurrentVersionExpiration"
    assert set(found) == {path}
    assert "is not of type 'object'" in found[path].message and "E3012" in found[path].message


def test_array_over_its_schema_limit_is_reported(synth):
    def build(stack):
        iot.CfnThingType(
            stack,
            "Sensor",
            thing_type_name="sensor-dev",
            thing_type_properties=iot.CfnThingType.ThingTypePropertiesProperty(
                searchable_attributes=["location", "facility", "equipment_type", "line"]
            ),
        )

    found = _paths(synth(build, rules=RULES), "TAP-CFN-1")
    path = "Properties/ThingTypeProperties/SearchableAttributes"
    assert set(found) == {path}
    assert "maximum item count: 3" in found[path].message and "E3032" in found[path].message


def test_enum_value_that_does_not_exist_is_reported(synth):
    def build(stack):
        kinesis.CfnStream(
            stack,
            "Telemetry",
            stream_mode_details=kinesis.CfnStream.StreamModeDetailsProperty(stream_mode="ONDEMAND"),
        )

    found = _paths(synth(build, rules=RULES), "TAP-CFN-1")
    path = "Properties/StreamModeDetails/StreamMode"
    assert set(found) == {path}
    assert "'ONDEMAND' is not one of" in found[path].message and "E3030" in found[path].message


def test_resource_type_that_does_not_exist_is_reported(synth):
    def build(stack):
        cdk.CfnResource(stack, "Lock", type="AWS::S3::BucketLockfile", properties={"X": 1})

    report = synth(build, rules=RULES)
    found = _paths(report, "TAP-CFN-2")
    assert set(found) == {"Type"}
    assert "'AWS::S3::BucketLockfile' does not exist" in found["Type"].message
    assert not _paths(report, "TAP-CFN-1")  # no schema to judge the properties by


def test_typed_constructs_and_deploy_time_values_pass(synth):
    def build(stack):
        mode = cdk.CfnParameter(stack, "Mode", type="String", default="ON_DEMAND")
        bucket = s3.Bucket(
            stack,
            "Data",
            versioned=True,
            lifecycle_rules=[
                s3.LifecycleRule(prefix="raw/", noncurrent_version_expiration=cdk.Duration.days(90))
            ],
        )
        kinesis.Stream(stack, "Stream", stream_mode=kinesis.StreamMode.ON_DEMAND)
        # a value known only at deploy time is not judged against the enum
        kinesis.CfnStream(
            stack,
            "Raw",
            stream_mode_details=kinesis.CfnStream.StreamModeDetailsProperty(
                stream_mode=mode.value_as_string
            ),
        )
        ddb.TableV2(
            stack, "Table", partition_key=ddb.Attribute(name="pk", type=ddb.AttributeType.STRING)
        )
        fn = lambda_.Function(
            stack,
            "Fn",
            runtime=lambda_.Runtime.PYTHON_3_12,
            handler="index.handler",
            code=lambda_.Code.from_inline("def handler(event, context):\n    return event\n"),
            environment={"BUCKET": bucket.bucket_name},
        )
        bucket.grant_read(fn)
        iot.CfnThingType(
            stack,
            "Sensor",
            thing_type_properties=iot.CfnThingType.ThingTypePropertiesProperty(
                searchable_attributes=["location", "facility", "equipment_type"]
            ),
        )

    report = synth(build, rules=RULES)
    assert of_class(report, "cfn-schema") == []
    assert report.resources >= 8


def test_local_code_path_for_cloudformation_package_is_a_warning_not_an_error(synth):
    # GIVEN issue 9: `Code: ./`, which `aws cloudformation package` replaces with the S3
    # location it uploads to (cfn-lint only warns, W3002)
    def build(stack):
        fn = lambda_.Function(
            stack,
            "Packaged",
            runtime=lambda_.Runtime.PYTHON_3_12,
            handler="index.handler",
            code=lambda_.Code.from_inline("def handler(event, context):\n    return 0\n"),
        )
        fn.node.default_child.add_property_override("Code", "./")

    findings = [f for f in of_class(synth(build, rules=RULES), "cfn-schema")]

    assert [(f.rule_id, f.severity, f.property_path) for f in findings] == [
        ("TAP-CFN-1", "warning", "Properties/Code")
    ]
    assert "aws cloudformation package" in findings[0].message
