"""Stream event source mappings discard records older than a bounded age."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from tap.rules.base import Rule
from tap.rules.eventsources._sources import is_unbounded, not_too_deep, source_kind

if TYPE_CHECKING:
    from tap.rules.base import Context
    from tap.rules.finding import Violation
    from tap.rules.model import Resource


class BoundedRecordAge(Rule):
    """Kinesis and DynamoDB stream event source mappings bound the age of records they retry."""

    id = "TAP-ESM-4"
    slug = "stream-error-handling"
    severity = "error"
    title = "Stream event source mappings bound the record age"
    explanation = (
        "Why: MaximumRecordAgeInSeconds defaults to -1 (no limit) for streams: records that "
        "keep failing, or a backlog after an outage, are processed however stale they are, "
        "and retries of one batch hold the shard for as long as the stream keeps the "
        "record. A bounded age sends such records to the on-failure destination instead "
        "(seeds 004 #9, 003)."
    )
    fix = "In CDK: KinesisEventSource/DynamoEventSource(..., max_record_age=Duration.hours(1))."
    seeds = ("004 #9", "003")
    resource_types = ("AWS::Lambda::EventSourceMapping",)

    @not_too_deep
    def check(self, res: Resource, ctx: Context) -> Iterator[Violation]:
        if source_kind(res, ctx) not in ("kinesis", "dynamodb"):
            return
        value = res.properties.get("MaximumRecordAgeInSeconds")
        if is_unbounded(value, ctx):
            yield self.violation(
                res,
                "Properties/MaximumRecordAgeInSeconds",
                "stream event source mapping keeps retrying records of any age "
                f"(MaximumRecordAgeInSeconds {'absent' if value is None else value}, i.e. -1)",
            )
