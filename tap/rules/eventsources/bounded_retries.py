"""Stream event source mappings retry a failing batch a bounded number of times."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from tap.rules.base import Rule
from tap.rules.eventsources._sources import is_unbounded, not_too_deep, source_kind

if TYPE_CHECKING:
    from tap.rules.base import Context
    from tap.rules.finding import Violation
    from tap.rules.model import Resource


class BoundedRetries(Rule):
    """Kinesis and DynamoDB stream event source mappings have a bounded retry count."""

    id = "TAP-ESM-3"
    slug = "stream-error-handling"
    severity = "error"
    title = "Stream event source mappings bound their retries"
    explanation = (
        "Why: MaximumRetryAttempts defaults to -1 (retry until the record expires) for "
        "streams: one poison record blocks its shard for up to the stream's retention (24 h "
        "to 365 days for Kinesis) while the iterator age grows and later records wait "
        "(seeds 004 #9, 003)."
    )
    fix = "In CDK: KinesisEventSource/DynamoEventSource(..., retry_attempts=3)."
    seeds = ("004 #9", "003")
    resource_types = ("AWS::Lambda::EventSourceMapping",)

    @not_too_deep
    def check(self, res: Resource, ctx: Context) -> Iterator[Violation]:
        if source_kind(res, ctx) not in ("kinesis", "dynamodb"):
            return
        value = res.properties.get("MaximumRetryAttempts")
        if is_unbounded(value, ctx):
            yield self.violation(
                res,
                "Properties/MaximumRetryAttempts",
                "stream event source mapping retries forever (MaximumRetryAttempts "
                f"{'absent' if value is None else value}, i.e. -1): a poison record blocks "
                "its shard",
            )
