"""Stream and queue event source mappings report partial batch failures."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from tap.rules.base import Rule
from tap.rules.eventsources._sources import not_too_deep, one_record_per_batch, source_kind

if TYPE_CHECKING:
    from tap.rules.base import Context
    from tap.rules.finding import Violation
    from tap.rules.model import Resource


class PartialBatchResponse(Rule):
    """Kinesis, DynamoDB stream and SQS event source mappings report batch item failures."""

    id = "TAP-ESM-1"
    slug = "stream-error-handling"
    severity = "error"
    title = "Event source mappings report batch item failures"
    explanation = (
        "Why: without FunctionResponseTypes [ReportBatchItemFailures] one poison record fails "
        "its whole batch: on a Kinesis/DynamoDB stream the shard is blocked and every record of "
        "the batch is retried (and processed twice); on SQS every message of the batch returns "
        "to the queue. With it, the function returns the failed item ids and only those are "
        "retried (seeds 004 #9, 003). For SQS sources this is the only setting of the class: "
        "retries, age and the dead-letter queue belong to the queue's redrive policy; and it is "
        "a warning there, not an error: the failed batch is redelivered rather than blocking "
        "a shard, and a function that processes its batch idempotently is correct without it "
        "(many public apps do so). A mapping with BatchSize 1 is not flagged: its batch is "
        "the one record, so failing it is already reporting that record."
    )
    fix = (
        "In CDK: KinesisEventSource/DynamoEventSource/SqsEventSource(..., "
        "report_batch_item_failures=True), and return {'batchItemFailures': [...]} from the "
        "handler (Powertools BatchProcessor does this)."
    )
    seeds = ("004 #9", "003")
    resource_types = ("AWS::Lambda::EventSourceMapping",)

    @not_too_deep
    def check(self, res: Resource, ctx: Context) -> Iterator[Violation]:
        kind = source_kind(res, ctx)
        if kind is None:
            return
        if one_record_per_batch(res, ctx) is not False:
            return  # BatchSize 1 (the batch is the record) or known only at deploy time
        types = ctx.resolve(res.properties.get("FunctionResponseTypes"))
        if types is None:
            types = []
        if not isinstance(types, list) or any(not isinstance(t, str) for t in types):
            return  # known only at deploy time
        if "ReportBatchItemFailures" not in types:
            yield self.violation(
                res,
                "Properties/FunctionResponseTypes",
                f"{kind} event source mapping without ReportBatchItemFailures "
                f"(FunctionResponseTypes: {types}): one failed record fails the whole batch",
                # SQS redelivers the batch (no shard is blocked): an opinion, not a failure.
                severity="warning" if kind == "sqs" else None,
            )
