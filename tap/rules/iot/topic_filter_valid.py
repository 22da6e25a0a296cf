"""Topic rule SQL reads from a valid MQTT topic filter."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from tap.rules.base import Rule
from tap.rules.iot._sql import find_topic_filter, topic_filter_problem, topic_rule_sql

if TYPE_CHECKING:
    from tap.rules.base import Context
    from tap.rules.finding import Violation
    from tap.rules.model import Resource


class TopicFilterValid(Rule):
    """IoT topic rule FROM clauses name a valid MQTT topic filter."""

    id = "TAP-IOT-3"
    slug = "iot-substitution"
    severity = "error"
    title = "IoT topic rules read from a valid topic filter"
    explanation = (
        "Why: in an MQTT topic filter '#' matches the remaining levels and must be the whole "
        "last level, '+' matches one level and must be a whole level; IoT rejects a rule "
        "whose FROM clause breaks this ('sensors/#/data', 'sensors/dev+'), so the "
        "deployment fails (seed 000 #7). Deploy-time parts of the filter are not judged."
    )
    fix = "Use whole-level wildcards: FROM 'traffic/v1/+/telemetry' or FROM 'traffic/v1/#'."
    seeds = ("000 #7",)
    resource_types = ("AWS::IoT::TopicRule",)

    def check(self, res: Resource, ctx: Context) -> Iterator[Violation]:
        text = topic_rule_sql(res, ctx)
        if text is None:
            return
        # Tokens (an environment suffix) render as a plain level: never a wildcard problem.
        sql = text.render(default="x")
        match = find_topic_filter(sql) if sql is not None else None
        if match is None:
            return  # no FROM clause: TAP-IOT-2 reports it
        problem = topic_filter_problem(match.group(1))
        if problem is not None:
            yield self.violation(
                res,
                "Properties/TopicRulePayload/Sql",
                f"topic filter {match.group(1)!r}: {problem}",
            )
