"""integration-role-permissions: IoT rules, Firehose and event source mappings have roles
that can do what the integration needs (TAP-INT-1, TAP-INT-2, TAP-INT-3)."""

from __future__ import annotations

from aws_cdk import aws_iam as iam
from aws_cdk import aws_iot as iot
from aws_cdk import aws_kinesis as kinesis
from aws_cdk import aws_kinesisfirehose as firehose
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sqs as sqs
from conftest import of_class

SLUG = "integration-role-permissions"
INLINE = lambda_.Code.from_inline("def handler(event, context):\n    return {}\n")


def _iot_rule(stack, stream, role):
    return iot.CfnTopicRule(
        stack,
        "Rule",
        topic_rule_payload=iot.CfnTopicRule.TopicRulePayloadProperty(
            sql="SELECT * FROM 'traffic/v1/+/telemetry'",
            actions=[
                iot.CfnTopicRule.ActionProperty(
                    kinesis=iot.CfnTopicRule.KinesisActionProperty(
                        role_arn=role.role_arn,
                        stream_name=stream.stream_name,
                        partition_key="${topic(3)}",
                    )
                )
            ],
        ),
    )


def _iot_role(stack):
    return iam.Role(stack, "IotRole", assumed_by=iam.ServicePrincipal("iot.amazonaws.com"))


def test_iot_kinesis_action_with_put_records_only_is_a_finding(synth):
    # GIVEN seed 000 #7's IoT → Kinesis rule whose role may only PutRecords
    def build(stack):
        stream = kinesis.Stream(stack, "Stream")
        role = _iot_role(stack)
        role.add_to_policy(
            iam.PolicyStatement(actions=["kinesis:PutRecords"], resources=[stream.stream_arn])
        )
        _iot_rule(stack, stream, role)

    findings = of_class(synth(build, rules=(SLUG,)), SLUG)

    assert len(findings) == 1
    f = findings[0]
    assert (f.rule_id, f.logical_id) == ("TAP-INT-1", "Rule")
    assert f.property_path == "Properties/TopicRulePayload/Actions/0/Kinesis/RoleArn"
    assert "kinesis:PutRecord on stream Stream" in f.message


def test_iot_kinesis_action_granted_on_another_stream_is_a_finding(synth):
    def build(stack):
        stream = kinesis.Stream(stack, "Stream")
        other = kinesis.Stream(stack, "Other")
        role = _iot_role(stack)
        other.grant_write(role)
        _iot_rule(stack, stream, role)

    findings = of_class(synth(build, rules=(SLUG,)), SLUG)
    assert [f.rule_id for f in findings] == ["TAP-INT-1"]


def test_iot_role_not_trusting_iot_is_a_finding(synth):
    def build(stack):
        stream = kinesis.Stream(stack, "Stream")
        role = iam.Role(stack, "IotRole", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
        stream.grant_write(role)
        _iot_rule(stack, stream, role)

    findings = of_class(synth(build, rules=(SLUG,)), SLUG)
    assert len(findings) == 1
    assert "does not trust iot.amazonaws.com" in findings[0].message


def test_iot_lambda_action_without_permission_is_a_finding(synth):
    def build(stack):
        fn = lambda_.Function(
            stack, "Fn", runtime=lambda_.Runtime.PYTHON_3_12, handler="index.handler", code=INLINE
        )
        iot.CfnTopicRule(
            stack,
            "Rule",
            topic_rule_payload=iot.CfnTopicRule.TopicRulePayloadProperty(
                sql="SELECT * FROM 'x'",
                actions=[
                    iot.CfnTopicRule.ActionProperty(
                        lambda_=iot.CfnTopicRule.LambdaActionProperty(function_arn=fn.function_arn)
                    )
                ],
            ),
        )

    findings = of_class(synth(build, rules=(SLUG,)), SLUG)
    assert len(findings) == 1
    assert findings[0].property_path.endswith("Actions/0/Lambda/FunctionArn")


def test_iot_rule_with_grant_write_passes(synth):
    def build(stack):
        stream = kinesis.Stream(stack, "Stream")
        role = _iot_role(stack)
        stream.grant_write(role)
        _iot_rule(stack, stream, role)

    assert of_class(synth(build, rules=(SLUG,)), SLUG) == []


def _firehose(stack, stream, bucket, source_role, dest_role):
    return firehose.CfnDeliveryStream(
        stack,
        "Delivery",
        delivery_stream_type="KinesisStreamAsSource",
        kinesis_stream_source_configuration=firehose.CfnDeliveryStream.KinesisStreamSourceConfigurationProperty(
            kinesis_stream_arn=stream.stream_arn, role_arn=source_role.role_arn
        ),
        extended_s3_destination_configuration=firehose.CfnDeliveryStream.ExtendedS3DestinationConfigurationProperty(
            bucket_arn=bucket.bucket_arn, role_arn=dest_role.role_arn
        ),
    )


def test_firehose_source_role_without_kinesis_reads_is_a_finding(synth):
    def build(stack):
        stream = kinesis.Stream(stack, "Stream")
        bucket = s3.Bucket(stack, "Archive")
        role = iam.Role(
            stack, "FirehoseRole", assumed_by=iam.ServicePrincipal("firehose.amazonaws.com")
        )
        bucket.grant_read_write(role)
        _firehose(stack, stream, bucket, role, role)

    findings = of_class(synth(build, rules=(SLUG,)), SLUG)

    assert len(findings) == 1
    f = findings[0]
    assert f.rule_id == "TAP-INT-2"
    assert f.property_path == "Properties/KinesisStreamSourceConfiguration/RoleARN"
    assert "kinesis:GetRecords" in f.message and "kinesis:ListShards" in f.message


def test_firehose_destination_role_without_put_object_is_a_finding(synth):
    def build(stack):
        stream = kinesis.Stream(stack, "Stream")
        bucket = s3.Bucket(stack, "Archive")
        role = iam.Role(
            stack, "FirehoseRole", assumed_by=iam.ServicePrincipal("firehose.amazonaws.com")
        )
        stream.grant_read(role)
        bucket.grant_read(role)
        _firehose(stack, stream, bucket, role, role)

    findings = of_class(synth(build, rules=(SLUG,)), SLUG)
    assert len(findings) == 1
    assert findings[0].property_path == "Properties/ExtendedS3DestinationConfiguration/RoleARN"
    assert "s3:PutObject" in findings[0].message


def test_firehose_l2_with_kinesis_source_passes(synth):
    def build(stack):
        stream = kinesis.Stream(stack, "Stream")
        bucket = s3.Bucket(stack, "Archive")
        firehose.DeliveryStream(
            stack,
            "Delivery",
            source=firehose.KinesisStreamSource(stream),
            destination=firehose.S3Bucket(bucket),
        )

    assert of_class(synth(build, rules=(SLUG,)), SLUG) == []


def _consumer(stack):
    return lambda_.Function(
        stack, "Fn", runtime=lambda_.Runtime.PYTHON_3_12, handler="index.handler", code=INLINE
    )


def test_event_source_mapping_without_stream_reads_is_a_finding(synth):
    def build(stack):
        stream = kinesis.Stream(stack, "Stream")
        dlq = sqs.Queue(stack, "Dlq")
        fn = _consumer(stack)
        # L1, as generated code writes it: the L2's SqsDlq would grant the queue
        lambda_.CfnEventSourceMapping(
            stack,
            "Mapping",
            function_name=fn.function_name,
            event_source_arn=stream.stream_arn,
            starting_position="LATEST",
            destination_config=lambda_.CfnEventSourceMapping.DestinationConfigProperty(
                on_failure=lambda_.CfnEventSourceMapping.OnFailureProperty(
                    destination=dlq.queue_arn
                )
            ),
        )
        # the function may only describe the stream; nothing grants the DLQ
        fn.add_to_role_policy(
            iam.PolicyStatement(actions=["kinesis:DescribeStream"], resources=[stream.stream_arn])
        )

    findings = of_class(synth(build, rules=(SLUG,)), SLUG)

    by_path = {f.property_path: f for f in findings}
    assert set(by_path) == {
        "Properties/EventSourceArn",
        "Properties/DestinationConfig/OnFailure/Destination",
    }
    assert all(f.rule_id == "TAP-INT-3" for f in findings)
    assert "kinesis:GetRecords" in by_path["Properties/EventSourceArn"].message
    assert "kinesis:DescribeStream" not in by_path["Properties/EventSourceArn"].message
    assert (
        "sqs:SendMessage on on-failure queue"
        in by_path["Properties/DestinationConfig/OnFailure/Destination"].message
    )


def test_kinesis_event_source_l2_passes(synth):
    def build(stack):
        stream = kinesis.Stream(stack, "Stream", encryption=kinesis.StreamEncryption.KMS)
        dlq = sqs.Queue(stack, "Dlq")
        _consumer(stack).add_event_source(
            sources.KinesisEventSource(
                stream,
                starting_position=lambda_.StartingPosition.TRIM_HORIZON,
                on_failure=sources.SqsDlq(dlq),
                retry_attempts=3,
            )
        )

    assert of_class(synth(build, rules=(SLUG,)), SLUG) == []
