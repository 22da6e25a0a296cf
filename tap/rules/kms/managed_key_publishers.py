"""kms-service-access: topics and queues that AWS services publish to are not encrypted with
the AWS managed key.

The AWS managed keys ``alias/aws/sns`` and ``alias/aws/sqs`` have key policies nobody can
change: only principals of the account, through SNS/SQS, may use them. A CloudWatch alarm,
an S3 event notification, an EventBridge rule or an SNS subscription publishing to such a
topic or queue publishes as its service principal, which the key never allows. The
publishers are those :func:`tap.rules.kms.service_access.publishers` finds (the same index
as TAP-KMS-2); a key that is a token or a customer managed key stays with TAP-KMS-2.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from tap.rules.base import Rule
from tap.rules.kms.service_access import publishers

if TYPE_CHECKING:
    from tap.rules.base import Context
    from tap.rules.finding import Violation

__all__ = ["PublishedTopicsAvoidManagedKeys"]

_MANAGED_ALIAS = re.compile(r"(^|:)alias/aws/(sns|sqs)$")


class PublishedTopicsAvoidManagedKeys(Rule):
    """Topics and queues that AWS services publish to use a customer managed key."""

    id = "TAP-KMS-20"
    slug = "kms-service-access"
    severity = "error"
    title = "Topics and queues AWS services publish to are not encrypted with alias/aws/sns|sqs"
    explanation = (
        "Why: the AWS managed keys for SNS and SQS cannot be opened to other services: their "
        "key policies cannot be edited (AWS KMS Developer Guide, 'AWS managed keys'). Amazon "
        "SNS Developer Guide, 'Configure AWS KMS permissions for AWS services': events from "
        "CloudWatch, S3, EventBridge and others to an encrypted topic need a customer "
        "managed key, and the same holds for SQS queues ('Key management' in the Amazon SQS "
        "Developer Guide). S3 refuses the notification ('Unable to validate the following "
        "destination configurations'); alarms and rules drop their messages silently."
    )
    fix = (
        "In CDK: encrypt with a customer managed key and grant the publisher: key = kms.Key("
        "...); sns.Topic(..., master_key=key) / sqs.Queue(..., encryption_master_key=key); "
        "key.grant(iam.ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', "
        "'kms:GenerateDataKey*') (or s3 / events / sns.amazonaws.com); or use SQS managed "
        "encryption (sqs.QueueEncryption.SQS_MANAGED)."
    )

    def check_stack(self, ctx: Context) -> Iterable[Violation]:
        by_target = None
        for res in ctx.stack.of_type("AWS::SNS::Topic", "AWS::SQS::Queue"):
            key = ctx.text(res.properties.get("KmsMasterKeyId"))
            rendered = key.render(default="*") if key is not None else None
            if rendered is None or not _MANAGED_ALIAS.search(rendered):
                continue
            if by_target is None:
                by_target = publishers(ctx)
            sources = by_target.get(res.logical_id, [])
            if sources:
                detail = ", ".join(sorted({f"{src} ({svc})" for svc, src in sources}))
                yield self.violation(
                    res,
                    "Properties/KmsMasterKeyId",
                    f"encrypted with the AWS managed key {rendered.rsplit(':', 1)[-1]}, which "
                    f"whose key policy cannot grant other services; published to by {detail}",
                )
