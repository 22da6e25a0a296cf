"""kms-service-access: customer-managed keys let the services that use them in
(TAP-KMS-1 log groups, TAP-KMS-2 topics and queues with publishing services)."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sns as sns
from conftest import of_class

SLUG = "kms-service-access"


def _root_only_key(stack):
    # seed 001 #8: the key policy only has the account root
    return kms.Key(
        stack,
        "Key",
        policy=iam.PolicyDocument(
            statements=[
                iam.PolicyStatement(
                    actions=["kms:*"], resources=["*"], principals=[iam.AccountRootPrincipal()]
                )
            ]
        ),
    )


def _alarm(stack, topic):
    metric = cloudwatch.Metric(namespace="TapTraffic", metric_name="CongestionLevel")
    alarm = metric.create_alarm(stack, "Alarm", threshold=3, evaluation_periods=1)
    alarm.add_alarm_action(cw_actions.SnsAction(topic))


def test_log_group_key_with_only_the_root_is_a_finding(synth):
    def build(stack):
        logs.LogGroup(stack, "Logs", encryption_key=_root_only_key(stack))

    findings = of_class(synth(build, rules=(SLUG,)), SLUG)

    assert len(findings) == 1
    f = findings[0]
    assert (f.rule_id, f.property_path) == ("TAP-KMS-1", "Properties/KmsKeyId")
    assert f.logical_id.startswith("Logs")
    assert "kms:Encrypt" in f.message and "kms:GenerateDataKey" in f.message


def test_log_group_key_granted_to_regional_logs_principal_passes(synth):
    def build(stack):
        key = kms.Key(stack, "Key")
        key.grant_encrypt_decrypt(iam.ServicePrincipal(f"logs.{cdk.Aws.REGION}.amazonaws.com"))
        logs.LogGroup(stack, "Logs", encryption_key=key)

    assert of_class(synth(build, rules=(SLUG,)), SLUG) == []


def test_alarm_topic_key_without_cloudwatch_is_a_finding(synth):
    def build(stack):
        topic = sns.Topic(stack, "Alerts", master_key=_root_only_key(stack))
        _alarm(stack, topic)

    findings = of_class(synth(build, rules=(SLUG,)), SLUG)

    assert len(findings) == 1
    f = findings[0]
    assert (f.rule_id, f.property_path) == ("TAP-KMS-2", "Properties/KmsMasterKeyId")
    assert "as cloudwatch.amazonaws.com" in f.message
    assert "kms:Decrypt, kms:GenerateDataKey" in f.message


def test_alarm_topic_key_granted_to_cloudwatch_passes(synth):
    def build(stack):
        key = kms.Key(stack, "Key")
        key.grant(
            iam.ServicePrincipal("cloudwatch.amazonaws.com"),
            "kms:Decrypt",
            "kms:GenerateDataKey*",
        )
        _alarm(stack, sns.Topic(stack, "Alerts", master_key=key))

    assert of_class(synth(build, rules=(SLUG,)), SLUG) == []


# --- TAP-KMS-20: AWS managed keys cannot be opened to publishing services -----------------


def test_kms_service_access_alarm_topic_with_the_aws_managed_key_is_a_finding(synth):
    def build(stack):
        managed = kms.Alias.from_alias_name(stack, "SnsKey", "alias/aws/sns")
        _alarm(stack, sns.Topic(stack, "Alerts", master_key=managed))

    findings = [f for f in of_class(synth(build, rules=(SLUG,)), SLUG) if f.rule_id == "TAP-KMS-20"]

    assert [f.property_path for f in findings] == ["Properties/KmsMasterKeyId"]
    assert findings[0].logical_id.startswith("Alerts")
    assert (
        "alias/aws/sns" in findings[0].message and "cloudwatch.amazonaws.com" in findings[0].message
    )


def test_kms_service_access_s3_notification_queue_with_the_aws_managed_key_is_a_finding(synth):
    from aws_cdk import aws_s3 as s3
    from aws_cdk import aws_s3_notifications as s3n
    from aws_cdk import aws_sqs as sqs

    def build(stack):
        queue = sqs.Queue(stack, "Uploads", encryption=sqs.QueueEncryption.KMS_MANAGED)
        s3.Bucket(stack, "Inbox").add_event_notification(
            s3.EventType.OBJECT_CREATED, s3n.SqsDestination(queue)
        )

    findings = of_class(synth(build, rules=(SLUG,)), SLUG)

    assert [(f.rule_id, f.property_path) for f in findings] == [
        ("TAP-KMS-20", "Properties/KmsMasterKeyId")
    ]
    assert "alias/aws/sqs" in findings[0].message


def test_kms_service_access_aws_managed_key_without_service_publishers_passes(synth):
    from aws_cdk import aws_sqs as sqs

    def build(stack):
        sqs.Queue(stack, "Work", encryption=sqs.QueueEncryption.KMS_MANAGED)
        sqs.Queue(stack, "Uploads", encryption=sqs.QueueEncryption.SQS_MANAGED)

    assert of_class(synth(build, rules=(SLUG,)), SLUG) == []
