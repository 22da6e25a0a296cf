"""kms-service-access: customer-managed keys let the services that use them encrypt."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import TYPE_CHECKING

from tap.rules.base import Rule
from tap.rules.kms._keypolicy import missing_for_service, stack_key
from tap.rules.resolve import as_list, referenced_id

if TYPE_CHECKING:
    from tap.rules.base import Context
    from tap.rules.finding import Violation
    from tap.rules.model import Resource

# CloudWatch Logs' key policy statement ("Encrypt log data in CloudWatch Logs using AWS
# KMS"): kms:Encrypt*, Decrypt*, ReEncrypt*, GenerateDataKey* (Describe* also listed;
# not required here because CDK's key.grant_encrypt_decrypt does not add it).
LOGS_ACTIONS = ("kms:Encrypt", "kms:Decrypt", "kms:ReEncryptFrom", "kms:GenerateDataKey")
# A service publishing to an encrypted topic or queue ("Enable compatibility between
# event sources from AWS services and encrypted topics/queues").
PUBLISH_ACTIONS = ("kms:Decrypt", "kms:GenerateDataKey")


class LogGroupKeyAllowsLogs(Rule):
    """A log group's customer-managed key lets CloudWatch Logs use it."""

    id = "TAP-KMS-1"
    slug = "kms-service-access"
    severity = "error"
    title = "Log group keys let CloudWatch Logs use them"
    explanation = (
        "Why: CloudWatch Logs encrypts with the key as the service principal logs."
        "<region>.amazonaws.com; a key policy that only trusts the account root (seed "
        "001 #8) makes the log group fail to create. The key policy must allow that "
        "principal kms:Encrypt*, Decrypt*, ReEncrypt* and GenerateDataKey*."
    )
    fix = (
        'key.grant_encrypt_decrypt(iam.ServicePrincipal(f"logs.{Aws.REGION}.amazonaws.com"))'
        " (use the Aws.REGION token, not a region literal)"
    )
    seeds = ("001 #8",)
    resource_types = ("AWS::Logs::LogGroup",)

    def check(self, res: Resource, ctx: Context) -> Iterator[Violation]:
        key = stack_key(ctx, res.properties.get("KmsKeyId"))
        if key is None:
            return
        gaps = missing_for_service(ctx, key, "logs.amazonaws.com", LOGS_ACTIONS)
        if gaps:
            yield self.violation(
                res,
                "Properties/KmsKeyId",
                f"key {key}'s policy does not let logs.<region>.amazonaws.com {', '.join(gaps)}",
            )


def _alarm_publishers(ctx: Context, out: dict[str, list[tuple[str, str]]]) -> None:
    for alarm in ctx.stack.of_type("AWS::CloudWatch::Alarm", "AWS::CloudWatch::CompositeAlarm"):
        for key in ("AlarmActions", "OKActions", "InsufficientDataActions"):
            for action in as_list(alarm.properties.get(key)):
                target = referenced_id(ctx.text(action))
                if target:
                    out[target].append(("cloudwatch.amazonaws.com", alarm.logical_id))


def _bucket_publishers(ctx: Context, out: dict[str, list[tuple[str, str]]]) -> None:
    # the L1 bucket's NotificationConfiguration, or CDK's notifications custom resource
    for bucket in ctx.stack.of_type("AWS::S3::Bucket", "Custom::S3BucketNotifications"):
        conf = bucket.properties.get("NotificationConfiguration")
        if not isinstance(conf, dict):
            continue
        for kind, field in (("TopicConfigurations", "Topic"), ("QueueConfigurations", "Queue")):
            for entry in as_list(conf.get(kind)):
                if isinstance(entry, dict):
                    target = referenced_id(ctx.text(entry.get(field, entry.get(field + "Arn"))))
                    if target:
                        out[target].append(("s3.amazonaws.com", bucket.logical_id))


def publishers(ctx: Context) -> dict[str, list[tuple[str, str]]]:
    """Topic/queue logical id → [(service principal, publishing resource)]."""
    out: dict[str, list[tuple[str, str]]] = defaultdict(list)
    _alarm_publishers(ctx, out)
    _bucket_publishers(ctx, out)
    for rule in ctx.stack.of_type("AWS::Events::Rule"):
        for t in as_list(rule.properties.get("Targets")):
            target = referenced_id(ctx.text(t.get("Arn"))) if isinstance(t, dict) else None
            if target:
                out[target].append(("events.amazonaws.com", rule.logical_id))
    for sub in ctx.stack.of_type("AWS::SNS::Subscription"):
        if ctx.resolve(sub.properties.get("Protocol")) == "sqs":
            target = referenced_id(ctx.text(sub.properties.get("Endpoint")))
            if target:
                out[target].append(("sns.amazonaws.com", sub.logical_id))
    return out


class PublishedKeyAllowsPublishers(Rule):
    """An encrypted topic or queue's key lets the services that publish to it use it."""

    id = "TAP-KMS-2"
    slug = "kms-service-access"
    severity = "error"
    title = "Encrypted topics and queues let their publishing services use the key"
    explanation = (
        "Why: a CloudWatch alarm, an S3 event notification, an EventBridge rule or an SNS "
        "subscription delivers to an encrypted SNS topic / SQS queue as its service "
        "principal, which needs kms:Decrypt and kms:GenerateDataKey* in the key policy. "
        "Without them the messages are dropped silently: the alarm fires, nobody is told "
        "(seed 001 #8's class: a key that only trusts the account root)."
    )
    fix = (
        "key.grant(iam.ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', "
        "'kms:GenerateDataKey*') (s3 / events / sns.amazonaws.com alike)"
    )
    seeds = ("001 #8",)

    def check_stack(self, ctx: Context) -> Iterator[Violation]:
        by_target = publishers(ctx)
        for res in ctx.stack.of_type("AWS::SNS::Topic", "AWS::SQS::Queue"):
            key = stack_key(ctx, res.properties.get("KmsMasterKeyId"))
            if key is None or res.logical_id not in by_target:
                continue
            problems: dict[str, str] = {}
            for service, source in by_target[res.logical_id]:
                if service in problems:
                    continue
                gaps = missing_for_service(ctx, key, service, PUBLISH_ACTIONS)
                problems[service] = (
                    f"{source} publishes as {service}, which key {key}'s policy does not "
                    f"allow {', '.join(gaps)}"
                    if gaps
                    else ""
                )
            found = [p for p in problems.values() if p]
            if found:
                yield self.violation(res, "Properties/KmsMasterKeyId", "; ".join(found))
