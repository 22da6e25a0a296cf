"""sqs-visibility-timeout: a queue that hides messages for less time than the function runs."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import Duration
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_sqs as sqs

from bench.coverage.cases import Build, Case, _function


def _consumer(visibility: Duration | None) -> Build:
    def build(stack: cdk.Stack) -> None:
        dlq = sqs.Queue(stack, "Dlq", enforce_ssl=True)
        queue = sqs.Queue(
            stack,
            "Ingest",
            enforce_ssl=True,
            visibility_timeout=visibility,
            dead_letter_queue=sqs.DeadLetterQueue(max_receive_count=3, queue=dlq),
        )
        fn = _function(stack, "Processor", timeout=Duration.minutes(1))
        fn.add_event_source(sources.SqsEventSource(queue, report_batch_item_failures=True))

    return build


CASES = (
    Case(
        "queue-default-visibility-minute-function",
        "sqs-visibility-timeout",
        "reported",
        "SQS event source: queue at its 30 s default, function timeout one minute",
        _consumer(None),
        _consumer(Duration.minutes(6)),
        ("Processor", "Ingest"),
    ),
)
