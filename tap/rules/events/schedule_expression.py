"""EventBridge rule and EventBridge Scheduler schedule expressions are ones the service
accepts (``schedule-expression``).

EventBridge's cron is not Unix cron: six fields with a year, ``?`` in one day field. A
five-field Unix habit, both day fields set, ``rate(1 minutes)`` or a malformed ``at()`` synth
cleanly and fail at deploy. The parser (:mod:`tap.rules.events._schedule`) is written from
the two services' documentation; cfn-lint's E3027 holds the same rules for
``AWS::Events::Rule`` only, and no cron library speaks this dialect.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from tap.rules.base import Rule
from tap.rules.events._schedule import schedule_problems, suggest

if TYPE_CHECKING:
    from tap.rules.base import Context
    from tap.rules.finding import Violation
    from tap.rules.model import Resource

__all__ = ["ScheduleExpressionValid"]


class ScheduleExpressionValid(Rule):
    """Schedule expressions of EventBridge rules and schedules parse as the service's
    ``cron()``/``rate()``/``at()`` syntax."""

    id = "TAP-EB-1"
    slug = "schedule-expression"
    severity = "error"
    title = "EventBridge schedule expressions use the service's cron/rate/at syntax"
    explanation = (
        "Why: EventBridge validates the expression when CloudFormation creates the rule "
        "('Parameter ScheduleExpression is not valid.' from PutRule; Scheduler's "
        "CreateSchedule answers 'Invalid Schedule Expression'), after the template "
        "synthesized cleanly. Its cron has six required fields (Minutes Hours Day-of-month "
        "Month Day-of-week Year), and you can't specify Day-of-month and Day-of-week in the "
        "same expression: one of them must be '?'. A rate of 1 takes a singular unit, a "
        "larger one a plural unit. Scheduler also takes one-time at(yyyy-mm-ddThh:mm:ss). "
        "AWS documentation: EventBridge User Guide, 'Schedule expressions for rules' "
        "(eb-scheduled-rule-pattern.html); EventBridge Scheduler User Guide, 'Schedule "
        "types on EventBridge Scheduler' (schedule-types.html). An expression built from "
        "deploy-time values is not checked."
    )
    fix = (
        "In CDK: build the expression with events.Schedule.cron(minute=..., hour=..., "
        "week_day=...) / events.Schedule.rate(Duration.minutes(5)) (or "
        "scheduler.ScheduleExpression.cron/rate/at), which write valid syntax; in a literal "
        "expression write six fields with '?' in one day field, e.g. 'cron(0 12 ? * MON-FRI *)'."
    )
    resource_types = ("AWS::Events::Rule", "AWS::Scheduler::Schedule")

    def check(self, res: Resource, ctx: Context) -> Iterator[Violation]:
        text = ctx.text(res.properties.get("ScheduleExpression"))
        if text is None or not text.is_literal:
            return
        expression = str(text)
        scheduler = res.type == "AWS::Scheduler::Schedule"
        problems = schedule_problems(expression, allow_at=scheduler, strict_plural=not scheduler)
        if problems:
            nearest = suggest(expression, allow_at=scheduler, strict_plural=not scheduler)
            fix = None
            if nearest:
                builder = "scheduler.ScheduleExpression" if scheduler else "events.Schedule"
                fix = (
                    f"In CDK: {builder}.expression({nearest!r}); or " + self.fix[len("In CDK: ") :]
                )
            yield self.violation(
                res,
                "Properties/ScheduleExpression",
                f"schedule expression {expression!r}: "
                + "; ".join(problems)
                + (f" (did you mean {nearest!r}?)" if nearest else ""),
                fix,
            )
