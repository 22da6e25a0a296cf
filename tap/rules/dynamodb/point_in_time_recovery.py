"""DynamoDB tables have point-in-time recovery (``dynamodb-pitr``).

The other half of the class, deprecated CDK APIs such as ``point_in_time_recovery=True``,
never reaches the template: ``JSII_DEPRECATED=fail`` (DEVELOPERS.md) makes them fail
synth, and ``tests/rules/dynamodb/test_dynamodb_point_in_time_recovery.py`` proves it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from tap.rules.base import Rule
from tap.rules.resolve import Text

if TYPE_CHECKING:
    from tap.rules.base import Context
    from tap.rules.finding import Violation
    from tap.rules.model import Resource

__all__ = ["TablePointInTimeRecovery"]

_SPEC = "PointInTimeRecoverySpecification"


class TablePointInTimeRecovery(Rule):
    """DynamoDB tables and every replica of a global table have point-in-time recovery."""

    id = "TAP-DDB-1"
    slug = "dynamodb-pitr"
    severity = "error"
    title = "DynamoDB tables have point-in-time recovery enabled"
    explanation = (
        "Why: without point-in-time recovery a bad write or delete cannot be undone: the "
        "table can only be restored from on-demand backups, if any (seed 004 #4). For a "
        "global table the setting is per replica."
    )
    fix = (
        "In CDK: dynamodb.Table(..., point_in_time_recovery_specification="
        "dynamodb.PointInTimeRecoverySpecification(point_in_time_recovery_enabled=True)) "
        "(TableV2 takes the same argument); not the deprecated point_in_time_recovery=True."
    )
    seeds = ("004 #4",)
    resource_types = ("AWS::DynamoDB::Table", "AWS::DynamoDB::GlobalTable")

    def check(self, res: Resource, ctx: Context) -> Iterator[Violation]:
        if res.type == "AWS::DynamoDB::Table":
            state = _enabled(ctx.resolve(res.properties.get(_SPEC)))
            if state is not None and not state[0]:
                yield self.violation(res, f"Properties/{state[1]}", f"table {state[2]}")
            return
        replicas = ctx.resolve(res.properties.get("Replicas"))
        if not isinstance(replicas, list):
            return  # only known at deploy time
        for i, replica in enumerate(replicas):
            if not isinstance(replica, dict):
                continue
            state = _enabled(replica.get(_SPEC))
            if state is not None and not state[0]:
                region = replica.get("Region")
                where = f" in {region}" if isinstance(region, str | Text) else ""
                yield self.violation(
                    res, f"Properties/Replicas/{i}/{state[1]}", f"replica {i}{where} {state[2]}"
                )


def _enabled(spec: Any) -> tuple[bool, str, str] | None:
    """(enabled, property path, what is wrong) of a resolved specification; ``None`` when
    it is decided at deploy time."""
    if spec is None:
        return False, _SPEC, f"has no point-in-time recovery ({_SPEC} absent)"
    if isinstance(spec, Text):
        return None
    value = spec.get("PointInTimeRecoveryEnabled") if isinstance(spec, dict) else None
    if isinstance(value, Text):
        return None
    if value is True or (isinstance(value, str) and value.lower() == "true"):
        return True, "", ""
    return (
        False,
        f"{_SPEC}/PointInTimeRecoveryEnabled",
        "has point-in-time recovery disabled (PointInTimeRecoveryEnabled: "
        f"{'absent' if value is None else value})",
    )
