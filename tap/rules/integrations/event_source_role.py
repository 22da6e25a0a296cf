"""integration-role-permissions: a function's role can read its event source mappings."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from tap.rules.base import Rule
from tap.rules.iam._policy import arn_forms, role_of
from tap.rules.integrations._needs import (
    Need,
    describe,
    forms,
    missing,
    stream_key_needs,
    target_lid,
)

if TYPE_CHECKING:
    from tap.rules.base import Context
    from tap.rules.finding import Violation
    from tap.rules.model import Resource

# The polling permissions of each source, as in the AWS managed policies
# AWSLambdaKinesisExecutionRole, AWSLambdaSQSQueueExecutionRole and
# AWSLambdaDynamoDBExecutionRole (ListStreams/SubscribeToShard left out: needed only
# for listing and enhanced fan-out consumers).
KINESIS = (
    "kinesis:DescribeStream",
    "kinesis:GetRecords",
    "kinesis:GetShardIterator",
    "kinesis:ListShards",
)
SQS = ("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes")
DYNAMODB_STREAMS = ("dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator")


def _source_needs(ctx: Context, arn: object) -> list[Need]:
    lid = target_lid(ctx, arn)
    src = ctx.resource(lid) if lid else None
    if lid is None or src is None:
        return []
    if src.type == "AWS::Kinesis::Stream":
        return [Need(a, arn_forms(ctx, lid), f"stream {lid}") for a in KINESIS] + (
            stream_key_needs(ctx, lid, ("kms:Decrypt",))
        )
    if src.type == "AWS::SQS::Queue":
        needs = [Need(a, arn_forms(ctx, lid), f"queue {lid}") for a in SQS]
        key = target_lid(ctx, src.properties.get("KmsMasterKeyId"))
        key_res = ctx.resource(key) if key else None
        if key and key_res is not None and key_res.type == "AWS::KMS::Key":
            needs.append(Need("kms:Decrypt", arn_forms(ctx, key), f"key {key}"))
        return needs
    if src.type == "AWS::DynamoDB::Table":
        stream = ("${" + lid + ".StreamArn}",)
        return [Need(a, stream, f"stream of table {lid}") for a in DYNAMODB_STREAMS] + [
            Need("dynamodb:ListStreams", None, "any resource")
        ]
    return []


def _destination_needs(ctx: Context, arn: object) -> list[Need]:
    lid = target_lid(ctx, arn)
    dest = ctx.resource(lid) if lid else None
    if lid is None or dest is None:
        return []
    if dest.type == "AWS::SQS::Queue":
        return [Need("sqs:SendMessage", arn_forms(ctx, lid), f"on-failure queue {lid}")]
    if dest.type == "AWS::SNS::Topic":
        return [Need("sns:Publish", forms(ctx, arn), f"on-failure topic {lid}")]
    if dest.type == "AWS::S3::Bucket":
        return [Need("s3:PutObject", arn_forms(ctx, lid, "/*"), f"on-failure bucket {lid}")]
    return []


class EventSourceRoleCanPoll(Rule):
    """A mapped function's role can poll its source and write its on-failure destination."""

    id = "TAP-INT-3"
    slug = "integration-role-permissions"
    severity = "error"
    title = "Event source mappings' functions may read the source and the failure destination"
    explanation = (
        "Why: Lambda polls an event source with the function's role. Without the source's "
        "read actions (Kinesis DescribeStream/GetRecords/GetShardIterator/ListShards, SQS "
        "ReceiveMessage/DeleteMessage/GetQueueAttributes, DynamoDB Streams DescribeStream/"
        "GetRecords/GetShardIterator/ListStreams, kms:Decrypt on a stack key) the mapping "
        "fails to enable; without sqs:SendMessage / sns:Publish / s3:PutObject on the "
        "on-failure destination, failed batches are lost (seed 000 #7, 004 #5)."
    )
    fix = (
        "Use the L2 event sources (fn.add_event_source(KinesisEventSource(stream, "
        "on_failure=SqsDlq(queue), ...))), which grant both; or stream.grant_read(fn) and "
        "queue.grant_send_messages(fn)"
    )
    seeds = ("000 #7", "004 #5")
    resource_types = ("AWS::Lambda::EventSourceMapping",)

    def check(self, res: Resource, ctx: Context) -> Iterator[Violation]:
        fn = ctx.resource(target_lid(ctx, res.properties.get("FunctionName")) or "")
        if fn is None or fn.type != "AWS::Lambda::Function":
            return
        role = role_of(ctx, fn.properties.get("Role"))
        if role is None:
            return
        gaps = missing(ctx, role, _source_needs(ctx, res.properties.get("EventSourceArn")))
        if gaps:
            yield self.violation(
                res,
                "Properties/EventSourceArn",
                f"function {fn.logical_id}: {describe(role, gaps)}",
            )
        dest = res.properties.get("DestinationConfig")
        on_failure = dest.get("OnFailure") if isinstance(dest, dict) else None
        if isinstance(on_failure, dict):
            gaps = missing(ctx, role, _destination_needs(ctx, on_failure.get("Destination")))
            if gaps:
                yield self.violation(
                    res,
                    "Properties/DestinationConfig/OnFailure/Destination",
                    f"function {fn.logical_id}: {describe(role, gaps)}",
                )
