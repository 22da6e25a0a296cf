"""Stream event source mappings send records they give up on to an on-failure destination."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from tap.rules.base import Rule
from tap.rules.eventsources._sources import not_too_deep, source_kind

if TYPE_CHECKING:
    from tap.rules.base import Context
    from tap.rules.finding import Violation
    from tap.rules.model import Resource


class OnFailureDestination(Rule):
    """Kinesis and DynamoDB stream event source mappings have an on-failure destination."""

    id = "TAP-ESM-5"
    slug = "stream-error-handling"
    severity = "error"
    title = "Stream event source mappings have an on-failure destination"
    explanation = (
        "Why: once retries or the record age are exhausted Lambda skips the batch; without "
        "DestinationConfig.OnFailure the records are lost with no trace of which ones. With "
        "an SQS queue, SNS topic or S3 bucket destination Lambda sends the batch's shard and "
        "sequence numbers there for replay (seeds 004 #9, 003)."
    )
    fix = "In CDK: KinesisEventSource/DynamoEventSource(..., on_failure=SqsDlq(dead_letter_queue))."
    seeds = ("004 #9", "003")
    resource_types = ("AWS::Lambda::EventSourceMapping",)

    @not_too_deep
    def check(self, res: Resource, ctx: Context) -> Iterator[Violation]:
        if source_kind(res, ctx) not in ("kinesis", "dynamodb"):
            return
        config = ctx.resolve(res.properties.get("DestinationConfig"))
        if config is not None and not isinstance(config, dict):
            return  # known only at deploy time
        on_failure = (config or {}).get("OnFailure")
        if on_failure is not None and not isinstance(on_failure, dict):
            return
        if not (on_failure or {}).get("Destination"):
            yield self.violation(
                res,
                "Properties/DestinationConfig/OnFailure/Destination",
                "stream event source mapping without an on-failure destination: records "
                "skipped after the last retry are lost",
            )
