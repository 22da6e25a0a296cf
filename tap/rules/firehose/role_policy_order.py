"""missing-dependson: a Firehose delivery stream is created after its roles' policies.

Firehose assumes the delivery stream's roles when the stream is created and checks what
they may do (the source stream, the destination bucket). A role's permissions that live in a
separate ``AWS::IAM::Policy`` / ``RolePolicy`` / ``ManagedPolicy`` resource are only there
once that resource exists: the stream must depend on it. CDK's L2 ``DeliveryStream`` adds the
dependency; an L1 ``CfnDeliveryStream`` referencing only the role's ARN does not. Roles
outside the stack stay silent.

The finding is a **warning**: without the dependency CloudFormation creates the stream and
the policy in parallel, and whether Firehose's check runs before the policy exists is a race
the template cannot decide (AWS Solutions Constructs' Firehose patterns deploy this way). A
deterministic failure of the class (e.g. an API Gateway usage plan before its stage) stays
an error in its own rule.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from tap.rules.base import Rule
from tap.rules.resolve import as_list, referenced_id

if TYPE_CHECKING:
    from tap.rules.base import Context
    from tap.rules.finding import Violation
    from tap.rules.model import Resource

__all__ = ["DeliveryStreamAfterRolePolicies"]

_POLICIES = {
    "AWS::IAM::Policy": "Roles",
    "AWS::IAM::ManagedPolicy": "Roles",
    "AWS::IAM::RolePolicy": "RoleName",
}


def role_policies(ctx: Context) -> dict[str, list[str]]:
    """Role logical id → the policy resources of the stack attached to it."""
    key = "firehose.role_policies"
    if key not in ctx.shared:
        out: dict[str, list[str]] = {}
        for pol in ctx.stack.of_type(*_POLICIES):
            for value in as_list(ctx.resolve(pol.properties.get(_POLICIES[pol.type]))):
                lid = referenced_id(value)
                if lid is not None:
                    out.setdefault(lid, []).append(pol.logical_id)
        ctx.shared[key] = out
    result: dict[str, list[str]] = ctx.shared[key]
    return result


def _role_arns(value: Any, path: str) -> Iterator[tuple[str, Any]]:
    """Every ``RoleARN`` in a delivery stream's properties, with its path."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "RoleARN":
                yield f"{path}/{key}", item
            else:
                yield from _role_arns(item, f"{path}/{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _role_arns(item, f"{path}/{i}")


class DeliveryStreamAfterRolePolicies(Rule):
    """Firehose delivery streams depend on the policies of the roles they use."""

    id = "TAP-FIREHOSE-1"
    slug = "missing-dependson"
    severity = "error"
    title = "Firehose delivery streams depend on their roles' policies"
    explanation = (
        "Why: Firehose validates the roles of a delivery stream when it is created (Amazon "
        "Data Firehose Developer Guide, 'Controlling access with Amazon Data Firehose'); "
        "created before the policy that grants them access, it fails with 'Firehose is unable "
        "to assume role ...' or 'Access was denied. Ensure that the trust policy for the "
        "provided role allows Firehose to assume the role, and the access policy allows "
        "access to the S3 bucket' (or the Kinesis source stream). Without the dependency the "
        "two are created in parallel: a race, so the finding is a warning."
    )
    fix = (
        "In CDK: use the aws_kinesisfirehose L2 DeliveryStream (it adds the dependency), or "
        "cfn_delivery_stream.node.add_dependency(role) after the grants (a dependency on the "
        "role includes its DefaultPolicy), or .add_dependency(policy) for a separate "
        "iam.Policy."
    )
    resource_types = ("AWS::KinesisFirehose::DeliveryStream",)

    def check(self, res: Resource, ctx: Context) -> Iterator[Violation]:
        attached = role_policies(ctx)
        seen: set[str] = set()
        for path, value in _role_arns(res.properties, "Properties"):
            role = referenced_id(ctx.resolve(value))
            if role is None or role in seen or role not in attached:
                continue
            seen.add(role)
            missing = [p for p in attached[role] if not ctx.graph.depends_on(res.logical_id, p)]
            if missing:
                yield self.violation(
                    res,
                    path,
                    f"delivery stream does not depend on {', '.join(missing)}, the policy of "
                    f"its role {role}: CloudFormation may create the stream first (a race; "
                    "Firehose then refuses the stream)",
                    severity="warning",
                )
