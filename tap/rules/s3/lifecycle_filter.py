"""S3 lifecycle rules name the objects they apply to (``s3-lifecycle-filter``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from tap.rules.base import Rule
from tap.rules.resolve import NO_VALUE, is_unknown

if TYPE_CHECKING:
    from tap.rules.base import Context
    from tap.rules.finding import Violation
    from tap.rules.model import Resource

__all__ = ["LifecycleRuleScoped"]

# The CloudFormation properties of a lifecycle rule that scope it (CloudFormation turns
# them into the S3 API's ``Filter``). An explicit ``Prefix: ""`` counts: it states "every
# object" on purpose, which is the seeds' own fix.
_SCOPE_KEYS = ("Prefix", "TagFilters", "ObjectSizeGreaterThan", "ObjectSizeLessThan")


class LifecycleRuleScoped(Rule):
    """S3 lifecycle rules state which objects they apply to (prefix, tags or size)."""

    id = "TAP-S3-3"
    slug = "s3-lifecycle-filter"
    severity = "warning"
    title = "S3 lifecycle rules state which objects they apply to"
    explanation = (
        "Why: S3 requires every lifecycle rule to carry a filter or prefix; a rule without "
        "one is accepted today only because the tooling fills in an empty filter, and "
        "Terraform's AWS provider already warns it will become an error (seeds 000 #5, "
        "002 #5). An unscoped rule also silently applies to every object in the bucket: "
        "state that on purpose with an explicit empty prefix, or scope it."
    )
    fix = (
        'In CDK: s3.LifecycleRule(..., prefix="") to apply to every object on purpose, or '
        'prefix="logs/", tag_filters={...}, object_size_greater_than=... to scope it. '
        "CDK renders no filter when none of these is given."
    )
    seeds = ("000 #5", "002 #5")
    resource_types = ("AWS::S3::Bucket",)

    def check(self, res: Resource, ctx: Context) -> Iterator[Violation]:
        config = ctx.resolve(res.properties.get("LifecycleConfiguration"))
        rules = config.get("Rules") if isinstance(config, dict) else None
        if not isinstance(rules, list):  # absent, or only known at deploy time
            return
        for index, rule in enumerate(rules):
            if not isinstance(rule, dict) or _scoped(rule):
                continue
            name = rule.get("Id")
            label = f"lifecycle rule {name!r}" if isinstance(name, str) else "a lifecycle rule"
            yield self.violation(
                res,
                f"Properties/LifecycleConfiguration/Rules/{index}",
                f"{label} has no Prefix, TagFilters or object size filter: its scope is "
                "implicit (every object in the bucket)",
            )


def _scoped(rule: dict[str, object]) -> bool:
    for key in _SCOPE_KEYS:
        value = rule.get(key, NO_VALUE)
        if value is NO_VALUE or value is None:
            continue
        if is_unknown(value):
            return True  # scoped by something decided at deploy time: not ours to judge
        if key == "TagFilters" and isinstance(value, list) and not value:
            continue
        return True
    return False
