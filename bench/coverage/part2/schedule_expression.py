"""``schedule-expression``: EventBridge cron is not Unix cron (six fields, '?' in one day
field); Scheduler's at() takes no zone suffix."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import RemovalPolicy
from aws_cdk import aws_events as events
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_scheduler_targets as scheduler_targets
from aws_cdk import aws_sqs as sqs

from bench.coverage.cases import Case


def _rule(expression: str):
    def build(stack: cdk.Stack) -> None:
        events.Rule(stack, "Nightly", schedule=events.Schedule.expression(expression))

    return build


def _one_time(expression: str):
    def build(stack: cdk.Stack) -> None:
        queue = sqs.Queue(stack, "Jobs", removal_policy=RemovalPolicy.DESTROY)
        scheduler.Schedule(
            stack,
            "Once",
            schedule=scheduler.ScheduleExpression.expression(expression),
            target=scheduler_targets.SqsSendMessage(queue),
        )

    return build


CASES = (
    Case(
        "unix-cron-five-fields",
        "schedule-expression",
        "Part 2",
        "rule scheduled with a Unix five-field cron (no year, '*' in both day fields)",
        _rule("cron(0 12 * * *)"),
        _rule("cron(0 12 * * ? *)"),
        ("Nightly",),
    ),
    Case(
        "scheduler-at-with-zone",
        "schedule-expression",
        "Part 2",
        "one-time schedule at(2026-12-01T10:00:00Z): at() takes no zone suffix",
        _one_time("at(2026-12-01T10:00:00Z)"),
        _one_time("at(2026-12-01T10:00:00)"),
        ("Once",),
    ),
)
