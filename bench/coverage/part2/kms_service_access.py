"""kms-service-access (widened): topics that AWS services publish to, encrypted with the AWS
managed key."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns

from bench.coverage.cases import Build, Case, _key


def _alarm_topic(customer_key: bool) -> Build:
    def build(stack: cdk.Stack) -> None:
        if customer_key:
            key: kms.IKey = _key(stack)
            key.grant(
                iam.ServicePrincipal("cloudwatch.amazonaws.com"),
                "kms:Decrypt",
                "kms:GenerateDataKey*",
            )
        else:
            key = kms.Alias.from_alias_name(stack, "SnsManagedKey", "alias/aws/sns")
        topic = sns.Topic(stack, "Alerts", master_key=key, enforce_ssl=True)
        metric = cloudwatch.Metric(namespace="TapTraffic", metric_name="CongestionLevel")
        alarm = metric.create_alarm(stack, "Congestion", threshold=3, evaluation_periods=1)
        alarm.add_alarm_action(cw_actions.SnsAction(topic))

    return build


CASES = (
    Case(
        "alarm-topic-aws-managed-key",
        "kms-service-access",
        "reported",
        "alarm publishing to a topic encrypted with alias/aws/sns",
        _alarm_topic(False),
        _alarm_topic(True),
        ("Alerts",),
    ),
)
