"""Stream event source mappings split a failing batch to isolate the bad record."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from tap.rules.base import Rule
from tap.rules.eventsources._sources import not_too_deep, one_record_per_batch, source_kind

if TYPE_CHECKING:
    from tap.rules.base import Context
    from tap.rules.finding import Violation
    from tap.rules.model import Resource


class BisectOnError(Rule):
    """Kinesis and DynamoDB stream event source mappings bisect a batch on function error."""

    id = "TAP-ESM-2"
    slug = "stream-error-handling"
    severity = "error"
    title = "Stream event source mappings bisect batches on function error"
    explanation = (
        "Why: when the function throws (a timeout, an out-of-memory, a bug the handler does "
        "not catch) no partial batch response is returned; BisectBatchOnFunctionError splits "
        "the batch and retries the halves, so the poison record ends up alone and the good "
        "records get through instead of the shard stalling (seeds 004 #9, 003). A mapping "
        "with BatchSize 1 is not flagged: a one-record batch cannot be split."
    )
    fix = "In CDK: KinesisEventSource/DynamoEventSource(..., bisect_batch_on_error=True)."
    seeds = ("004 #9", "003")
    resource_types = ("AWS::Lambda::EventSourceMapping",)

    @not_too_deep
    def check(self, res: Resource, ctx: Context) -> Iterator[Violation]:
        if source_kind(res, ctx) not in ("kinesis", "dynamodb"):
            return
        if one_record_per_batch(res, ctx) is not False:
            return  # BatchSize 1 (nothing to split) or known only at deploy time
        value = ctx.resolve(res.properties.get("BisectBatchOnFunctionError"))
        if value is None or value is False or value == "false":
            yield self.violation(
                res,
                "Properties/BisectBatchOnFunctionError",
                f"stream event source mapping with BisectBatchOnFunctionError "
                f"{'absent' if value is None else value!r}: a failing batch is retried whole",
            )
