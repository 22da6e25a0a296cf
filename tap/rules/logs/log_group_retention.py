"""CloudWatch Logs log groups have a retention period (``log-retention``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from tap.rules.base import Rule
from tap.rules.resolve import NO_VALUE

if TYPE_CHECKING:
    from tap.rules.base import Context
    from tap.rules.finding import Violation
    from tap.rules.model import Resource

__all__ = ["LogGroupRetention"]


class LogGroupRetention(Rule):
    """CloudWatch Logs log groups have a retention period."""

    id = "TAP-LOGS-1"
    slug = "log-retention"
    severity = "warning"
    title = "Log groups have a retention period"
    explanation = (
        "Why: a log group without RetentionInDays keeps every event forever; storage cost "
        "grows without bound and old logs outlive any need for them (seed 003 shows the "
        "intended state: log groups with 30-day retention)."
    )
    fix = (
        "In CDK: logs.LogGroup(..., retention=logs.RetentionDays.ONE_MONTH) "
        "(RetentionDays.INFINITE renders no retention: choose a period)."
    )
    seeds = ("003",)
    resource_types = ("AWS::Logs::LogGroup",)

    def check(self, res: Resource, ctx: Context) -> Iterator[Violation]:
        days = ctx.resolve(res.properties.get("RetentionInDays", NO_VALUE))
        if days is NO_VALUE or days is None:
            name = ctx.text(res.properties.get("LogGroupName"))
            shown = f"log group {name}" if name is not None else "log group"
            yield self.violation(
                res, "Properties/RetentionInDays", f"{shown} has no retention: events never expire"
            )
