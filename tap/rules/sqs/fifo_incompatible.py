"""fifo-incompatible: FIFO queues and topics only receive from sources that deliver to them.

Two sources only deliver to standard destinations: S3 event notifications (to SQS queues and
SNS topics, on the bucket or through CDK's ``Custom::S3BucketNotifications``), and standard
SNS topics (an SQS FIFO queue cannot subscribe to one). Queues and topics outside the stack,
or a FIFO setting that is a token, stay silent.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from tap.rules.base import Rule
from tap.rules.resolve import as_list
from tap.rules.sqs._queues import is_fifo, target

if TYPE_CHECKING:
    from tap.rules.base import Context
    from tap.rules.finding import Violation
    from tap.rules.model import Resource

__all__ = ["FifoDestinationsFitTheirSource"]

_QUEUE, _TOPIC = "AWS::SQS::Queue", "AWS::SNS::Topic"
# (list key, destination key) of a bucket's and of CDK's custom resource's configuration
_S3_ENTRIES = {
    "AWS::S3::Bucket": (("QueueConfigurations", "Queue"), ("TopicConfigurations", "Topic")),
    "Custom::S3BucketNotifications": (
        ("QueueConfigurations", "QueueArn"),
        ("TopicConfigurations", "TopicArn"),
    ),
}


class FifoDestinationsFitTheirSource(Rule):
    """S3 notifications and standard SNS topics deliver to standard queues and topics only."""

    id = "TAP-SQS-2"
    slug = "fifo-incompatible"
    severity = "error"
    title = "S3 notifications and standard topics target standard queues and topics, not FIFO"
    explanation = (
        "Why: S3 event notifications support only standard SQS queues and standard SNS topics "
        "as destinations (Amazon S3 User Guide, 'Amazon S3 Event Notifications': 'Amazon SQS "
        "FIFO queues are not supported', and SNS FIFO topics likewise); S3 fails the "
        "configuration with 'Unable to validate the following destination configurations'. "
        "An SQS FIFO queue can subscribe only to an SNS FIFO topic (Amazon SNS Developer Guide, "
        "'FIFO topics'): SNS answers 'Invalid parameter: Endpoint Reason: FIFO SQS Queues can "
        "not be subscribed to standard SNS topics'."
    )
    fix = (
        "In CDK: give S3 notifications a standard sqs.Queue / sns.Topic (fan out to the FIFO "
        "queue from a consumer if ordering matters); subscribe a FIFO queue only to "
        "sns.Topic(..., fifo=True)."
    )
    resource_types = (
        "AWS::S3::Bucket",
        "Custom::S3BucketNotifications",
        "AWS::SNS::Subscription",
        "AWS::SNS::Topic",
    )

    def check(self, res: Resource, ctx: Context) -> Iterator[Violation]:
        if res.type in _S3_ENTRIES:
            yield from self._s3(res, ctx)
        elif res.type == "AWS::SNS::Subscription":
            topic = target(ctx, res.properties.get("TopicArn"), _TOPIC)
            if ctx.resolve(res.properties.get("Protocol")) == "sqs":
                yield from self._subscription(
                    res, ctx, topic, res.properties.get("Endpoint"), "Properties/Endpoint"
                )
        else:
            for i, sub in enumerate(as_list(res.properties.get("Subscription"))):
                if isinstance(sub, dict) and ctx.resolve(sub.get("Protocol")) == "sqs":
                    path = f"Properties/Subscription/{i}/Endpoint"
                    yield from self._subscription(res, ctx, res, sub.get("Endpoint"), path)

    def _s3(self, res: Resource, ctx: Context) -> Iterator[Violation]:
        config = res.properties.get("NotificationConfiguration")
        if not isinstance(config, dict):
            return
        for kind, key in _S3_ENTRIES[res.type]:
            for i, entry in enumerate(as_list(config.get(kind))):
                dest = (
                    target(ctx, entry.get(key), _QUEUE, _TOPIC) if isinstance(entry, dict) else None
                )
                if dest is not None and is_fifo(ctx, dest):
                    what = "queue" if dest.type == _QUEUE else "topic"
                    yield self.violation(
                        res,
                        f"Properties/NotificationConfiguration/{kind}/{i}/{key}",
                        f"S3 event notification to FIFO {what} {dest.logical_id}: S3 delivers "
                        "to standard queues and topics only",
                    )

    def _subscription(
        self, res: Resource, ctx: Context, topic: Resource | None, endpoint: Any, path: str
    ) -> Iterator[Violation]:
        queue = target(ctx, endpoint, _QUEUE)
        if topic is None or queue is None:
            return
        if is_fifo(ctx, queue) and is_fifo(ctx, topic) is False:
            yield self.violation(
                res,
                path,
                f"FIFO queue {queue.logical_id} subscribed to standard topic {topic.logical_id}: "
                "SNS refuses the subscription",
            )
