"""Class ``schedule-expression``: EventBridge rules and Scheduler schedules use the
service's cron/rate/at syntax (TAP-EB-1), written from the EventBridge User Guide's
"Schedule expressions for rules" and the Scheduler User Guide's "Schedule types"."""

from __future__ import annotations

import pytest
from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_events as events
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_scheduler_targets as scheduler_targets
from aws_cdk import aws_sqs as sqs

from tap.rules.events._schedule import schedule_problems
from tests.rules.conftest import of_class

SLUG = "schedule-expression"


def _rule(expression: str):
    def build(stack):
        events.Rule(stack, "Nightly", schedule=events.Schedule.expression(expression))

    return build


def _schedule(expression: str):
    def build(stack):
        queue = sqs.Queue(stack, "Jobs", removal_policy=RemovalPolicy.DESTROY)
        scheduler.Schedule(
            stack,
            "Once",
            schedule=scheduler.ScheduleExpression.expression(expression),
            target=scheduler_targets.SqsSendMessage(queue),
        )

    return build


def test_schedule_expression_unix_cron_with_five_fields_is_flagged(synth):
    findings = of_class(synth(_rule("cron(0 12 * * *)")), SLUG)

    assert [(f.rule_id, f.property_path) for f in findings] == [
        ("TAP-EB-1", "Properties/ScheduleExpression")
    ]
    assert findings[0].logical_id.startswith("Nightly")
    assert "5 fields, EventBridge needs 6" in findings[0].message
    assert "did you mean 'cron(0 12 * * ? *)'?" in findings[0].message
    assert findings[0].fix.startswith("In CDK: events.Schedule.expression('cron(0 12 * * ? *)')")


def test_schedule_expression_with_both_day_fields_is_flagged(synth):
    findings = of_class(synth(_rule("cron(0 12 1 * MON *)")), SLUG)

    assert len(findings) == 1
    assert "one of them must be '?'" in findings[0].message


def test_schedule_expression_rate_with_wrong_plural_is_flagged(synth):
    findings = of_class(synth(_rule("rate(1 minutes)")), SLUG)

    assert len(findings) == 1
    assert "singular unit" in findings[0].message
    assert "did you mean 'rate(1 minute)'?" in findings[0].message


def test_schedule_expression_at_with_zone_suffix_on_scheduler_is_flagged(synth):
    findings = of_class(synth(_schedule("at(2026-12-01T10:00:00Z)")), SLUG)

    assert [(f.rule_id, f.resource_type) for f in findings] == [
        ("TAP-EB-1", "AWS::Scheduler::Schedule")
    ]
    assert "yyyy-mm-ddThh:mm:ss" in findings[0].message
    assert "did you mean 'at(2026-12-01T10:00:00)'?" in findings[0].message


def test_schedule_expression_cdk_builders_and_valid_literals_pass(synth):
    # GIVEN schedules written with CDK's builders and valid literal expressions
    def build(stack):
        events.Rule(stack, "Builder", schedule=events.Schedule.cron(minute="0", hour="12"))
        events.Rule(stack, "Weekdays", schedule=events.Schedule.cron(hour="8", week_day="MON-FRI"))
        events.Rule(stack, "Every5", schedule=events.Schedule.rate(Duration.minutes(5)))
        events.Rule(stack, "Hourly", schedule=events.Schedule.rate(Duration.hours(1)))
        events.Rule(stack, "Literal", schedule=events.Schedule.expression("cron(0/15 * ? * * *)"))
        queue = sqs.Queue(stack, "Jobs", removal_policy=RemovalPolicy.DESTROY)
        for sid, expr in (
            ("Rate", scheduler.ScheduleExpression.rate(Duration.days(1))),
            ("Cron", scheduler.ScheduleExpression.cron(minute="30", hour="2", day="L")),
            ("At", scheduler.ScheduleExpression.expression("at(2026-12-01T10:00:00)")),
        ):
            scheduler.Schedule(
                stack, sid, schedule=expr, target=scheduler_targets.SqsSendMessage(queue)
            )

    # THEN no schedule-expression finding
    assert of_class(synth(build), SLUG) == []


@pytest.mark.parametrize(
    "expression",
    [
        "cron(0 10 * * ? *)",
        "cron(15 12 * * ? *)",
        "cron(0 18 ? * MON-FRI *)",
        "cron(0 8 1 * ? *)",
        "cron(0/10 * ? * MON-FRI *)",
        "cron(0/5 8-17 ? * MON-FRI *)",
        "cron(0 9 ? * 2#1 *)",
        "cron(0 0 L * ? *)",
        "cron(0 0 3W * ? *)",
        "cron(0 12 ? JAN,JUL 6L 2026-2030)",
        "rate(1 day)",
        "rate(12 hours)",
    ],
)
def test_schedule_expression_documented_examples_parse(expression):
    # The EventBridge User Guide's examples are all valid
    assert schedule_problems(expression, allow_at=False, strict_plural=True) == []


@pytest.mark.parametrize(
    "expression",
    [
        "cron(60 * ? * * *)",
        "cron(0 24 ? * * *)",
        "cron(0 0 32 * ? *)",
        "cron(0 0 ? 13 * *)",
        "cron(0 0 ? * 8 *)",
        "rate(0 minutes)",
        "rate(5 weeks)",
        "at(2026-12-01T10:00:00)",
        "every 5 minutes",
    ],
)
def test_schedule_expression_invalid_values_are_reported(expression):
    assert schedule_problems(expression, allow_at=False, strict_plural=True) != []
