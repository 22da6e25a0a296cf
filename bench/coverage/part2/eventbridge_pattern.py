"""``eventbridge-pattern``: a match value that is not in an array."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_events as events

from bench.coverage.cases import SUFFIX, Case


def _uploads(name: object):
    def build(stack: cdk.Stack) -> None:
        events.Rule(
            stack,
            "Uploads",
            event_pattern=events.EventPattern(
                source=["aws.s3"],
                detail_type=["Object Created"],
                detail={"bucket": {"name": name}},
            ),
        )

    return build


CASES = (
    Case(
        "pattern-value-not-in-array",
        "eventbridge-pattern",
        "Part 2",
        "event pattern detail.bucket.name is a bare string, EventBridge needs a list",
        _uploads(f"tap-raw-{SUFFIX}"),
        _uploads([f"tap-raw-{SUFFIX}"]),
        ("Uploads",),
    ),
)
