"""missing-dependson: an API Gateway usage plan is created after the stages it names.

A usage plan's ``ApiStages`` name a stage by ``ApiId`` and ``Stage``. Given as a ``Ref`` to
the ``AWS::ApiGateway::Stage`` the order follows; given as a literal name (``"prod"``), the
stage of the same API in the stack (an ``AWS::ApiGateway::Stage``, or a ``Deployment``
with ``StageName``) must be depended on explicitly. A stage the stack does not define stays
silent (it may exist already).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from tap.rules.base import Rule
from tap.rules.resolve import referenced_id

if TYPE_CHECKING:
    from tap.rules.base import Context
    from tap.rules.finding import Violation
    from tap.rules.model import Resource

__all__ = ["UsagePlanAfterStage"]


def stages(ctx: Context) -> dict[tuple[str, str], list[str]]:
    """(API logical id, stage name) → the resources of the stack creating that stage."""
    key = "apigateway.stages"
    if key not in ctx.shared:
        out: dict[tuple[str, str], list[str]] = {}
        for res in ctx.stack.of_type("AWS::ApiGateway::Stage", "AWS::ApiGateway::Deployment"):
            api = referenced_id(ctx.resolve(res.properties.get("RestApiId")), ("Ref",))
            name = ctx.resolve(res.properties.get("StageName"))
            if api is not None and isinstance(name, str):
                out.setdefault((api, name), []).append(res.logical_id)
        ctx.shared[key] = out
    result: dict[tuple[str, str], list[str]] = ctx.shared[key]
    return result


class UsagePlanAfterStage(Rule):
    """API Gateway usage plans depend on the stages they name."""

    id = "TAP-APIGW-20"
    slug = "missing-dependson"
    severity = "error"
    title = "Usage plans depend on the stages they name"
    explanation = (
        "Why: API Gateway checks that a usage plan's API stages exist when the plan is "
        "created (Amazon API Gateway Developer Guide, 'Set up a usage plan': the stage must "
        "be deployed first); a plan naming a stage by a literal name is not ordered after it "
        "and fails with 'Invalid stage identifier specified' (NotFoundException)."
    )
    fix = (
        "In CDK: plan.add_api_stage(api=api, stage=api.deployment_stage) (a reference to the "
        "stage orders the plan after it), or cfn_usage_plan.node.add_dependency(stage)."
    )
    resource_types = ("AWS::ApiGateway::UsagePlan",)

    def check(self, res: Resource, ctx: Context) -> Iterator[Violation]:
        entries = ctx.resolve(res.properties.get("ApiStages"))
        for i, entry in enumerate(entries if isinstance(entries, list) else ()):
            if not isinstance(entry, dict):
                continue
            api = referenced_id(entry.get("ApiId"), ("Ref",))
            name = entry.get("Stage")
            if api is None or not isinstance(name, str):
                continue
            creators = stages(ctx).get((api, name), [])
            if creators and not any(ctx.graph.depends_on(res.logical_id, c) for c in creators):
                yield self.violation(
                    res,
                    f"Properties/ApiStages/{i}/Stage",
                    f"usage plan names stage '{name}' of {api} by its name and does not depend "
                    f"on {', '.join(creators)}, which creates it",
                )
