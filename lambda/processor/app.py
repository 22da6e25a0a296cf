"""Processor: Kinesis telemetry -> per-minute aggregates in DynamoDB, rejects in S3.

Lambda entry point ``app.handler`` (Kinesis event source mapping with
``ReportBatchItemFailures``). The handler never raises: it answers Lambda with the partial
batch response ``{"batchItemFailures": [{"itemIdentifier": <sequence number>}, ...]}`` built
by Powertools' ``BatchProcessor``, listing exactly the records to retry. Lambda retries from
the lowest of them within the mapping's bounds (retry attempts, record age, bisection) and then
sends the batch's metadata to the on-failure destination: nothing is dropped silently.

* valid readings: counted exactly once in effect per (segment, minute) (``store.py``);
* conflicting duplicates (a counted ``(sensor_id, ts)`` with other values): kept under the
  rejects prefix with reason ``conflicting-duplicate`` and both values, counted in
  ``ReadingsConflicting`` (and ``RecordsRejected``), not retried;
* invalid readings: kept under ``s3://$REJECTS_BUCKET/$REJECTS_PREFIX`` with their reason and
  raw payload, counted in the ``RecordsRejected`` metric, not retried (``readings.py``);
* transient failures (throttling, service errors, lost optimistic-lock races): reported as
  batch item failures, counted in ``RecordsFailed``.

Environment: ``TABLE_NAME``, ``REJECTS_BUCKET``, ``REJECTS_PREFIX`` (default ``rejects/``),
``TTL_DAYS`` (default 30), ``POWERTOOLS_SERVICE_NAME``, ``POWERTOOLS_METRICS_NAMESPACE``.

AWS calls: ``dynamodb:GetItem``, ``dynamodb:UpdateItem``, ``s3:PutObject``.
"""

from __future__ import annotations

import os
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import boto3
from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from batch import BatchOutcome, process_batch
from botocore.config import Config
from store import AggregateStore, RejectsSink

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.data_classes.kinesis_stream_event import (
        KinesisStreamRecord,
    )
    from aws_lambda_powertools.utilities.typing import LambdaContext

__all__ = ["handler"]

logger = Logger()
tracer = Tracer()
metrics = Metrics(namespace=os.environ.get("POWERTOOLS_METRICS_NAMESPACE", "TapTraffic"))
# The whole batch failing is still a partial response (every record listed), not an exception.
processor = BatchProcessor(
    event_type=EventType.KinesisDataStreams, raise_on_entire_batch_failure=False
)

# Fail fast and let Lambda's own retries (driven by batchItemFailures) do the waiting.
_BOTO_CONFIG = Config(
    retries={"mode": "standard", "max_attempts": 3}, connect_timeout=3, read_timeout=10
)


@lru_cache(maxsize=1)
def _clients() -> tuple[Any, Any]:
    """DynamoDB and S3 clients, created on first use (and so under moto in tests)."""
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    session = boto3.session.Session(region_name=region)
    return session.client("dynamodb", config=_BOTO_CONFIG), session.client(
        "s3", config=_BOTO_CONFIG
    )


def _sinks() -> tuple[AggregateStore, RejectsSink]:
    dynamodb, s3 = _clients()
    store = AggregateStore(
        dynamodb, os.environ["TABLE_NAME"], ttl_days=int(os.environ.get("TTL_DAYS", "30"))
    )
    rejects = RejectsSink(
        s3, os.environ["REJECTS_BUCKET"], os.environ.get("REJECTS_PREFIX", "rejects/")
    )
    return store, rejects


class RecordFailed(Exception):
    """Raised for BatchProcessor to list the record in ``batchItemFailures``."""


def _record_metrics(outcome: BatchOutcome) -> None:
    for name, value in (
        ("ReadingsCounted", outcome.counted),
        ("ReadingsDuplicate", outcome.duplicates),
        ("ReadingsConflicting", outcome.conflicts),
        ("RecordsRejected", outcome.rejected),
        ("RecordsFailed", len(outcome.failures)),
        ("AggregatesWritten", outcome.groups_written),
    ):
        metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)


def _all_sequence_numbers(event: Any) -> list[str]:
    records = event.get("Records", []) if isinstance(event, dict) else []
    return [
        r["kinesis"]["sequenceNumber"]
        for r in records
        if isinstance(r, dict)
        and isinstance(r.get("kinesis"), dict)
        and r["kinesis"].get("sequenceNumber")
    ]


@tracer.capture_method
def _handle(event: dict[str, Any], context: LambdaContext | None) -> dict[str, Any]:
    records = event.get("Records") or []
    store, rejects = _sinks()
    outcome = process_batch(records, store, rejects)
    _record_metrics(outcome)
    logger.info(
        "batch processed",
        extra={
            "records": outcome.records,
            "counted": outcome.counted,
            "duplicates": outcome.duplicates,
            "conflicts": outcome.conflicts,
            "rejected": outcome.rejected,
            "failed": len(outcome.failures),
            "groups_written": outcome.groups_written,
        },
    )
    if not records:
        return {"batchItemFailures": []}
    failures = outcome.failures

    def report(record: KinesisStreamRecord) -> None:
        cause = failures.get(record.kinesis.sequence_number)
        if cause is not None:
            raise RecordFailed(str(cause)) from cause

    return dict(process_partial_response(event, report, processor, context))


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext | None) -> dict[str, Any]:
    """Lambda entry point: a Kinesis batch in, a partial batch response out. Never raises."""
    try:
        return _handle(event, context)
    except Exception:
        # A bug or a missing setting: report every record so that Lambda retries the batch
        # within the mapping's bounds and then records it at the on-failure destination.
        logger.exception("batch failed as a whole; every record reported for retry")
        failed = _all_sequence_numbers(event)
        metrics.add_metric(name="RecordsFailed", unit=MetricUnit.Count, value=len(failed))
        return {"batchItemFailures": [{"itemIdentifier": s} for s in failed]}
