"""integration-role-permissions: a Firehose role can read its source and write its sink."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

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

# The reads Firehose makes on a Kinesis source ("Grant Firehose access to a Kinesis data
# stream" in the Firehose developer guide).
KINESIS_SOURCE_ACTIONS = (
    "kinesis:DescribeStream",
    "kinesis:GetShardIterator",
    "kinesis:GetRecords",
    "kinesis:ListShards",
)
S3_DESTINATIONS = ("ExtendedS3DestinationConfiguration", "S3DestinationConfiguration")


def _s3_needs(ctx: Context, conf: dict[str, Any]) -> list[Need]:
    bucket = conf.get("BucketARN")
    lid = target_lid(ctx, bucket)
    label = f"bucket {lid or ctx.text(bucket)}"
    needs = [
        Need("s3:PutObject", forms(ctx, bucket, "/*"), f"{label} objects"),
        Need("s3:AbortMultipartUpload", forms(ctx, bucket, "/*"), f"{label} objects"),
        Need("s3:GetBucketLocation", forms(ctx, bucket), label),
        Need("s3:ListBucket", forms(ctx, bucket), label),
    ]
    enc = conf.get("EncryptionConfiguration")
    kms = enc.get("KMSEncryptionConfig") if isinstance(enc, dict) else None
    key = target_lid(ctx, kms.get("AWSKMSKeyARN")) if isinstance(kms, dict) else None
    if key is not None:
        needs += [
            Need(a, arn_forms(ctx, key), f"key {key}")
            for a in ("kms:GenerateDataKey", "kms:Decrypt")
        ]
    return needs


class FirehoseRoleCanDeliver(Rule):
    """A delivery stream's roles can read its Kinesis source and write its S3 destination."""

    id = "TAP-INT-2"
    slug = "integration-role-permissions"
    severity = "error"
    title = "Firehose roles may read their source and write their destination"
    explanation = (
        "Why: Firehose assumes the source and destination roles at run time. A source role "
        "without kinesis:DescribeStream/GetShardIterator/GetRecords/ListShards on the "
        "stream fails creation or stalls delivery; a destination role without "
        "s3:PutObject/AbortMultipartUpload on the objects and GetBucketLocation/ListBucket "
        "on the bucket (and kms:GenerateDataKey/Decrypt on a stack key used for "
        "encryption) leaves records undelivered (seed 000 #7's IoT → Kinesis → Firehose "
        "path, seed 004 #5's class of missing permission)."
    )
    fix = (
        "stream.grant_read(source_role); bucket.grant_read_write(destination_role); "
        "key.grant_encrypt_decrypt(destination_role); or use the aws_kinesisfirehose "
        "L2 DeliveryStream, which creates and grants these roles"
    )
    seeds = ("000 #7", "004 #5")
    resource_types = ("AWS::KinesisFirehose::DeliveryStream",)

    def check(self, res: Resource, ctx: Context) -> Iterator[Violation]:
        props = res.properties
        source = props.get("KinesisStreamSourceConfiguration")
        if isinstance(source, dict):
            role = role_of(ctx, source.get("RoleARN"))
            stream = source.get("KinesisStreamARN")
            lid = target_lid(ctx, stream)
            if role is not None:
                needs = [
                    Need(a, forms(ctx, stream), f"stream {lid or ctx.text(stream)}")
                    for a in KINESIS_SOURCE_ACTIONS
                ]
                needs += stream_key_needs(ctx, lid, ("kms:Decrypt",))
                gaps = missing(ctx, role, needs)
                if gaps:
                    yield self.violation(
                        res,
                        "Properties/KinesisStreamSourceConfiguration/RoleARN",
                        f"Kinesis source: {describe(role, gaps)}",
                    )
        for key in S3_DESTINATIONS:
            conf = props.get(key)
            if not isinstance(conf, dict):
                continue
            role = role_of(ctx, conf.get("RoleARN"))
            if role is None:
                continue
            gaps = missing(ctx, role, _s3_needs(ctx, conf))
            if gaps:
                yield self.violation(
                    res, f"Properties/{key}/RoleARN", f"S3 destination: {describe(role, gaps)}"
                )
