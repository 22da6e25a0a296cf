"""What a rule is: metadata as class attributes, and a check over one stack.

Rules live one per module in ``tap/rules/<service>/`` and are discovered from there
(see :mod:`tap.rules.registry`): no registration list to edit. A rule's docstring's
first line states the compliant state; ``title`` repeats it for reports.

Example
-------
.. code-block:: python

    class QueueEncrypted(Rule):
        \"\"\"SQS queues are encrypted.\"\"\"

        id = "TAP-SQS-1"
        slug = "..."                      # one of FAILURE_CLASSES
        severity = "error"
        title = "SQS queues are encrypted"
        explanation = "Why it matters."
        fix = "How to fix it, in CDK terms."
        seeds = ("004 #2",)
        resource_types = ("AWS::SQS::Queue",)

        def check(self, res, ctx):
            if "KmsMasterKeyId" not in res.properties:
                yield self.violation(res, "Properties", "queue is not encrypted")
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar

from tap.rules.finding import Severity, Violation
from tap.rules.graph import Graph

if TYPE_CHECKING:
    from tap.rules.model import EnvironmentInfo, Resource, StackTemplate
    from tap.rules.resolve import Resolver, Text

__all__ = ["FAILURE_CLASSES", "Context", "Rule"]

# The failure classes of ../shared/RULES-SPEC.md: slug → default level. Slugs are fixed.
FAILURE_CLASSES: dict[str, Severity] = {
    "hardcoded-account-id": "error",
    "hardcoded-region": "warning",
    "s3-bucket-name": "error",
    "environment-suffix": "error",
    "resource-name-format": "error",
    "dynamodb-pitr": "error",
    "removal-policy": "error",
    "lambda-runtime": "error",
    "lambda-handler": "error",
    "iam-code-permissions": "error",
    "iam-unknown-reference": "error",
    "integration-role-permissions": "error",
    "cloudtrail-bucket-policy": "error",
    "kms-service-access": "error",
    "s3-lifecycle-filter": "warning",
    "apigw-deployment-order": "error",
    "s3-notification-permission": "error",
    "iot-substitution": "error",
    "cfn-schema": "error",
    "stream-error-handling": "error",
    "log-retention": "warning",
    # Part 2: deploy-time failures that CDK users reported.
    "s3-acl-ownership": "error",
    "s3-public-access-block": "error",
    "sqs-visibility-timeout": "error",
    "policy-size-limit": "error",
    "circular-dependency": "error",
    "lambda-environment": "error",
    "schedule-expression": "error",
    "sfn-definition": "error",
    "cloudfront-origin-domain": "error",
    "eventbridge-pattern": "error",
    "region-bound-resource": "error",
    "global-name-collision": "error",
    "ecs-task-size": "error",
    "fifo-incompatible": "error",
    "missing-dependson": "error",
    "apigw-account-logging-role": "warning",
}


@dataclass
class Context:
    """Everything a rule may read about the stack under evaluation."""

    stack: StackTemplate
    environment: EnvironmentInfo
    settings: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    """Per-rule settings from the user's configuration, keyed by rule id or class slug
    (see :meth:`setting`)."""
    shared: dict[str, Any] = field(default_factory=dict)
    """Per-stack cache rules can share (e.g. an IAM policy index), keyed by owner."""

    @property
    def resolver(self) -> Resolver:
        return self.stack.resolver

    @cached_property
    def graph(self) -> Graph:
        return Graph(self.stack)

    def resolve(self, value: Any) -> Any:
        return self.stack.resolver.resolve(value)

    def text(self, value: Any) -> Text | None:
        return self.stack.resolver.text(value)

    def resource(self, logical_id: str) -> Resource | None:
        return self.stack.resources.get(logical_id)

    def setting(self, rule: type[Rule] | Rule, key: str, default: Any = None) -> Any:
        """A user setting of ``rule``: looked up under its id, then under its class slug.

        Example: ``ctx.setting(self, "horizon_days", 180)`` reads
        ``[tool.tap-rules.settings.lambda-runtime] horizon_days = 90``.
        """
        for owner in (rule.id, rule.slug):
            values = self.settings.get(owner)
            if values and key in values:
                return values[key]
        return default


class Rule:
    """Base class of every rule; subclasses set the metadata and override ``check``."""

    id: ClassVar[str]
    slug: ClassVar[str]
    severity: ClassVar[Severity]
    title: ClassVar[str]
    explanation: ClassVar[str]
    fix: ClassVar[str]
    seeds: ClassVar[tuple[str, ...]] = ()
    resource_types: ClassVar[tuple[str, ...]] = ()
    requires: ClassVar[tuple[str, ...]] = ()
    """Environment facts the rule needs: ``"suffix"`` and/or ``"ephemeral"``. When one is
    unknown the engine skips the rule for that stack and says so in the summary."""

    def check_stack(self, ctx: Context) -> Iterable[Violation]:
        """Check a whole stack; the default runs :meth:`check` on each resource of
        ``resource_types``."""
        for res in ctx.stack.of_type(*self.resource_types):
            yield from self.check(res, ctx)

    def check(self, res: Resource, ctx: Context) -> Iterator[Violation]:
        """Check one resource. Override this, or ``check_stack`` for stack-wide rules."""
        return iter(())

    def violation(
        self,
        res: Resource | str | None,
        property_path: str,
        message: str,
        fix: str | None = None,
        severity: Severity | None = None,
    ) -> Violation:
        lid = res.logical_id if res is not None and not isinstance(res, str) else res
        return Violation(lid, property_path, message, fix, severity)

    @classmethod
    def help_anchor(cls) -> str:
        """The anchor of this rule's section in RULES.md."""
        return cls.id.lower()
