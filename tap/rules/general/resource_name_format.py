"""Explicit names are ones the service accepts and Athena can query
(``resource-name-format``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from tap.rules.base import Rule
from tap.rules.common.names import (
    NAME_SPECS,
    NameValue,
    explicit_names,
    name_problems,
    query_problems,
)

if TYPE_CHECKING:
    from tap.rules.base import Context
    from tap.rules.finding import Severity, Violation
    from tap.rules.model import Resource

__all__ = ["NamesAcceptedByService"]

# Bucket names are the s3-bucket-name class (TAP-S3-2), with the same table row.
_TYPES = tuple(t for t in NAME_SPECS if t != "AWS::S3::Bucket")

_FIXES = {
    "AWS::IoT::TopicRule": (
        'In CDK: IoT rule names take letters, digits and "_" only: '
        "rule_name=f\"tap_ingest_{suffix.replace('-', '_')}\"."
    ),
    "AWS::Glue::Database": (
        "In CDK: Athena queries Glue names unquoted when they are lowercase letters, digits "
        "and '_': "
        "name=f\"tap_analytics_{suffix.lower().replace('-', '_')}\"."
    ),
    "AWS::Glue::Table": (
        "In CDK: Athena queries Glue table names unquoted when they are lowercase letters, "
        "digits and '_': "
        "name=f\"telemetry_raw_{suffix.lower().replace('-', '_')}\"."
    ),
}


class NamesAcceptedByService(Rule):
    """Explicit resource names fit their service's characters and length limits."""

    id = "TAP-GEN-4"
    slug = "resource-name-format"
    severity = "error"
    title = "Explicit names fit their service's character set and length"
    explanation = (
        "Why: the service rejects a name outside its character set or length at deploy "
        "time, after the stack is half created (seed 001 #5; seed 000 #3's IoT names): IoT "
        "rule names take no '-', Lambda and IAM role names stop at 64 characters. Glue "
        "accepts database and table names Athena must quote ('-', capitals): a warning. The "
        "name is checked resolved, with the longest region name and a 12-digit account "
        "for ${AWS::Region} and ${AWS::AccountId}; other tokens are unknown, so only the "
        "literal characters around them are checked."
    )
    fix = (
        "In CDK: build the name from characters the service accepts and keep it within "
        "its limit (shorten fixed parts: an account id costs 12 characters, a region up "
        "to the longest region name), or omit the name and let CloudFormation generate one."
    )
    seeds = ("000 #3", "001 #5")
    resource_types = _TYPES

    def check(self, res: Resource, ctx: Context) -> Iterator[Violation]:
        for name in explicit_names(res, ctx):
            value = NameValue.of(name.text)
            problems = name_problems(name.spec, value)
            severity: Severity = "error"
            if not problems:
                # Accepted by the service; a name Athena must quote is a warning.
                problems, severity = query_problems(name.spec, value), "warning"
            if problems:
                yield self.violation(
                    res,
                    name.property_path,
                    f"{name.spec.property_name} {str(name.text)!r} " + "; ".join(problems),
                    _FIXES.get(res.type),
                    severity=severity,
                )
