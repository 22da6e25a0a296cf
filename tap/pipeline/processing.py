"""Stage 3: the processor function, its Kinesis event source mapping and its DLQ.

Error handling follows AWS Solutions Constructs' aws-kinesisstreams-lambda defaults:
partial batch responses (only the failed record and the ones after it are retried),
bisect on error (a poison record is isolated in a few halvings), bounded retries and record
age, and an on-failure destination that keeps the metadata of what was dropped.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aws_cdk import Duration
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from tap.pipeline.common import acknowledge_nag, arn_ref, data_removal_policy
from tap.pipeline.functions import PythonFunction

if TYPE_CHECKING:
    from aws_cdk import aws_dynamodb as dynamodb
    from aws_cdk import aws_kinesis as kinesis
    from aws_cdk import aws_logs as logs
    from aws_cdk import aws_s3 as s3

    from tap.props import TapStackProps

__all__ = [
    "BATCH_SIZE",
    "MAX_BATCHING_WINDOW_S",
    "REJECTS_PREFIX",
    "RETRY_ATTEMPTS",
    "TelemetryProcessor",
]

REJECTS_PREFIX = "rejects/"
#: Records per invocation, and how long Lambda waits to fill a batch. The stream is keyed by
#: segment (tap.pipeline.ingest.PARTITION_KEY), so one batch holds every reading of its
#: segments for its window, and the processor writes each (segment, minute) once per batch. A
#: minute is then split over about 1 + 60 / window batches: `make bench` measured, on its own
#: workload, 1.61x the floor of one write per (segment, minute) with 1,000 records / 90 s
#: (1.94x with 60 s, 1.45x with 120 s; keyed by sensor as before: 6.9x with 1,000 / 60 s).
#: The cost is latency: a reading waits up to 90 s for its batch.
BATCH_SIZE = 1000
MAX_BATCHING_WINDOW_S = 90
#: Retries of a failing batch (after bisection) before its metadata goes to the DLQ.
RETRY_ATTEMPTS = 3
#: Records older than this are not retried any more: live congestion data an hour late has no
#: alerting value, and retrying it would hold back the shard behind it.
MAX_RECORD_AGE = Duration.hours(1)


class TelemetryProcessor(Construct):
    """Processor function (``lambda/processor``) fed by the telemetry stream.

    Attributes
    ----------
    function, role, log_group:
        The function ``tap-processor-<suffix>`` and what it runs with.
    dead_letter_queue:
        ``tap-processor-dlq-<suffix>``: SQS-managed encryption, TLS only, 14 days retention.
        It receives the shard/sequence range of batches that exhausted their retries.
    event_source_mapping_id:
        The id of the Kinesis event source mapping.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        props: TapStackProps,
        stream: kinesis.IStream,
        table: dynamodb.ITable,
        rejects_bucket: s3.IBucket,
    ) -> None:
        super().__init__(scope, construct_id)
        suffix = props.suffix
        self._dlq = sqs.Queue(
            self,
            "DeadLetterQueue",
            queue_name=f"tap-processor-dlq-{suffix}",
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            retention_period=Duration.days(14),
            removal_policy=data_removal_policy(props),
        )
        acknowledge_nag(
            self._dlq,
            "AwsSolutions-SQS3",
            "This queue is itself the on-failure destination of the processor's event source "
            "mapping; a dead-letter queue of a dead-letter queue would only move the problem.",
        )

        self._fn = PythonFunction(
            self,
            "Processor",
            props=props,
            code_dir="processor",
            function_name=f"tap-processor-{suffix}",
            description="Aggregates sensor telemetry per (segment, minute) into DynamoDB",
            environment={
                "TABLE_NAME": table.table_name,
                "REJECTS_BUCKET": rejects_bucket.bucket_name,
                "REJECTS_PREFIX": REJECTS_PREFIX,
                "TTL_DAYS": str(props.aggregate_ttl_days),
                "POWERTOOLS_SERVICE_NAME": "processor",
                "POWERTOOLS_METRICS_NAMESPACE": "TapTraffic",
            },
            timeout=Duration.seconds(60),
        )
        role = self._fn.role
        # Exactly the calls of the function code (DEVELOPERS.md contract), on this table only.
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"],
                resources=[table.table_arn],
            )
        )
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["s3:PutObject"],
                resources=[rejects_bucket.arn_for_objects(f"{REJECTS_PREFIX}*")],
            )
        )
        acknowledge_nag(
            role,
            f"AwsSolutions-IAM5[Resource::{arn_ref(rejects_bucket)}/{REJECTS_PREFIX}*]",
            "Rejected records are written as new objects under the rejects/ prefix; object keys "
            "are generated per record, so the grant is the prefix, not named objects.",
        )

        self._source = sources.KinesisEventSource(
            stream,
            starting_position=lambda_.StartingPosition.TRIM_HORIZON,
            batch_size=BATCH_SIZE,
            max_batching_window=Duration.seconds(MAX_BATCHING_WINDOW_S),
            report_batch_item_failures=True,
            bisect_batch_on_error=True,
            retry_attempts=RETRY_ATTEMPTS,
            max_record_age=MAX_RECORD_AGE,
            on_failure=sources.SqsDlq(self._dlq),
            parallelization_factor=1,
        )
        self._fn.function.add_event_source(self._source)

    @property
    def function(self) -> lambda_.Function:
        return self._fn.function

    @property
    def role(self) -> iam.Role:
        return self._fn.role

    @property
    def log_group(self) -> logs.LogGroup:
        return self._fn.log_group

    @property
    def dead_letter_queue(self) -> sqs.Queue:
        return self._dlq

    @property
    def event_source_mapping_id(self) -> str:
        return self._source.event_source_mapping_id
