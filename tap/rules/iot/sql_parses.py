"""Topic rule SQL statements parse as IoT SQL."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from tap.rules.base import Rule
from tap.rules.iot._sql import check_sql, find_topic_filter, topic_rule_sql

if TYPE_CHECKING:
    from tap.rules.base import Context
    from tap.rules.finding import Violation
    from tap.rules.model import Resource

_MARK = "\x00"


class SqlParses(Rule):
    """IoT topic rule SQL statements are SELECT ... FROM '<topic filter>' [WHERE ...]."""

    id = "TAP-IOT-2"
    slug = "iot-substitution"
    severity = "error"
    title = "IoT topic rule SQL parses"
    explanation = (
        "Why: IoT validates a topic rule's SQL when CloudFormation creates the rule; a typo "
        "(SELECT * FORM 'topic/#'), an unquoted topic filter or a clause IoT SQL lacks "
        "(ORDER BY, JOIN) fails the deployment after the streams and tables it feeds were "
        "created (seed 000 #7). Checked with sqlglot after isolating the quoted topic "
        "filter: a syntax check, not IoT's own validator (function names are not checked)."
    )
    fix = (
        "Write SELECT <expressions> FROM '<topic filter>' [WHERE <condition>], e.g. "
        'iot.CfnTopicRule.TopicRulePayloadProperty(sql="SELECT *, topic(3) AS sensor_id '
        "FROM 'traffic/v1/+/telemetry'\", aws_iot_sql_version='2016-03-23', ...)."
    )
    seeds = ("000 #7",)
    resource_types = ("AWS::IoT::TopicRule",)

    def check(self, res: Resource, ctx: Context) -> Iterator[Violation]:
        text = topic_rule_sql(res, ctx)
        if text is None:
            return
        marked = text.render(default=_MARK)
        if marked is None:
            return
        if not text.is_literal:
            # Deploy-time parts are judged only inside the quoted topic filter, where any
            # value is a string; elsewhere they could be any SQL.
            match = find_topic_filter(marked)
            outside = marked[: match.start(1)] + marked[match.end(1) :] if match else marked
            if _MARK in outside:
                return
        sql = marked.replace(_MARK, "x")
        problem = check_sql(sql)
        if problem is not None:
            sql = str(text)
            yield self.violation(
                res, "Properties/TopicRulePayload/Sql", f"IoT SQL {sql!r}: {problem.message}"
            )
