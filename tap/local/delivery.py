"""Kinesis -> Lambda event source mapping, simulated with Lambda's semantics.

What is reproduced (settings read from the template's ``AWS::Lambda::EventSourceMapping``):

* records are read per shard in order (``GetShardIterator``/``GetRecords`` on moto) and handed
  to the handler in batches of ``BatchSize``, shaped like Lambda's Kinesis event;
* ``ReportBatchItemFailures``: the response must be ``{"batchItemFailures": [...]}`` whose
  identifiers are sequence numbers of the batch; anything else (including an exception) fails
  the whole batch. Lambda then checkpoints at the lowest failed sequence number and retries
  from there;
* ``BisectBatchOnFunctionError``: a batch that fails as a whole is split in two;
* ``MaximumRetryAttempts``: when exhausted, the failing records are skipped and the batch's
  metadata goes to the ``DestinationConfig.OnFailure`` queue (Lambda's message shape);
* at least once: after a successful batch, with probability ``redeliver_rate``, a random
  slice of the records already processed on that shard (possibly spanning batch boundaries)
  is delivered again, as happens when a batch is retried after a timeout or a shard is
  re-read after a rebalancing.

Not reproduced: ``MaximumRecordAgeInSeconds``, batching windows, parallelization factor > 1.
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tap.local.functions import LambdaContext

__all__ = ["DeliveryStats", "MappingSettings", "StreamDelivery"]

Handler = Callable[[dict[str, Any], Any], Any]


@dataclass(frozen=True)
class MappingSettings:
    """The event source mapping's delivery settings."""

    batch_size: int = 100
    maximum_retry_attempts: int = -1
    bisect_on_error: bool = False
    report_batch_item_failures: bool = False
    on_failure_queue_url: str | None = None


@dataclass
class DeliveryStats:
    invocations: int = 0
    batches: int = 0
    redeliveries: int = 0
    retries: int = 0
    reported_failures: int = 0
    dead_lettered: list[tuple[str, str]] = field(default_factory=list)  # (shard, sequence)
    dlq_messages: int = 0


class StreamDelivery:
    """Deliver every record of a stream to ``handler`` (see the module docstring)."""

    def __init__(
        self,
        *,
        kinesis: Any,
        sqs: Any,
        stream_name: str,
        stream_arn: str,
        settings: MappingSettings,
        handler: Handler,
        function_arn: str,
        rng: random.Random,
        redeliver_rate: float = 0.0,
        output: io.TextIOBase | None = None,
        progress: Callable[[int], object] | None = None,
        shards: dict[str, list[dict[str, Any]]] | None = None,
    ) -> None:
        self._kinesis = kinesis
        self._sqs = sqs
        self._stream = stream_name
        self._arn = stream_arn
        self._settings = settings
        self._handler = handler
        self._function_arn = function_arn
        self._rng = rng
        self._redeliver_rate = redeliver_rate
        self._output = output or io.StringIO()
        self._progress = progress or (lambda _done: None)
        self._shards = shards
        self.stats = DeliveryStats()

    # -- reading --------------------------------------------------------------------

    def shard_records(self) -> dict[str, list[dict[str, Any]]]:
        """Records by shard: the ``shards`` given, else read from the stream (GetRecords)."""
        if self._shards is not None:
            return self._shards
        shards = self._kinesis.list_shards(StreamName=self._stream)["Shards"]
        result: dict[str, list[dict[str, Any]]] = {}
        for shard in shards:
            shard_id = shard["ShardId"]
            iterator = self._kinesis.get_shard_iterator(
                StreamName=self._stream, ShardId=shard_id, ShardIteratorType="TRIM_HORIZON"
            )["ShardIterator"]
            records: list[dict[str, Any]] = []
            while iterator:
                page = self._kinesis.get_records(ShardIterator=iterator, Limit=10_000)
                records.extend(page["Records"])
                if not page["Records"] or page.get("MillisBehindLatest", 0) == 0:
                    break
                iterator = page.get("NextShardIterator")
            result[shard_id] = records
        return result

    def _event_record(self, shard_id: str, record: dict[str, Any]) -> dict[str, Any]:
        return {
            "kinesis": {
                "kinesisSchemaVersion": "1.0",
                "partitionKey": record["PartitionKey"],
                "sequenceNumber": record["SequenceNumber"],
                "data": base64.b64encode(record["Data"]).decode("ascii"),
                "approximateArrivalTimestamp": record["ApproximateArrivalTimestamp"].timestamp(),
            },
            "eventSource": "aws:kinesis",
            "eventVersion": "1.0",
            "eventID": f"{shard_id}:{record['SequenceNumber']}",
            "eventName": "aws:kinesis:record",
            "invokeIdentityArn": "arn:aws:iam::123456789012:role/local-processor",
            "awsRegion": "us-east-1",
            "eventSourceARN": self._arn,
        }

    # -- invoking -------------------------------------------------------------------

    def _invoke(self, batch: list[dict[str, Any]]) -> set[str] | None:
        """Failed sequence numbers; ``None`` when the whole batch failed."""
        self.stats.invocations += 1
        event = {"Records": batch}
        context = LambdaContext(
            function_name=self._function_arn.rsplit(":", 1)[-1],
            invoked_function_arn=self._function_arn,
            aws_request_id=f"local-{self.stats.invocations}",
        )
        try:
            with contextlib.redirect_stdout(self._output):
                response = self._handler(event, context)
        except Exception:  # Lambda: a function error fails the whole batch
            return None
        if not self._settings.report_batch_item_failures:
            return set()
        return _failed_identifiers(response, {r["kinesis"]["sequenceNumber"] for r in batch})

    def run(self) -> DeliveryStats:
        for shard_id, records in self.shard_records().items():
            events = [self._event_record(shard_id, r) for r in records]
            self._drain(shard_id, events)
        return self.stats

    def _drain(self, shard_id: str, events: list[dict[str, Any]]) -> None:
        position, attempts, size = 0, 0, self._settings.batch_size
        while position < len(events):
            batch = events[position : position + size]
            self.stats.batches += 1
            failed = self._invoke(batch)
            if failed is not None and not failed:
                position += len(batch)
                self._progress(len(batch))
                attempts, size = 0, self._settings.batch_size
                self._maybe_redeliver(events, position)
                continue
            if failed is None:
                checkpoint = 0
                if self._settings.bisect_on_error and size > 1:
                    size = (len(batch) + 1) // 2
            else:
                self.stats.reported_failures += len(failed)
                checkpoint = min(i for i, e in enumerate(batch) if _seq(e) in failed)
            position += checkpoint
            self._progress(checkpoint)
            attempts += 1
            limit = self._settings.maximum_retry_attempts
            if limit >= 0 and attempts > limit:
                dropped = events[position : position + len(batch) - checkpoint]
                self._dead_letter(shard_id, dropped, attempts)
                position += len(dropped)
                self._progress(len(dropped))
                attempts, size = 0, self._settings.batch_size
            else:
                self.stats.retries += 1

    def _maybe_redeliver(self, events: list[dict[str, Any]], done: int) -> None:
        if self._rng.random() >= self._redeliver_rate:
            return
        start = self._rng.randrange(max(0, done - 2 * self._settings.batch_size), done)
        length = self._rng.randint(1, self._settings.batch_size)
        self.stats.redeliveries += 1
        self._invoke(events[start : min(done, start + length)])

    def _dead_letter(self, shard_id: str, dropped: list[dict[str, Any]], attempts: int) -> None:
        self.stats.dead_lettered.extend((shard_id, _seq(e)) for e in dropped)
        if not self._settings.on_failure_queue_url or not dropped:
            return
        arrivals = [e["kinesis"]["approximateArrivalTimestamp"] for e in dropped]
        message = {
            "requestContext": {
                "functionArn": self._function_arn,
                "condition": "RetryAttemptsExhausted",
                "approximateInvokeCount": attempts,
            },
            "version": "1.0",
            "KinesisBatchInfo": {
                "shardId": shard_id,
                "startSequenceNumber": _seq(dropped[0]),
                "endSequenceNumber": _seq(dropped[-1]),
                "approximateArrivalOfFirstRecord": min(arrivals),
                "approximateArrivalOfLastRecord": max(arrivals),
                "batchSize": len(dropped),
                "streamArn": self._arn,
            },
        }
        self._sqs.send_message(
            QueueUrl=self._settings.on_failure_queue_url, MessageBody=json.dumps(message)
        )
        self.stats.dlq_messages += 1


def _seq(event_record: dict[str, Any]) -> str:
    return event_record["kinesis"]["sequenceNumber"]


def _failed_identifiers(response: Any, batch_sequences: set[str]) -> set[str] | None:
    """Lambda's reading of a partial batch response: invalid -> the whole batch failed."""
    if response is None:
        return set()
    if not isinstance(response, dict) or not isinstance(
        response.get("batchItemFailures", []), list
    ):
        return None
    failed: set[str] = set()
    for item in response.get("batchItemFailures", []):
        identifier = item.get("itemIdentifier") if isinstance(item, dict) else None
        if not isinstance(identifier, str) or identifier not in batch_sequences:
            return None
        failed.add(identifier)
    return failed
