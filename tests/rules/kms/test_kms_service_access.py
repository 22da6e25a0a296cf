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
